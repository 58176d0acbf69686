"""HTTP endpoints of the dashboard: summary, rankings, heat map, overdue list, exports and the public page."""

from flask import Response, current_app, stream_with_context
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from app.core.auth import current_user
from app.core.schemas import page_schema
from app.dashboard import exports, service
from app.dashboard.schemas import (
    HeatmapSchema,
    OverdueArgs,
    OverdueSchema,
    PeriodArgs,
    PublicStatsSchema,
    RankingArgs,
    RankingsSchema,
    SummarySchema,
)
from app.extensions import limiter

bp = Blueprint("dashboard", __name__, url_prefix="/api/v1", description="Dashboard, rankings and exports")

OverduePageSchema = page_schema(OverdueSchema, "OverduePage")


@bp.get("/dashboard/summary")
@jwt_required()
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, SummarySchema)
def summary(args):
    """The three rates with their counts, timings, participation and drill-downs for a region and period."""
    return service.summary(viewer=current_user(), **args)


@bp.get("/dashboard/rankings")
@jwt_required()
@bp.arguments(RankingArgs, location="query")
@bp.response(200, RankingsSchema)
def rankings(args):
    """A month's ranking of communities within a street, or of streets within the district."""
    return service.rankings(viewer=current_user(), **args)


@bp.get("/dashboard/heatmap")
@jwt_required()
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, HeatmapSchema)
def heatmap(args):
    """The region's grid polygons with how many reports each had in the period."""
    return service.heatmap(viewer=current_user(), **args)


@bp.get("/dashboard/overdue")
@jwt_required()
@bp.arguments(OverdueArgs, location="query")
@bp.response(200, OverduePageSchema)
def overdue(args):
    """Open reports past their running deadline, the longest overdue first."""
    rows, next_cursor = service.overdue(viewer=current_user(), **args)
    return {"data": rows, "next_cursor": next_cursor}


@bp.get("/public/communities/<int:community_id>/stats")
@bp.response(200, PublicStatsSchema)
def public_stats(community_id: int):
    """This month's three rates and fixed reports of one community, for residents (public)."""
    return service.public_community_stats(community_id)


# --- exports -----------------------------------------------------------------------------------------------

_CSV = {200: {"description": "UTF-8 CSV with a BOM, streamed", "content": {"text/csv": {}}}}


def _csv(name: str, chunks) -> Response:
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _export_limit() -> str:
    return current_app.config["EXPORT_RATE_LIMIT"]


@bp.get("/exports/reports.csv")
@jwt_required()
@limiter.limit(_export_limit)
@bp.arguments(PeriodArgs, location="query")
@bp.doc(responses=_CSV)
def export_reports(args):
    """Reports submitted in the period in the caller's scope, with every timestamp (local time)."""
    name, chunks = exports.staff_export(viewer=current_user(), **args)
    return _csv(name, chunks)


@bp.get("/exports/open-data.csv")
@limiter.limit(_export_limit)
@bp.arguments(PeriodArgs, location="query")
@bp.doc(responses=_CSV)
def export_open_data(args):
    """Open data: public reports of a region and period without personal data (public)."""
    name, chunks = exports.open_data_export(**args)
    return _csv(name, chunks)

"""Reading reports: the list and detail shapes, scoped lists, nearby reports for "me too", the public map.

Nothing here writes. Every list is keyset-paginated and loads its rows' neighbours in the same query.
"""

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ForbiddenError, UnprocessableError
from app.core.pagination import SortKey, paginate
from app.extensions import db
from app.regions.models import Level, Region
from app.reports.access import REGION_ROLES, View, department_ids
from app.reports.categories import get_leaf_category
from app.reports.deadlines import deadlines_view
from app.reports.models import (
    OPEN_STATUSES,
    Department,
    Report,
    ReportCategory,
    ReportEvent,
    ReportRating,
    ReportStatus,
    ReportSupport,
    WarningLevel,
)
from app.reports.service import LOAD
from app.reports.workflow import allowed_actions
from app.uploads.service import signed_url


def _photos(ids: list[int]) -> list[dict]:
    return [{"id": i, "url": signed_url(i), "thumb_url": signed_url(i, "thumb")} for i in ids or []]


def _place(region: Region | None) -> dict | None:
    return {"id": region.id, "name": region.name, "level": region.level.value} if region else None


def summary(report: Report) -> dict:
    """The list shape (ReportSummarySchema), from the report and its eagerly loaded neighbours only."""
    reporter = report.reporter
    return {
        **{name: getattr(report, name) for name in _SUMMARY_FIELDS},
        "category": report.category,
        "photos": _photos(report.photo_ids),
        "reporter": {"id": reporter.id, "name": reporter.name, "phone": reporter.phone} if reporter else None,
        "grid": _place(report.grid),
        "community": _place(report.community),
        "region": _place(report.region),
        "level": report.region.level.value,
        "department": report.department,
        "assignee": report.assignee,
    }


_SUMMARY_FIELDS = (
    "id", "type", "status", "description", "lat", "lng", "address", "anonymous", "channel", "created_at",
    "updated_at", "due_kind", "due_at", "warning", "supervised", "redo_count", "me_too_count",
)  # fmt: skip


def _timeline(report: Report) -> list:
    return list(
        db.session.scalars(
            sa.select(ReportEvent)
            .where(ReportEvent.report_id == report.id)
            .options(joinedload(ReportEvent.actor))
            .order_by(ReportEvent.id)
        )
    )


def _supported(report: Report, user: User) -> bool:
    return db.session.get(ReportSupport, (report.id, user.id)) is not None


def detail(report: Report, view: View | None, *, viewer: User, now: datetime | None = None) -> dict:
    """GET /reports/<id>: the full report for staff and its reporter, the public face for anyone else."""
    now = now or utcnow()
    if view is None:
        return {"id": report.id, "view": "none", "status": report.status}
    events = _timeline(report)
    if view == View.PUBLIC:
        return {
            "id": report.id,
            "view": view.value,
            "category": report.category,
            "type": report.type,
            "status": report.status,
            "description": report.description,
            "lat": round(report.lat, 4) if report.lat is not None else None,
            "lng": round(report.lng, 4) if report.lng is not None else None,
            "reporter_name": report.reporter.name if report.reporter and not report.anonymous else None,
            "community": _place(report.community),
            "created_at": report.created_at,
            "updated_at": report.updated_at,
            "warning": report.warning,
            "me_too_count": report.me_too_count,
            "me_too": _supported(report, viewer),
            "timeline": [{"action": e.action, "status": e.status, "at": e.created_at} for e in events],
        }
    ratings = db.session.scalars(
        sa.select(ReportRating).where(ReportRating.report_id == report.id).order_by(ReportRating.round)
    ).all()
    return {
        **summary(report),
        "view": view.value,
        "contact": report.contact if view == View.STAFF else None,
        "resolution_note": report.resolution_note,
        "deadlines": deadlines_view(report, now),
        "timeline": [
            {
                "action": e.action,
                "actor": e.actor,
                "status": e.status,
                "note": e.note,
                "photos": _photos(e.photo_ids),
                "data": e.data,
                "at": e.created_at,
            }
            for e in events
        ],
        "ratings": ratings,
        "allowed_actions": [a.value for a in allowed_actions(viewer, report)],
        "can_rate": _can_rate(report, viewer, ratings),
        "me_too": _supported(report, viewer),
    }


# --- lists -------------------------------------------------------------------------------------------------

NEWEST = [SortKey(Report.created_at, "created_at"), SortKey(Report.id, "id")]
SOONEST_DUE = [SortKey(Report.due_at, "due_at", descending=False), SortKey(Report.id, "id", descending=False)]
# A scope is the reports in the regions of that level the caller serves, at that level or above.
SCOPE_LEVELS = {
    "grid": {Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT},
    "community": {Level.COMMUNITY, Level.STREET, Level.DISTRICT},
    "street": {Level.STREET, Level.DISTRICT},
}


def _region_ids_in_scope(viewer: User, scope: str) -> list[int]:
    posts = [m.region for m in viewer.active_memberships if m.role in REGION_ROLES]
    paths = [r.path for r in posts if r.level in SCOPE_LEVELS[scope]]
    if not paths:
        raise ForbiddenError(f"You hold no post at {scope} level or above.", code="scope_not_allowed")
    level = Level.GRID if scope == "grid" else Level.COMMUNITY
    return list(
        db.session.scalars(
            sa.select(Region.id).where(
                Region.level == level, sa.or_(*(Region.path.startswith(p) for p in paths))
            )
        )
    )


def _scope_clause(viewer: User, scope: str) -> sa.ColumnElement[bool]:
    if scope == "mine":
        return Report.reporter_id == viewer.id
    if scope == "assigned":
        departments = department_ids(viewer)
        return sa.or_(
            Report.assignee_id == viewer.id,
            Report.department_id.in_(departments) if departments else sa.false(),
        )
    ids = _region_ids_in_scope(viewer, scope)
    column = Report.grid_id if scope == "grid" else Report.community_id
    return column.in_(ids) if ids else sa.false()


def _category_ids(code: str) -> list[int]:
    category = db.session.scalar(
        sa.select(ReportCategory)
        .where(ReportCategory.code == code)
        .options(selectinload(ReportCategory.children))
    )
    if category is None:
        raise UnprocessableError(fields={"category": ["No such category."]})
    return [category.id] if category.is_leaf else [c.id for c in category.children]


def list_reports(
    *,
    viewer: User,
    scope: str,
    status: list[ReportStatus] | None = None,
    category: str | None = None,
    warning: WarningLevel | None = None,
    sort: str = "newest",
    limit: int = 20,
    cursor: str | None = None,
) -> tuple[list[Report], str | None]:
    stmt = sa.select(Report).where(_scope_clause(viewer, scope)).options(*LOAD)
    if status:
        stmt = stmt.where(Report.status.in_(status))
    if category:
        stmt = stmt.where(Report.category_id.in_(_category_ids(category)))
    if warning is not None:
        stmt = stmt.where(Report.warning == warning)
    keys = NEWEST
    if sort == "deadline":
        stmt = stmt.where(Report.due_at.is_not(None))
        keys = SOONEST_DUE
    return paginate(db.session, stmt, keys, limit=limit, cursor=cursor)


def nearby(lat: float, lng: float, category: str, *, viewer: User, radius_m: float = 250) -> list[dict]:
    """Open reports of the category within `radius_m`, nearest first: "me too" instead of a duplicate."""
    leaf = get_leaf_category(category)
    dlat = radius_m / 111_320
    dlng = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    candidates = db.session.scalars(
        sa.select(Report)
        .where(
            Report.category_id == leaf.id,
            Report.status.in_(OPEN_STATUSES),
            sa.or_(Report.public.is_(True), Report.reporter_id == viewer.id),
            Report.lat.between(lat - dlat, lat + dlat),
            Report.lng.between(lng - dlng, lng + dlng),
        )
        .options(joinedload(Report.category))
        .limit(200)
    ).all()
    found = []
    for report in candidates:
        distance = _metres(lat, lng, report.lat, report.lng)
        if distance <= radius_m:
            found.append(
                {
                    "id": report.id,
                    "category": report.category,
                    "status": report.status,
                    "description": report.description,
                    "distance_m": round(distance),
                    "created_at": report.created_at,
                    "me_too_count": report.me_too_count,
                    "mine": report.reporter_id == viewer.id,
                }
            )
    return sorted(found, key=lambda r: (r["distance_m"], r["id"]))[:20]


def _metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Haversine distance on a sphere of the Earth's mean radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


PUBLIC_DAYS = 90


def public_map(
    bbox: tuple[float, float, float, float], *, category: str | None, limit: int, cursor: str | None
) -> tuple[list[dict], str | None]:
    """Public reports of the last 90 days in the box, newest first, without any personal data."""
    west, south, east, north = bbox
    stmt = (
        sa.select(Report)
        .where(
            Report.public.is_(True),
            Report.status != ReportStatus.REJECTED,
            Report.created_at >= utcnow() - timedelta(days=PUBLIC_DAYS),
            Report.lat.between(south, north),
            Report.lng.between(west, east),
        )
        .options(joinedload(Report.category))
    )
    if category:
        stmt = stmt.where(Report.category_id.in_(_category_ids(category)))
    rows, next_cursor = paginate(db.session, stmt, NEWEST, limit=limit, cursor=cursor)
    points = [
        {
            "id": r.id,
            "category": r.category,
            "status": r.status,
            "lat": round(r.lat, 4),
            "lng": round(r.lng, 4),
            "created_at": r.created_at,
            "me_too_count": r.me_too_count,
        }
        for r in rows
    ]
    return points, next_cursor


def _can_rate(report: Report, user: User, ratings) -> bool:
    return (
        report.reporter_id == user.id
        and report.status == ReportStatus.RESOLVED
        and all(r.round != report.resolution_round for r in ratings)
    )


# --- departments -------------------------------------------------------------------------------------------


def list_departments() -> list[Department]:
    return list(
        db.session.scalars(sa.select(Department).where(Department.active.is_(True)).order_by(Department.id))
    )

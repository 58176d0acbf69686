"""The dashboard's answers: a region's summary for a period, monthly rankings, the heat map, the overdue list
and the residents' public page. Nothing here writes; scope is checked first (see scope.py)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import load_only, selectinload

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import NotFoundError, UnprocessableError
from app.core.pagination import SortKey, paginate
from app.dashboard import figures, participation, periods
from app.dashboard.figures import NOT_EXCLUDED, Tally, grouped_tallies, roll_up
from app.dashboard.scope import child_level, report_clause, visible_region
from app.extensions import db
from app.regions.models import Level, Region
from app.reports.models import OPEN_STATUSES, Report

PLACE = (Region.id, Region.parent_id, Region.name, Region.level, Region.path)


def _region_view(region) -> dict:
    return {"id": region.id, "name": region.name, "level": region.level.value}


def _children(region: Region) -> list[Region]:
    return list(
        db.session.scalars(
            sa.select(Region)
            .options(load_only(*PLACE))
            .where(Region.parent_id == region.id)
            .order_by(Region.id)
        )
    )


def summary(*, viewer: User, region_id: int | None, first: date | None, last: date | None) -> dict:
    region = visible_region(viewer, region_id)
    period = periods.resolve(first, last)
    tallies = grouped_tallies(region, period)
    total = roll_up(tallies, lambda place, category: None).get(None, Tally())

    child_of = figures.child_of_place(region)
    by_child = roll_up(tallies, lambda place, category: child_of.get(place, place))
    children = [
        {"region": _region_view(child), **figures.view(by_child.get(child.id, Tally()))}
        for child in _children(region)
    ]
    subject_of = figures.subjects()
    by_subject = roll_up(tallies, lambda place, category: subject_of.get(category, {}).get("id"))
    subject_rows = {s["id"]: s for s in subject_of.values()}
    categories = sorted(
        (
            {"subject": subject_rows[sid], **figures.view(tally)}
            for sid, tally in by_subject.items()
            if sid in subject_rows
        ),
        key=lambda row: (-row["counts"]["submitted"], row["subject"]["id"]),
    )
    features = participation._feature_figures(region, period)
    return {
        "region": _region_view(region),
        "child_level": child_level(region).value if child_level(region) else None,
        "period": period.view(),
        "weights": list(figures.weights()),
        **figures.view(total),
        "timings": figures.timings(region, period),
        "chat": features["chat"],
        "participation": {
            "notices": participation.notice_reads(region, period),
            "verified_residents": participation.verified_residents(region, period),
            "polls": features["polls"],
            "consultations": features["consultations"],
        },
        "children": children,
        "categories": categories,
    }


# --- rankings ----------------------------------------------------------------------------------------------

RANKED_UNDER = {Level.COMMUNITY: (Level.STREET, Level.DISTRICT), Level.STREET: (Level.DISTRICT,)}


def rankings(*, viewer: User, level: Level, month: str | None, region_id: int | None) -> dict:
    """Communities within a street (or the whole district), or streets within the district, for one local
    calendar month, best composite score first; units with no rate at all come last."""
    period = periods.parse_month(month) if month else periods.month_of(periods.today())
    parent = visible_region(viewer, region_id)
    if parent.level not in RANKED_UNDER[level]:
        if region_id is None:
            # The caller serves no region this ranking runs within (a community worker has no street).
            raise NotFoundError("No such ranking in your scope.")
        plural = {Level.COMMUNITY: "communities", Level.STREET: "streets"}[level]
        raise UnprocessableError(
            fields={"region_id": [f"Rank {plural} within a {' or '.join(RANKED_UNDER[level])}."]}
        )
    tallies = grouped_tallies(parent, period)
    units = list(
        db.session.scalars(
            sa.select(Region)
            .options(load_only(*PLACE))
            .where(Region.level == level, Region.path.startswith(parent.path, autoescape=True))
        )
    )
    if level == Level.COMMUNITY:
        by_unit = roll_up(tallies, lambda place, category: place)
    else:
        child_of = figures.child_of_place(parent)
        by_unit = roll_up(tallies, lambda place, category: child_of.get(place))
    rows = [{"region": _region_view(unit), **figures.view(by_unit.get(unit.id, Tally()))} for unit in units]
    rows.sort(key=lambda row: (row["score"] is None, -(row["score"] or 0), row["region"]["id"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return {
        "level": level.value,
        "parent": _region_view(parent),
        "period": period.view(),
        "weights": list(figures.weights()),
        "data": rows,
    }


# --- heat map ----------------------------------------------------------------------------------------------


def heatmap(*, viewer: User, region_id: int | None, first: date | None, last: date | None) -> dict:
    """Each grid polygon in the region with the reports placed in it in the period (rejected excluded)."""
    region = visible_region(viewer, region_id)
    period = periods.resolve(first, last)
    counts = dict(
        db.session.execute(
            sa.select(Report.grid_id, sa.func.count())
            .where(
                report_clause(region),
                NOT_EXCLUDED,
                Report.created_at >= period.start,
                Report.created_at < period.end,
            )
            .group_by(Report.grid_id)
        ).all()
    )
    grids = db.session.execute(
        sa.select(Region.id, Region.name, Region.parent_id, Region.boundary)
        .where(Region.level == Level.GRID, Region.path.startswith(region.path, autoescape=True))
        .order_by(Region.id)
    ).all()
    cells = [
        {
            "id": g.id,
            "name": g.name,
            "community_id": g.parent_id,
            "boundary": g.boundary,
            "count": counts.get(g.id, 0),
        }
        for g in grids
    ]
    return {
        "region": _region_view(region),
        "period": period.view(),
        "max": max((cell["count"] for cell in cells), default=0),
        "unplaced": counts.get(None, 0),
        "grids": cells,
    }


# --- overdue -----------------------------------------------------------------------------------------------

OLDEST_DUE = [SortKey(Report.due_at, "due_at", descending=False), SortKey(Report.id, "id", descending=False)]


def overdue(
    *, viewer: User, region_id: int | None, limit: int, cursor: str | None
) -> tuple[list[dict], str | None]:
    """Open reports whose running deadline has passed, the longest overdue first."""
    region = visible_region(viewer, region_id)
    now = utcnow()
    stmt = (
        sa.select(Report)
        .where(
            report_clause(region), Report.status.in_([s.value for s in OPEN_STATUSES]), Report.due_at < now
        )
        .options(
            selectinload(Report.category),
            selectinload(Report.community).load_only(*PLACE),
            selectinload(Report.grid).load_only(*PLACE),
            selectinload(Report.region).load_only(*PLACE),
        )
    )
    reports, next_cursor = paginate(db.session, stmt, OLDEST_DUE, limit=limit, cursor=cursor)
    return [_overdue_row(report, now) for report in reports], next_cursor


def _overdue_row(report: Report, now) -> dict:
    return {
        "id": report.id,
        "category": {
            "code": report.category.code,
            "name": report.category.name,
            "name_en": report.category.name_en,
        },
        "status": report.status.value,
        "created_at": report.created_at,
        "due_kind": report.due_kind,
        "due_at": report.due_at,
        "overdue_s": int((now - report.due_at).total_seconds()),
        "warning": report.warning.value,
        "supervised": report.supervised,
        "redo_count": report.redo_count,
        "community": _region_view(report.community),
        "grid": _region_view(report.grid) if report.grid else None,
        "held_by": _region_view(report.region),
    }


# --- the residents' page -----------------------------------------------------------------------------------


def public_community_stats(community_id: int) -> dict:
    """This local month's three rates and fixed count for one community: public, no personal data."""
    community = db.session.get(Region, community_id)
    if community is None or community.level != Level.COMMUNITY:
        raise NotFoundError("No such community.")
    period = periods.month_of(periods.today())
    tally = roll_up(grouped_tallies(community, period), lambda place, category: None).get(None, Tally())
    shown = figures.view(tally)
    return {
        "community": _region_view(community),
        "period": period.view(),
        "rates": shown["rates"],
        "fixed": shown["counts"]["fixed"],
        "submitted": shown["counts"]["submitted"],
    }

"""The report figures of a region and period, computed as grouped SQL aggregates (never per-row Python), then
rolled up into the region's total, its child regions and its subjects. See docs/dashboard.md for the rules.

Every query groups by (place, category): place is the community (for a street or district) or the grid (for a
community or grid), so one pass serves the total and both drill-downs.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.core.db import utcnow
from app.dashboard.periods import Period
from app.dashboard.scope import communities_under, report_clause
from app.extensions import db
from app.regions.models import Level, Region
from app.reports.models import OPEN_STATUSES, Report, ReportCategory, ReportRating, ReportStatus, WarningLevel

SATISFIED_FROM = 4  # satisfaction 4–5 counts as satisfied (满意); 3 is only "basically satisfied"
OPEN = [s.value for s in OPEN_STATUSES]
NOT_EXCLUDED = Report.status != ReportStatus.REJECTED

COUNTERS = (
    "submitted", "rejected", "signed", "signed_on_time", "contacted", "contacted_on_time", "resolved",
    "resolved_on_time", "redone", "supervised", "response_due", "response_met", "rated", "rated_resolved",
    "rated_satisfied", "fixed", "open_now", "yellow_now", "red_now", "supervised_now",
)  # fmt: skip


@dataclass
class Tally:
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def add(self, values: dict) -> None:
        for key, value in values.items():
            self.counts[key] += int(value or 0)


def ratio(numerator: int, denominator: int) -> dict:
    """A percentage always travels with its raw counts; no denominator, no rate (not 0 %, not 100 %)."""
    rate = round(numerator / denominator, 4) if denominator else None
    return {"rate": rate, "numerator": numerator, "denominator": denominator}


def weights() -> tuple[float, float, float]:
    return current_app.config["DASHBOARD_WEIGHTS"]


def composite(rates: dict) -> float | None:
    """w₁·response + w₂·resolution + w₃·satisfaction on a 0–100 scale; a rate without a denominator is left
    out and the other weights are scaled up to fill its place. No rate at all, no score."""
    parts = [
        (weight, rates[name]["rate"])
        for weight, name in zip(weights(), ("response", "resolution", "satisfaction"), strict=True)
        if rates[name]["rate"] is not None
    ]
    total = sum(weight for weight, _ in parts)
    if not total:
        return None
    return round(100 * sum(weight * rate for weight, rate in parts) / total, 1)


def view(tally: Tally) -> dict:
    c = tally.counts
    rates = {
        "response": ratio(c["response_met"], c["response_due"]),
        "resolution": ratio(c["rated_resolved"], c["rated"]),
        "satisfaction": ratio(c["rated_satisfied"], c["rated"]),
    }
    return {
        "rates": rates,
        "score": composite(rates),
        "counts": {
            "submitted": c["submitted"] - c["rejected"],
            "fixed": c["fixed"],
            "redone": c["redone"],
            "supervised": c["supervised"],
            "open_now": c["open_now"],
            "yellow_now": c["yellow_now"],
            "red_now": c["red_now"],
            "supervised_now": c["supervised_now"],
        },
        "on_time": {
            "sign": ratio(c["signed_on_time"], c["signed"]),
            "contact": ratio(c["contacted_on_time"], c["contacted"]),
            "resolve": ratio(c["resolved_on_time"], c["resolved"]),
        },
        "excluded": {"rejected": c["rejected"], "merged_duplicates": 0},
    }


# --- the grouped queries -----------------------------------------------------------------------------------


def _count_if(condition) -> sa.ColumnElement:
    # count(*) FILTER (WHERE …) on both PostgreSQL and SQLite (3.30+): cheaper than sum(CASE …) per row, and
    # the one pass over the reports evaluates twenty of them (bench/bench_dashboard.py).
    return sa.func.count().filter(condition)


def _place_column(region: Region):
    return Report.grid_id if region.level in (Level.COMMUNITY, Level.GRID) else Report.community_id


def _grouped(region: Region, where: list, columns: dict, *, join=None) -> list:
    place = _place_column(region)
    stmt = sa.select(
        place.label("place"),
        Report.category_id.label("category"),
        *(expr.label(name) for name, expr in columns.items()),
    )
    stmt = (join(stmt) if join else stmt.select_from(Report)).where(report_clause(region), *where)
    return db.session.execute(stmt.group_by(place, Report.category_id)).all()


def _in(column, start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(column >= start, column < end)


def grouped_tallies(region: Region, period: Period, *, now: datetime | None = None) -> dict:
    """(place, category) → Tally, over the five families of figures, in one pass over the reports that any
    family touches (each counter filtered by its family's condition), plus the rare ratings a later one has
    superseded (bench/bench_dashboard.py: one heap pass instead of four, and no join of every rating)."""
    now = now or utcnow()
    start, end = period.start, period.end
    tallies: dict = defaultdict(Tally)

    def collect(rows, names):
        for row in rows:
            tallies[(row.place, row.category)].add({name: getattr(row, name) for name in names})

    live = NOT_EXCLUDED
    # Reports submitted in the period: volume, exclusions, on-time steps, redo and supervision.
    submitted_in = _in(Report.created_at, start, end)
    s_live = sa.and_(submitted_in, live)
    # Response rate: reports whose response (contact) deadline fell in the period and has passed by now;
    # met when both signing for and the first contact happened by that deadline (as Beijing 12345 counts).
    due = sa.and_(_in(Report.contact_due, start, min(end, now)), live)
    # Resolution and satisfaction: each report's latest rating given in the period. When the report's latest
    # rating overall was given in the period it is that one (kept on the report); a rating given in the period
    # and superseded only after it is counted from the ratings table below.
    rated_in = sa.and_(_in(Report.rated_at, start, end), live)
    # Fixed: closed with a resolution whose resolution fell in the period.
    fixed = sa.and_(Report.status == ReportStatus.CLOSED, _in(Report.resolved_at, start, end))
    # Live counts: open now, whatever the period.
    open_now = Report.status.in_(OPEN)
    counters = {
        "submitted": _count_if(submitted_in),
        "rejected": _count_if(sa.and_(submitted_in, Report.status == ReportStatus.REJECTED)),
        "signed": _count_if(sa.and_(s_live, Report.accepted_at.is_not(None))),
        "signed_on_time": _count_if(sa.and_(s_live, Report.accepted_at <= Report.dispatch_due)),
        "contacted": _count_if(sa.and_(s_live, Report.contacted_at.is_not(None))),
        "contacted_on_time": _count_if(sa.and_(s_live, Report.contacted_at <= Report.contact_due)),
        "resolved": _count_if(sa.and_(s_live, Report.resolved_at.is_not(None))),
        "resolved_on_time": _count_if(sa.and_(s_live, Report.resolved_at <= Report.resolve_due)),
        "redone": _count_if(sa.and_(s_live, Report.redo_count > 0)),
        "supervised": _count_if(sa.and_(s_live, Report.supervised.is_(True))),
        "response_due": _count_if(due),
        "response_met": _count_if(
            sa.and_(due, Report.accepted_at <= Report.contact_due, Report.contacted_at <= Report.contact_due)
        ),
        "rated": _count_if(rated_in),
        "rated_resolved": _count_if(sa.and_(rated_in, Report.rated_resolved.is_(True))),
        "rated_satisfied": _count_if(sa.and_(rated_in, Report.rated_satisfaction >= SATISFIED_FROM)),
        "fixed": _count_if(fixed),
        "open_now": _count_if(open_now),
        "yellow_now": _count_if(sa.and_(open_now, Report.warning == WarningLevel.YELLOW)),
        "red_now": _count_if(sa.and_(open_now, Report.warning == WarningLevel.RED)),
        "supervised_now": _count_if(sa.and_(open_now, Report.supervised.is_(True))),
    }
    touched = sa.or_(submitted_in, due, rated_in, fixed, open_now)
    collect(_grouped(region, [touched], counters), counters)

    # Ratings given in the period whose report was rated again only after it (a redo across the period's end):
    # each is its report's latest rating in the period. Ratings of one report follow each other in time.
    rated = {
        "rated": sa.func.count(),
        "rated_resolved": _count_if(ReportRating.resolved.is_(True)),
        "rated_satisfied": _count_if(ReportRating.satisfaction >= SATISFIED_FROM),
    }
    superseded = [
        ReportRating.superseded_at.is_not(None),
        ReportRating.superseded_at >= end,
        _in(ReportRating.created_at, start, end),
        NOT_EXCLUDED,
    ]

    def join_ratings(stmt):
        return stmt.select_from(ReportRating).join(Report, Report.id == ReportRating.report_id)

    collect(_grouped(region, superseded, rated, join=join_ratings), rated)
    return tallies


# --- rolling up --------------------------------------------------------------------------------------------


def child_of_place(region: Region) -> dict:
    """place id → child region id (grids map to themselves; communities to their street under a district)."""
    if region.level in (Level.COMMUNITY, Level.GRID):
        return {}
    rows = db.session.execute(
        sa.select(Region.id, Region.parent_id).where(Region.id.in_(communities_under(region)))
    ).all()
    if region.level == Level.STREET:
        return {row.id: row.id for row in rows}
    return {row.id: row.parent_id for row in rows}


def roll_up(tallies: dict, key) -> dict:
    out: dict = defaultdict(Tally)
    for (place, category), tally in tallies.items():
        out[key(place, category)].add(tally.counts)
    return out


def subjects() -> dict:
    """leaf category id → its subject (id, code, name, name_en)."""
    parent = sa.orm.aliased(ReportCategory)
    rows = db.session.execute(
        sa.select(ReportCategory.id, parent.id.label("sid"), parent.code, parent.name, parent.name_en).join(
            parent, parent.id == ReportCategory.parent_id
        )
    ).all()
    return {
        row.id: {"id": row.sid, "code": row.code, "name": row.name, "name_en": row.name_en} for row in rows
    }


# --- durations ---------------------------------------------------------------------------------------------


def _seconds(later, earlier):
    if db.session.get_bind().dialect.name == "postgresql":
        # date_part gives double precision; EXTRACT gives numeric since PostgreSQL 14, which percentile_cont
        # then casts back row by row: 4 times slower over a district month (bench/bench_dashboard.py).
        return sa.func.date_part("epoch", later - earlier, type_=sa.Float)
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    values = sorted(values)
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def timings(region: Region, period: Period) -> dict:
    """Median and p90 seconds from submission to signing for, first contact and resolution, over the
    period's reports (rejected excluded) that reached that step."""
    steps = {
        "sign": _seconds(Report.accepted_at, Report.created_at),
        "contact": _seconds(Report.contacted_at, Report.created_at),
        "resolve": _seconds(Report.resolved_at, Report.created_at),
    }
    where = [report_clause(region), _in(Report.created_at, period.start, period.end), NOT_EXCLUDED]
    if db.session.get_bind().dialect.name == "postgresql":
        columns = []
        for name, expr in steps.items():
            columns += [
                sa.func.percentile_cont(0.5).within_group(expr).label(f"{name}_p50"),
                sa.func.percentile_cont(0.9).within_group(expr).label(f"{name}_p90"),
                sa.func.count(expr).label(f"{name}_n"),
            ]
        row = db.session.execute(sa.select(*columns).select_from(Report).where(*where)).one()
        return {
            name: _timing(getattr(row, f"{name}_p50"), getattr(row, f"{name}_p90"), getattr(row, f"{name}_n"))
            for name in steps
        }
    # SQLite has no percentile aggregate; it serves one community on a laptop, so the values fit in memory.
    rows = db.session.execute(sa.select(*steps.values()).select_from(Report).where(*where)).all()
    out = {}
    for index, name in enumerate(steps):
        values = [float(row[index]) for row in rows if row[index] is not None]
        if values:
            out[name] = _timing(_percentile(values, 0.5), _percentile(values, 0.9), len(values))
        else:
            out[name] = _timing(None, None, 0)
    return out


def _timing(p50, p90, count) -> dict:
    return {
        "median_s": round(float(p50)) if p50 is not None else None,
        "p90_s": round(float(p90)) if p90 is not None else None,
        "count": int(count or 0),
    }

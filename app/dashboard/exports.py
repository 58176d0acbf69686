"""CSV exports of reports, streamed from a server-side cursor so a million rows never sit in memory:
the staff export (every timestamp, the caller's scope) and the open-data export (public reports only, no
personal data, coordinates rounded to about 100 m, in the spirit of NYC 311's open data)."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.core.errors import NotFoundError
from app.dashboard import periods
from app.dashboard.periods import Period
from app.dashboard.scope import report_clause, visible_region
from app.extensions import db
from app.regions.models import Region
from app.reports.models import Department, Report, ReportCategory, ReportRating

BOM = "\ufeff"  # Excel reads UTF-8 (Chinese names) only with it
YIELD_PER = 2000
FLUSH_EVERY = 500
OPEN_DATA_DECIMALS = 3  # ~110 m of latitude: a street corner, not a doorway

TIMESTAMPS = (
    "created_at", "accepted_at", "contacted_at", "resolved_at", "closed_at", "dispatch_due", "contact_due",
    "resolve_due", "extended_at", "due_at", "rated_at", "updated_at",
)  # fmt: skip


def _rounded(column) -> sa.ColumnElement:
    # PostgreSQL rounds to decimals only numerics, not doubles.
    return sa.func.round(sa.cast(column, sa.Numeric(12, 7)), OPEN_DATA_DECIMALS)


def _columns(open_data: bool) -> tuple[dict, list]:
    community, grid, holder = aliased(Region), aliased(Region), aliased(Region)
    columns = {
        "id": Report.id,
        "created_at": Report.created_at,
        "category_code": ReportCategory.code,
        "category": ReportCategory.name,
        "category_en": ReportCategory.name_en,
        "type": Report.type,
        "status": Report.status,
        "channel": Report.channel,
        "community": community.name,
        "grid": grid.name,
        "held_by": holder.name,
        "department": Department.name,
        "lat": _rounded(Report.lat) if open_data else Report.lat,
        "lng": _rounded(Report.lng) if open_data else Report.lng,
        "accepted_at": Report.accepted_at,
        "contacted_at": Report.contacted_at,
        "resolved_at": Report.resolved_at,
        "closed_at": Report.closed_at,
        "dispatch_due": Report.dispatch_due,
        "contact_due": Report.contact_due,
        "resolve_due": Report.resolve_due,
        "extended_at": Report.extended_at,
        "due_kind": Report.due_kind,
        "due_at": Report.due_at,
        "warning": Report.warning,
        "redo_count": Report.redo_count,
        "supervised": Report.supervised,
        "me_too_count": Report.me_too_count,
        "rated_resolved": ReportRating.resolved,
        "satisfaction": ReportRating.satisfaction,
        "rated_at": ReportRating.created_at,
        "updated_at": Report.updated_at,
    }
    if not open_data:
        # Staff see what the problem is and where; never who reported it or how to reach them.
        columns |= {"address": Report.address, "description": Report.description, "public": Report.public}
    joins = [
        (ReportCategory, ReportCategory.id == Report.category_id, False),
        (community, community.id == Report.community_id, False),
        (grid, grid.id == Report.grid_id, True),
        (holder, holder.id == Report.region_id, True),
        (Department, Department.id == Report.department_id, True),
        # The verdict on the current resolution (a redo keeps the failed verdict until the next one).
        (
            ReportRating,
            sa.and_(ReportRating.report_id == Report.id, ReportRating.round == Report.resolution_round),
            True,
        ),
    ]
    return columns, joins


def _statement(region: Region | None, period: Period, *, open_data: bool) -> tuple[list[str], sa.Select]:
    columns, joins = _columns(open_data)
    stmt = sa.select(*(expr.label(name) for name, expr in columns.items())).select_from(Report)
    for target, on, outer in joins:
        stmt = stmt.join(target, on, isouter=outer)
    stmt = stmt.where(Report.created_at >= period.start, Report.created_at < period.end)
    if region is not None:
        stmt = stmt.where(report_clause(region))
    if open_data:
        stmt = stmt.where(Report.public.is_(True))
    return list(columns), stmt.order_by(Report.id)


def _cell(name: str, value, zone) -> str:
    if value is None:
        return ""
    if name in TIMESTAMPS:
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "1" if value else "0"
    if hasattr(value, "value"):  # enums
        return value.value
    return str(value)


def _rows(header: list[str], stmt: sa.Select) -> Iterator[bytes]:
    """The BOM and header, then rows in chunks; yield_per makes PostgreSQL stream through a named cursor."""
    zone = periods.local_zone()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    result = db.session.execute(stmt.execution_options(yield_per=YIELD_PER))
    for count, row in enumerate(result, start=1):
        writer.writerow([_cell(name, value, zone) for name, value in zip(header, row, strict=True)])
        if count % FLUSH_EVERY == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
    result.close()


def staff_export(
    *, viewer: User, region_id: int | None, first: date | None, last: date | None
) -> tuple[str, Iterator[bytes]]:
    """Scope and period are checked here, before the first byte, so a refusal is still a JSON 404."""
    region = visible_region(viewer, region_id)
    period = periods.resolve(first, last)
    header, stmt = _statement(region, period, open_data=False)
    return f"reports-{region.id}-{period.first}-{period.last}.csv", _rows(header, stmt)


def open_data_export(
    *, region_id: int | None, first: date | None, last: date | None
) -> tuple[str, Iterator[bytes]]:
    """Anyone may download it: public reports only, without description, address, photos or reporter."""
    region = None
    if region_id is not None:
        region = db.session.get(Region, region_id)
        if region is None:
            raise NotFoundError("No such region.")
    period = periods.resolve(first, last)
    header, stmt = _statement(region, period, open_data=True)
    name = f"open-data-{region.id if region else 'all'}-{period.first}-{period.last}.csv"
    return name, _rows(header, stmt)

"""Rules for reports: submitting (routing, photos, idempotency), moving, rating and "me too".

Functions here flush but never commit. A report the viewer may not see is a NotFoundError; a move the
viewer may not make is a ForbiddenError (see workflow.py for the moves themselves).
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from app.core.unique import first_write_guard
from app.extensions import db
from app.regions.locator import locate_grid
from app.regions.models import Level, Region
from app.reports import notify
from app.reports.access import View, report_roles, view_of
from app.reports.categories import get_leaf_category
from app.reports.deadlines import refresh_stage, set_deadlines
from app.reports.models import (
    Channel,
    Report,
    ReportRating,
    ReportStatus,
    ReportSupport,
    ReportType,
    WarningLevel,
)
from app.reports.timeline import add_event
from app.reports.workflow import HANDLERS, Action, move_report, needs_proof_photo
from app.uploads.models import Upload
from app.uploads.service import unattached

# --- photos ------------------------------------------------------------------------------------------------


def check_photos(photo_ids: list[int], *, by: User | None, field: str = "photo_ids") -> None:
    """Photos must be the caller's own uploads, not yet attached to a report."""
    if not photo_ids:
        return
    if by is None or len(set(photo_ids)) != len(photo_ids):
        raise UnprocessableError(fields={field: ["Each photo once, from your own uploads."]})
    found = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Upload)
        .where(Upload.id.in_(photo_ids), Upload.owner_id == by.id, unattached())
    )
    if found != len(photo_ids):
        raise UnprocessableError(
            fields={field: ["Use ids from POST /uploads: your own, not used elsewhere."]}
        )


def attach_photos(report: Report, photo_ids: list[int], *, by: User, field: str = "photo_ids") -> None:
    """Claims the uploads for this report; a conditional update, so two reports cannot claim one photo."""
    check_photos(photo_ids, by=by, field=field)
    result = db.session.execute(
        sa.update(Upload)
        .where(Upload.id.in_(photo_ids), Upload.owner_id == by.id, unattached())
        .values(report_id=report.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != len(photo_ids):
        raise ConflictError("A photo was attached elsewhere meanwhile; upload it again.", code="photo_taken")


def can_view_upload_of_report(upload: Upload, user: User) -> bool:
    """Images attached to a report are seen by its staff and its reporter (not by the public)."""
    if upload.report_id is None:
        return False
    report = db.session.scalar(sa.select(Report).where(Report.id == upload.report_id).options(*LOAD))
    return report is not None and view_of(user, report) in (View.STAFF, View.REPORTER)


# --- creating a report -------------------------------------------------------------------------------------


def _replay(by: User | None, key: str | None) -> Report | None:
    if by is None or key is None:
        return None
    return db.session.scalar(
        sa.select(Report).where(Report.reporter_id == by.id, Report.idempotency_key == key).options(*LOAD)
    )


def _route(
    lat: float | None, lng: float | None, community_id: int | None
) -> tuple[Region | None, Region, str]:
    """The grid whose polygon covers the point; outside every grid, the community the resident chose."""
    if lat is not None and lng is not None:
        hit = locate_grid(lat, lng)
        grid = db.session.get(Region, hit[0]) if hit else None
        if grid is not None:
            return grid, db.session.get(Region, grid.parent_id), "polygon"
    if community_id is not None:
        community = db.session.get(Region, community_id)
        if community is None or community.level != Level.COMMUNITY:
            raise UnprocessableError(fields={"community_id": ["No such community."]})
        return None, community, "chosen"
    message = "This place is outside every grid we serve: move the pin, or choose your community."
    raise UnprocessableError(
        message,
        code="outside_service_area",
        fields={"lat": [message], "community_id": ["Choose your community."]},
    )


def create_report(
    *,
    by: User | None,
    category: str,
    description: str,
    lat: float | None,
    lng: float | None,
    address: str | None = None,
    photo_ids: list[int] | None = None,
    anonymous: bool = False,
    type: ReportType | None = None,
    community_id: int | None = None,
    idempotency_key: str | None = None,
    channel: Channel = Channel.APP,
    contact: dict | None = None,
    media_url: str | None = None,
    resolved_on_spot: dict | None = None,
    now: datetime | None = None,
) -> tuple[Report, bool]:
    """Returns (report, replayed). The same idempotency key from the same reporter returns the first report,
    also when two retries race (the unique constraint decides, the loser reads the winner's row)."""
    existing = _replay(by, idempotency_key)
    if existing is not None:
        return existing, True
    leaf = get_leaf_category(category)
    photo_ids = list(photo_ids or [])
    check_photos(photo_ids, by=by)
    grid, community, routed_by = _route(lat, lng, community_id)
    now = now or utcnow()
    type_ = type or leaf.default_type
    report = Report(
        category=leaf,
        type=type_,
        description=description.strip(),
        lat=lat,
        lng=lng,
        address=(address or "").strip() or None,
        photo_ids=photo_ids,
        anonymous=anonymous,
        public=leaf.is_public and type_ != ReportType.REPORT,
        channel=channel,
        reporter=by,
        idempotency_key=idempotency_key,
        contact=contact,
        media_url=media_url,
        grid=grid,
        community=community,
        region=grid or community,
        status=ReportStatus.SUBMITTED,
        created_at=now,
        updated_at=now,
        dispatch_minutes=leaf.dispatch_minutes,
        contact_minutes=leaf.contact_minutes,
        resolve_minutes=leaf.resolve_minutes,
        extension_minutes=0,
        warning=WarningLevel.NONE,
        resolution_round=0,
        redo_count=0,
        supervised=False,
        me_too_count=0,
    )
    set_deadlines(report, now)
    refresh_stage(report)
    try:
        with first_write_guard():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        existing = _replay(by, idempotency_key)
        if existing is None:
            raise
        return existing, True
    if photo_ids:
        attach_photos(report, photo_ids, by=by)
    add_event(report, "submit", actor=by, photo_ids=photo_ids, data={"channel": channel.value})
    add_event(
        report,
        "route",
        actor=None,
        data={
            "by": routed_by,
            "grid": {"id": grid.id, "name": grid.name} if grid else None,
            "community": {"id": community.id, "name": community.name},
        },
    )
    if resolved_on_spot is not None:
        _fixed_on_spot(report, by=by, now=now, **resolved_on_spot)
    else:
        notify.report_submitted(report)
    return report, False


def _fixed_on_spot(
    report: Report, *, by: User | None, now: datetime, note: str, photo_ids: list[int]
) -> None:
    """A grid worker on patrol logs a problem they fixed there and then: signed for, resolved and closed."""
    if by is None or not report_roles(by, report) & HANDLERS:
        raise ForbiddenError("Only staff serving this place log fixes made on the spot.")
    if needs_proof_photo(report) and not photo_ids:
        raise UnprocessableError(fields={"resolved_on_spot": {"photo_ids": ["Attach a photo of the fix."]}})
    attach_photos(report, photo_ids, by=by, field="resolved_on_spot")
    report.channel = Channel.PATROL
    report.assignee = by
    report.accepted_at = report.contacted_at = report.resolved_at = report.closed_at = now
    report.resolution_note = note.strip()
    report.resolution_round = 1
    report.status = ReportStatus.ACCEPTED
    add_event(report, "accept", actor=by)
    report.status = ReportStatus.RESOLVED
    add_event(
        report, "resolve", actor=by, note=report.resolution_note, photo_ids=photo_ids, data={"on_spot": True}
    )
    report.status = ReportStatus.CLOSED
    add_event(report, "close", actor=by, note="Fixed on the spot.")
    refresh_stage(report)


# --- reading -----------------------------------------------------------------------------------------------

# One IN query per neighbour, not one eight-table join: PostgreSQL took ~180 ms to plan that join for a
# 4 ms execution (bench/bench_reports.py); these plan in microseconds and stay a fixed count per page.
_PLACE = (Region.id, Region.parent_id, Region.name, Region.level, Region.path)  # not the polygons
LOAD = (
    selectinload(Report.category),
    selectinload(Report.grid).load_only(*_PLACE),
    selectinload(Report.community).load_only(*_PLACE),
    selectinload(Report.region).load_only(*_PLACE),
    selectinload(Report.department),
    selectinload(Report.assignee),
    selectinload(Report.reporter),
)


def get_report(report_id: int, *, viewer: User, for_update: bool = False) -> tuple[Report, View]:
    """The report and how much of it the viewer sees; NotFoundError when they may not see it at all."""
    stmt = sa.select(Report).where(Report.id == report_id).options(*LOAD)
    if for_update and db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Report)
    report = db.session.scalar(stmt)
    view = view_of(viewer, report) if report is not None else None
    if view is None:
        raise NotFoundError("No such report.")
    return report, view


def transition(report_id: int, action: Action, *, by: User, **fields) -> Report:
    report, _view = get_report(report_id, viewer=by, for_update=True)
    move_report(report, action, by=by, **fields)
    _flush_or_conflict()
    return report


def _flush_or_conflict() -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConflictError("The report changed meanwhile; reload it and try again.") from exc


# --- the resident's side: rating and "me too" ---------------------------------------------------------------

SATISFIED_FROM = 3  # 1–2 unsatisfied, 3 basically satisfied, 4–5 satisfied
SUPERVISE_AFTER = 2  # the second failed resolution puts the report under supervision (督办)


def rate_report(
    report_id: int,
    *,
    by: User,
    resolved: bool,
    satisfaction: int,
    comment: str | None = None,
    now: datetime | None = None,
) -> Report:
    """The reporter judges a resolution once: satisfied closes it; not resolved or unsatisfied sends it back
    for redo on a fresh resolve clock; a second failure puts it under supervision (督办)."""
    report, _view = get_report(report_id, viewer=by, for_update=True)
    if report.reporter_id != by.id:
        raise ForbiddenError("Only the person who reported it rates it.")
    if report.status != ReportStatus.RESOLVED:
        raise ConflictError("You can rate a report once it is resolved.", code="not_resolved")
    now = now or utcnow()
    rating = ReportRating(
        report_id=report.id,
        round=report.resolution_round,
        user_id=by.id,
        resolved=resolved,
        satisfaction=satisfaction,
        comment=(comment or "").strip() or None,
        created_at=now,
    )
    try:
        with first_write_guard():
            db.session.add(rating)
            db.session.flush()
    except IntegrityError as exc:
        raise ConflictError("You already rated this resolution.", code="already_rated") from exc
    # The previous round's rating is superseded now, and the report carries the latest verdict (the dashboard
    # counts "each report's latest rating given in the period" from these; see docs/dashboard.md).
    db.session.execute(
        sa.update(ReportRating)
        .where(
            ReportRating.report_id == report.id,
            ReportRating.id != rating.id,
            ReportRating.superseded_at.is_(None),
        )
        .values(superseded_at=now)
    )
    report.rated_at, report.rated_resolved, report.rated_satisfaction = now, resolved, satisfaction
    report.updated_at = now
    verdict = {"resolved": resolved, "satisfaction": satisfaction, "round": rating.round}
    add_event(report, "rate", actor=by, note=rating.comment, data=verdict)
    if resolved and satisfaction >= SATISFIED_FROM:
        report.status = ReportStatus.CLOSED
        report.closed_at = now
        add_event(report, "close", actor=by, data={"by_rating": True})
    else:
        report.status = ReportStatus.IN_PROGRESS
        report.redo_count += 1
        report.resolved_at = None
        report.resolve_due = now + timedelta(minutes=report.resolve_minutes)
        add_event(report, "redo", actor=None, data={"redo_count": report.redo_count})
        if report.redo_count >= SUPERVISE_AFTER and not report.supervised:
            report.supervised = True
            add_event(report, "supervise", actor=None, data={"redo_count": report.redo_count})
    refresh_stage(report)
    notify.report_moved(report, "rate", by_id=by.id)
    _flush_or_conflict()
    return report


def me_too(report_id: int, *, by: User) -> tuple[Report, bool]:
    """One "me too" per user and report; a repeat changes nothing. Returns (report, counted now)."""
    report, _view = get_report(report_id, viewer=by)
    if report.reporter_id == by.id:
        raise ConflictError("This is your own report.", code="own_report")
    if not report.is_open:
        raise ConflictError("This report is no longer open.", code="not_open")
    try:
        with first_write_guard():
            db.session.add(ReportSupport(report_id=report.id, user_id=by.id))
            db.session.flush()
    except IntegrityError:
        return report, False
    # Counted in SQL, not through the versioned object: two neighbours tapping at once both count.
    db.session.execute(
        sa.update(Report)
        .where(Report.id == report.id)
        .values(me_too_count=Report.me_too_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(report, ["me_too_count", "version"])
    return report, True

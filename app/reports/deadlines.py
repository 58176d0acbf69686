"""Deadlines of a report: which one is running, its yellow (75 %) and red (100 %) marks, and the background
check that raises warnings and escalates red reports one level up. The check runs in the worker, never on a
request, and takes `now` so tests drive it with a controlled clock.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.reports.models import (
    OPEN_STATUSES,
    WARNING_RANK,
    Report,
    ReportStatus,
    WarningLevel,
)
from app.reports.timeline import add_event

log = logging.getLogger(__name__)

YELLOW_AT = 0.75
BATCH = 200


@dataclass(frozen=True)
class Deadline:
    kind: str  # dispatch | contact | resolve
    due: datetime
    minutes: int

    @property
    def yellow_at(self) -> datetime:
        return self.due - timedelta(minutes=self.minutes * (1 - YELLOW_AT))

    @property
    def key(self) -> str:
        return f"{self.kind}@{self.due.isoformat()}"

    def level(self, now: datetime) -> WarningLevel:
        if now >= self.due:
            return WarningLevel.RED
        if now >= self.yellow_at:
            return WarningLevel.YELLOW
        return WarningLevel.NONE


def set_deadlines(report: Report, start: datetime, *, dispatch: bool = True, contact: bool = True) -> None:
    """Start the clocks from `start`: on submission all three, on a hand-over only signing for."""
    if dispatch:
        report.dispatch_due = start + timedelta(minutes=report.dispatch_minutes)
    if contact:
        report.contact_due = start + timedelta(minutes=report.contact_minutes)
        report.resolve_due = start + timedelta(minutes=report.resolve_minutes + report.extension_minutes)


def current_deadline(report: Report) -> Deadline | None:
    """The deadline now running: signing for until someone has, then first contact, then resolution."""
    if report.status not in OPEN_STATUSES:
        return None
    if report.status == ReportStatus.SUBMITTED:
        return Deadline("dispatch", report.dispatch_due, report.dispatch_minutes)
    # After a first resolution (a redo) only resolving counts, contact logged or not.
    if report.contacted_at is None and report.resolution_round == 0:
        return Deadline("contact", report.contact_due, report.contact_minutes)
    return Deadline("resolve", report.resolve_due, report.resolve_minutes + report.extension_minutes)


def refresh_stage(report: Report) -> None:
    """After any move: track the running deadline. A warning belongs to one deadline; a new one starts clean.
    Raising warnings is the worker's job, so a request never writes `warn` entries."""
    deadline = current_deadline(report)
    if deadline is None:
        report.due_kind = report.due_at = report.warning_key = report.next_check_at = None
        report.warning = WarningLevel.NONE
        return
    report.due_kind, report.due_at = deadline.kind, deadline.due
    if report.warning_key != deadline.key:
        report.warning_key = deadline.key
        report.warning = WarningLevel.NONE
    report.next_check_at = _next_check(report, deadline)


def _next_check(report: Report, deadline: Deadline) -> datetime | None:
    if report.warning == WarningLevel.NONE:
        return deadline.yellow_at
    if report.warning == WarningLevel.YELLOW:
        return deadline.due
    return None


def deadlines_view(report: Report, now: datetime) -> dict:
    """Each deadline with when it was met (if it was) and its state: met, pending or overdue."""
    done = {
        "dispatch": report.accepted_at if report.status != ReportStatus.SUBMITTED else None,
        "contact": report.contacted_at,
        "resolve": report.resolved_at
        if report.status in (ReportStatus.RESOLVED, ReportStatus.CLOSED)
        else None,
    }
    view = {}
    for kind in ("dispatch", "contact", "resolve"):
        due = getattr(report, f"{kind}_due")
        met_at = done[kind]
        if met_at is not None:
            state = "met" if met_at <= due else "met_late"
        elif report.status in OPEN_STATUSES:
            state = "overdue" if now >= due else "pending"
        else:
            state = "none"
        view[kind] = {"due": due, "done_at": met_at, "state": state}
    view["extended"] = report.extended_at is not None
    return view


# --- the background check ----------------------------------------------------------------------------------


def _escalate(report: Report, now: datetime) -> bool:
    """Red: the level above takes the report into its queue (grid → community → street → district)."""
    above = report.region.parent
    if above is None:
        return False
    before = report.region
    report.region_id = above.id
    report.region = above
    add_event(
        report,
        "escalate",
        actor=None,
        data={
            "from": {"id": before.id, "name": before.name, "level": before.level.value},
            "to": {"id": above.id, "name": above.name, "level": above.level.value},
            "deadline": report.due_kind,
        },
    )
    return True


def _check_one(report: Report, now: datetime, tally: dict) -> None:
    deadline = current_deadline(report)
    if deadline is None:
        report.next_check_at = None
        return
    if report.warning_key != deadline.key:
        report.warning_key, report.warning = deadline.key, WarningLevel.NONE
    level = deadline.level(now)
    if WARNING_RANK[level] > WARNING_RANK[report.warning]:
        report.warning = level
        report.updated_at = now
        add_event(
            report,
            "warn",
            actor=None,
            data={"level": level.value, "deadline": deadline.kind, "due": deadline.due.isoformat()},
        )
        tally[level.value] += 1
        if level == WarningLevel.RED and _escalate(report, now):
            tally["escalated"] += 1
        from app.reports import notify

        notify.deadline_warning(report, level)
    report.due_kind, report.due_at = deadline.kind, deadline.due
    report.next_check_at = _next_check(report, deadline)


def check_deadlines(now: datetime, *, batch: int = BATCH) -> dict:
    """Raise yellow and red warnings that have come due by `now`, escalating red reports; commits per batch.
    A checked report's next check lies after `now` (or it has none), so each pass shrinks the due set.
    Several workers share the work on PostgreSQL (SKIP LOCKED); a report moved meanwhile waits a tick."""
    tally = {"checked": 0, "yellow": 0, "red": 0, "escalated": 0}
    while True:
        stmt = (
            sa.select(Report)
            .where(Report.next_check_at <= now, Report.status.in_(OPEN_STATUSES))
            .options(joinedload(Report.region), joinedload(Report.category))
            .order_by(Report.next_check_at, Report.id)
            .limit(batch)
        )
        if db.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=Report, skip_locked=True)
        reports = db.session.scalars(stmt).unique().all()
        for report in reports:
            _check_one(report, now, tally)
        try:
            db.session.commit()
        except StaleDataError:
            # A request moved one of these reports meanwhile; its stage is fresh, the next run sees it.
            db.session.rollback()
            log.info("Deadline check lost a race with a move; the next run picks it up")
            break
        tally["checked"] += len(reports)
        if len(reports) < batch:
            break
    return tally

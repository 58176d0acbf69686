"""The report workflow as data: for each action, the states it leaves from, the state it reaches, and the
roles that may take it while a region holds the report, or while a department does (吹哨报到).

move_report applies a move; it flushes but never commits. Forbidden for the actor is 403, impossible in
the current state is 409 `invalid_transition`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ConflictError, ForbiddenError, UnprocessableError
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import Level, Region
from app.reports import notify
from app.reports.access import REGION_ROLES, report_roles
from app.reports.deadlines import refresh_stage, set_deadlines
from app.reports.models import Department, Report, ReportStatus, ReportType
from app.reports.timeline import add_event


class Action(StrEnum):
    ACCEPT = "accept"  # 签收
    CONTACT = "contact"
    START = "start"
    ASSIGN = "assign"
    TRANSFER = "transfer"  # to another region, or to a department (吹哨)
    EXTEND = "extend"
    RESOLVE = "resolve"
    REJECT = "reject"
    REOPEN = "reopen"
    CLOSE = "close"


S = ReportStatus
HANDLERS = REGION_ROLES
DISPATCHERS = frozenset({Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.ADMIN})
DEPARTMENT = frozenset({Role.DEPARTMENT_STAFF})
WORKING = frozenset({S.ACCEPTED, S.IN_PROGRESS})
OPEN = frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS})


@dataclass(frozen=True)
class Move:
    sources: frozenset[ReportStatus]
    target: ReportStatus | None  # None: the status stays
    roles: frozenset[Role]  # while a region holds the report
    held_roles: frozenset[Role]  # while a department holds it
    held_target: ReportStatus | None = None  # where it goes instead when a department makes the move


MOVES: dict[Action, Move] = {
    Action.ACCEPT: Move(frozenset({S.SUBMITTED}), S.ACCEPTED, HANDLERS, DEPARTMENT),
    Action.CONTACT: Move(WORKING, None, HANDLERS, DEPARTMENT),
    Action.START: Move(frozenset({S.ACCEPTED}), S.IN_PROGRESS, HANDLERS, DEPARTMENT),
    Action.ASSIGN: Move(OPEN, None, DISPATCHERS, DEPARTMENT),
    Action.TRANSFER: Move(OPEN, S.SUBMITTED, DISPATCHERS, DISPATCHERS),
    Action.EXTEND: Move(WORKING, None, DISPATCHERS, DISPATCHERS),
    Action.RESOLVE: Move(WORKING, S.RESOLVED, HANDLERS, DEPARTMENT),
    # A department cannot refuse the resident, only hand the report back to the region (退单).
    Action.REJECT: Move(frozenset({S.SUBMITTED, S.ACCEPTED}), S.REJECTED, HANDLERS, DEPARTMENT, S.SUBMITTED),
    Action.REOPEN: Move(frozenset({S.RESOLVED, S.CLOSED, S.REJECTED}), S.SUBMITTED, DISPATCHERS, DISPATCHERS),
    Action.CLOSE: Move(frozenset({S.RESOLVED}), S.CLOSED, DISPATCHERS, DISPATCHERS),
}
NOTE_REQUIRED = frozenset({Action.EXTEND, Action.RESOLVE, Action.REJECT, Action.REOPEN, Action.CLOSE})
# Types answered in words, not fixed on the ground: no proof photo to take.
NO_PROOF_TYPES = frozenset({ReportType.CONSULTATION, ReportType.SUGGESTION})


def _roles_for(move: Move, report: Report) -> frozenset[Role]:
    return move.held_roles if report.department_id is not None else move.roles


def allowed_actions(user: User, report: Report) -> list[Action]:
    roles = report_roles(user, report)
    return [
        action
        for action, move in MOVES.items()
        if report.status in move.sources and roles & _roles_for(move, report)
    ]


def check_move(report: Report, action: Action, user: User) -> Move:
    move = MOVES[action]
    if not report_roles(user, report) & _roles_for(move, report):
        if report.department_id is not None and action in (Action.ACCEPT, Action.START, Action.RESOLVE):
            raise ForbiddenError(f"{report.department.name} holds this report; its staff {action} it.")
        raise ForbiddenError(f"Your role cannot {action} this report.")
    if report.status not in move.sources:
        raise ConflictError(
            f"A {report.status} report cannot be moved by `{action}`.", code="invalid_transition"
        )
    return move


def needs_proof_photo(report: Report) -> bool:
    return report.category.proof_photo_required and report.type not in NO_PROOF_TYPES


def move_report(
    report: Report,
    action: Action,
    *,
    by: User,
    note: str | None = None,
    assignee_id: int | None = None,
    region_id: int | None = None,
    department_id: int | None = None,
    photo_ids: list[int] | None = None,
    extend_minutes: int | None = None,
    now: datetime | None = None,
) -> Report:
    move = check_move(report, action, by)
    now = now or utcnow()
    held = report.department_id is not None
    if action in NOTE_REQUIRED and not (note or "").strip():
        raise UnprocessableError(fields={"note": [f"Say why: a note is required to {action}."]})
    photo_ids = list(photo_ids or [])
    if action == Action.RESOLVE and needs_proof_photo(report) and not photo_ids:
        raise UnprocessableError(fields={"photo_ids": ["Attach a photo that proves the fix."]})

    data = _APPLY[action](report, by=by, now=now, assignee_id=assignee_id, region_id=region_id,
                          department_id=department_id, extend_minutes=extend_minutes, note=note)  # fmt: skip
    target = move.held_target if held and move.held_target else move.target
    if target is not None:
        report.status = target
    if photo_ids:
        from app.reports.service import attach_photos

        attach_photos(report, photo_ids, by=by, field="photo_ids")
    report.updated_at = now
    refresh_stage(report)
    add_event(
        report, action.value, actor=by, note=(note or "").strip() or None, photo_ids=photo_ids, data=data
    )
    notify.report_moved(report, action.value, by_id=by.id)
    return report


# --- what each action changes besides the status ------------------------------------------------------------


def _accept(report: Report, *, by: User, now: datetime, **_) -> dict:
    report.accepted_at = now
    report.assignee = by
    report.assignee_id = by.id
    return {"assignee": _person(by)}


def _contact(report: Report, *, now: datetime, **_) -> dict | None:
    first = report.contacted_at is None
    if first:
        report.contacted_at = now
    return {"first": first}


def _start(report: Report, **_) -> None:
    return None


def _assign(report: Report, *, assignee_id: int | None, **_) -> dict:
    if assignee_id is None:
        raise UnprocessableError(fields={"assignee_id": ["Name who should handle it."]})
    assignee = db.session.get(User, assignee_id)
    allowed = DEPARTMENT if report.department_id is not None else HANDLERS
    if assignee is None or not assignee.is_active or not report_roles(assignee, report) & allowed:
        raise UnprocessableError(fields={"assignee_id": ["Not someone who can handle this report."]})
    report.assignee = assignee
    report.assignee_id = assignee.id
    return {"assignee": _person(assignee)}


def _transfer(
    report: Report, *, now: datetime, region_id: int | None, department_id: int | None, **_
) -> dict:
    if (region_id is None) == (department_id is None):
        raise UnprocessableError(fields={"region_id": ["Transfer to either a region or a department."]})
    before = {"region": _place(report.region), "department": _department(report.department)}
    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None or not department.active:
            raise UnprocessableError(fields={"department_id": ["No such department."]})
        if department.id == report.department_id:
            raise UnprocessableError(fields={"department_id": ["This department already holds the report."]})
        report.department = department
        report.department_id = department.id
    else:
        _reroute(report, region_id)
        report.department = None
        report.department_id = None
    # The unit receiving it must sign for it in time; contact and resolution keep running from submission.
    report.assignee = None
    report.assignee_id = None
    set_deadlines(report, now, contact=False)
    return {
        "from": before,
        "to": {"region": _place(report.region), "department": _department(report.department)},
    }


def _reroute(report: Report, region_id: int | None) -> None:
    """To another grid or community (a mis-routed report), or up to the report's own street or district."""
    region = db.session.get(Region, region_id)
    if region is None:
        raise UnprocessableError(fields={"region_id": ["No such region."]})
    if region.level == Level.GRID:
        report.grid, report.grid_id = region, region.id
        report.community_id = region.parent_id
        report.community = db.session.get(Region, region.parent_id)
    elif region.level == Level.COMMUNITY:
        if report.grid is None or report.grid.parent_id != region.id:
            report.grid, report.grid_id = None, None
        report.community, report.community_id = region, region.id
    elif not report.community.path.startswith(region.path):
        raise UnprocessableError(
            fields={
                "region_id": ["Transfer to a grid or community, or up to this report's street or district."]
            }
        )
    if region.id == report.region_id and report.department_id is None:
        raise UnprocessableError(fields={"region_id": ["The report is already there."]})
    report.region, report.region_id = region, region.id


def _extend(report: Report, *, now: datetime, extend_minutes: int | None, **_) -> dict:
    if report.extended_at is not None:
        raise ConflictError("The one extension has already been used.", code="extension_used")
    minutes = extend_minutes or report.resolve_minutes
    report.extension_minutes = minutes
    report.extended_at = now
    report.resolve_due = report.resolve_due + timedelta(minutes=minutes)
    return {"minutes": minutes, "resolve_due": report.resolve_due.isoformat()}


def _resolve(report: Report, *, now: datetime, note: str | None, **_) -> dict:
    report.resolved_at = now
    report.resolution_note = (note or "").strip()
    report.resolution_round += 1
    return {"round": report.resolution_round}


def _reject(report: Report, *, now: datetime, **_) -> dict | None:
    if report.department_id is None:
        report.closed_at = now
        return None
    department = report.department
    report.department = None
    report.department_id = None
    report.assignee = None
    report.assignee_id = None
    set_deadlines(report, now, contact=False)
    return {"returned_by": _department(department)}


def _reopen(report: Report, *, now: datetime, **_) -> None:
    # A reopened report starts a fresh cycle: sign for, contact and resolve again, on fresh clocks.
    report.accepted_at = report.contacted_at = report.resolved_at = report.closed_at = None
    set_deadlines(report, now)
    return None


def _close(report: Report, *, now: datetime, **_) -> None:
    report.closed_at = now
    return None


_APPLY = {
    Action.ACCEPT: _accept,
    Action.CONTACT: _contact,
    Action.START: _start,
    Action.ASSIGN: _assign,
    Action.TRANSFER: _transfer,
    Action.EXTEND: _extend,
    Action.RESOLVE: _resolve,
    Action.REJECT: _reject,
    Action.REOPEN: _reopen,
    Action.CLOSE: _close,
}


def _person(user: User | None) -> dict | None:
    return {"id": user.id, "name": user.name} if user else None


def _place(region: Region | None) -> dict | None:
    return {"id": region.id, "name": region.name, "level": region.level.value} if region else None


def _department(department: Department | None) -> dict | None:
    return {"id": department.id, "name": department.name} if department else None

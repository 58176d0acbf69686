"""Every step of a report, in two records written together: its timeline entry and an audit entry."""

from app.audit.service import record
from app.auth.models import User
from app.extensions import db
from app.reports.models import Report, ReportEvent

SUMMARIES = {
    "submit": "Reported {category}",
    "route": "Routed to {region}",
    "accept": "Signed for",
    "contact": "Contacted the reporter",
    "start": "Started work",
    "assign": "Assigned",
    "transfer": "Transferred",
    "extend": "Extended the deadline",
    "resolve": "Resolved",
    "reject": "Rejected",
    "return": "Returned by the department",
    "reopen": "Reopened",
    "close": "Closed",
    "rate": "Rated",
    "redo": "Sent back for redo",
    "supervise": "Put under supervision (督办)",
    "warn": "Deadline warning",
    "escalate": "Escalated",
}


def add_event(
    report: Report,
    action: str,
    *,
    actor: User | None,
    note: str | None = None,
    photo_ids: list[int] | None = None,
    data: dict | None = None,
) -> ReportEvent:
    """A timeline entry in the report's current status, and the matching audit entry (actor None = system)."""
    event = ReportEvent(
        report_id=report.id,
        action=action,
        actor_id=actor.id if actor else None,
        status=report.status,
        note=note,
        photo_ids=list(photo_ids or []),
        data=data,
        created_at=report.updated_at,
    )
    db.session.add(event)
    summary = SUMMARIES.get(action, action).format(
        category=report.category.code if report.category else "",
        region=report.region.name if report.region else "",
    )
    record(
        actor,
        f"report.{action}",
        report,
        region_id=report.community_id,
        summary=f"Report #{report.id}: {summary}" + (f" — {note}" if note else ""),
        data=data,
    )
    return event

"""Who hears about a report's steps: a push (or the fallback channel) queued in the same transaction, sent
by the worker only once it commits. Nobody is told about their own move."""

import sqlalchemy as sa

from app.core.permissions import Role
from app.extensions import db
from app.push.models import PushKind
from app.push.service import notify_users
from app.regions.models import Membership, MembershipStatus
from app.reports.models import DepartmentMember, Report, ReportStatus, ReportSupport, WarningLevel

# What the reporter is told, per move (Chinese first: the PWA's default language).
REPORTER_NEWS = {
    "accept": "已签收，正在处理",
    "transfer": "已转交相关单位处理",
    "resolve": "已办结，请您评价",
    "reject": "未予受理",
    "reopen": "已重新受理",
    "close": "已办结归档",
}
# Moves that people who said "me too" also hear about.
FOLLOWER_NEWS = frozenset({"resolve", "close", "reject"})
WORK_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.ADMIN)


def _staff_posted_at(region_id: int, roles=WORK_ROLES) -> list[int]:
    """Staff whose post is exactly this region: the grid's workers for a grid, the office for a community."""
    return list(
        db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.region_id == region_id,
                Membership.role.in_(roles),
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
    )


def _holders(report: Report) -> list[int]:
    """Who has the report in their queue now: its assignee, else its department, else its region's staff."""
    if report.assignee_id is not None:
        return [report.assignee_id]
    if report.department_id is not None:
        return list(
            db.session.scalars(
                sa.select(DepartmentMember.user_id).where(
                    DepartmentMember.department_id == report.department_id
                )
            )
        )
    return _staff_posted_at(report.region_id)


def _send(user_ids, kind: PushKind, report: Report, title: str, *, skip: int | None = None) -> None:
    notify_users(
        [u for u in user_ids if u != skip],
        kind,
        title=title,
        body=f"{report.category.name}：{report.description}",
        url=f"/reports/{report.id}",
        tag=f"report-{report.id}",
        ref=f"report:{report.id}",
    )


def report_submitted(report: Report) -> None:
    """Staff of the grid that received it (the community's, when it came in outside every grid)."""
    _send(
        _staff_posted_at(report.region_id),
        PushKind.STAFF_NEW_REPORT,
        report,
        "新的随手拍",
        skip=report.reporter_id,
    )


def report_moved(report: Report, action: str, *, by_id: int | None = None) -> None:
    news = REPORTER_NEWS.get(action)
    if news and report.reporter_id is not None:
        _send([report.reporter_id], PushKind.REPORT_UPDATE, report, news, skip=by_id)
    if news and action in FOLLOWER_NEWS:
        followers = db.session.scalars(
            sa.select(ReportSupport.user_id).where(ReportSupport.report_id == report.id)
        )
        _send(followers, PushKind.REPORT_UPDATE, report, news, skip=by_id)
    if action in ("assign", "transfer", "reopen") or (
        action == "rate" and report.status == ReportStatus.IN_PROGRESS
    ):
        title = "居民评价未解决，需重办" if action == "rate" else "有一件随手拍交给您处理"
        _send(_holders(report), PushKind.STAFF_NEW_REPORT, report, title, skip=by_id)


def deadline_warning(report: Report, level: WarningLevel) -> None:
    """Whoever holds the report; on red, the level above that has just received it as well."""
    title = "办理时限已过，已上报上级" if level == WarningLevel.RED else "办理时限将到，请尽快处理"
    targets = set(_holders(report)) | set(_staff_posted_at(report.region_id))
    _send(sorted(targets), PushKind.STAFF_DEADLINE, report, title)

"""Who a report may be assigned to: the people the workflow's `assign` move would accept, for the staff
member choosing one (a dispatcher of the region holding it, or a department holding it)."""

import sqlalchemy as sa

from app.auth.models import User
from app.core.errors import ForbiddenError
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import Membership, MembershipStatus, Region
from app.reports.access import REGION_ROLES
from app.reports.models import Department, DepartmentMember, Report
from app.reports.service import get_report
from app.reports.workflow import Action, allowed_actions

# Grid workers first: they do the work on the ground; then upwards.
ROLE_ORDER = [Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.ADMIN, Role.DEPARTMENT_STAFF]


def _chain_ids(report: Report) -> set[int]:
    """The regions whose staff hold a role over the report: its grid, community and holder, and above them."""
    ids: set[int] = set()
    for region in (report.grid, report.community, report.region):
        while region is not None and region.id not in ids:
            ids.add(region.id)
            region = region.parent
    return ids


def list_assignees(report_id: int, *, viewer: User) -> list[dict]:
    report, _view = get_report(report_id, viewer=viewer)
    if Action.ASSIGN not in allowed_actions(viewer, report):
        raise ForbiddenError("You cannot assign this report.")
    if report.department_id is not None:
        stmt = (
            sa.select(User, Membership.role, Region)
            .join(DepartmentMember, DepartmentMember.user_id == User.id)
            .join(Department, Department.id == DepartmentMember.department_id)
            .join(
                Membership,
                sa.and_(
                    Membership.user_id == User.id,
                    Membership.region_id == Department.region_id,
                    Membership.role == Role.DEPARTMENT_STAFF,
                ),
            )
            .join(Region, Region.id == Membership.region_id)
            .where(DepartmentMember.department_id == report.department_id)
        )
    else:
        stmt = (
            sa.select(User, Membership.role, Region)
            .join(Membership, Membership.user_id == User.id)
            .join(Region, Region.id == Membership.region_id)
            .where(Membership.region_id.in_(_chain_ids(report)), Membership.role.in_(REGION_ROLES))
        )
    rows = db.session.execute(
        stmt.where(Membership.status == MembershipStatus.ACTIVE, User.is_active.is_(True)).order_by(User.id)
    ).all()
    best: dict[int, tuple[User, Role, Region]] = {}
    for user, role, region in rows:
        # One line per person, under the role nearest the ground.
        if user.id not in best or ROLE_ORDER.index(role) < ROLE_ORDER.index(best[user.id][1]):
            best[user.id] = (user, role, region)
    ordered = sorted(best.values(), key=lambda row: (ROLE_ORDER.index(row[1]), row[0].name, row[0].id))
    return [
        {
            "id": user.id,
            "name": user.name,
            "role": role,
            "region": {"id": region.id, "name": region.name, "level": region.level.value},
        }
        for user, role, region in ordered
    ]

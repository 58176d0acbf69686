"""Who stands where towards a report: the roles a user holds over it, and how much of it they may see."""

from enum import StrEnum

import sqlalchemy as sa
from flask import g, has_app_context

from app.auth.models import User
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import Membership, MembershipStatus
from app.reports.models import Department, DepartmentMember, Report

# Roles that work on reports in the regions they serve (committee members run consultations, not reports).
REGION_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.ADMIN})


class View(StrEnum):
    STAFF = "staff"  # everything, including who reported it and how to reach them
    REPORTER = "reporter"  # their own report
    PUBLIC = "public"  # what any signed-in resident may see of a public report


def department_ids(user: User) -> frozenset[int]:
    """Departments the user works for: a department_staff membership on the department's region, plus the
    department_members row naming the department. Cached for the request."""
    cache = g.setdefault("_report_department_ids", {}) if has_app_context() else {}
    if user.id not in cache:
        cache[user.id] = frozenset(
            db.session.scalars(
                sa.select(DepartmentMember.department_id)
                .join(Department, Department.id == DepartmentMember.department_id)
                .join(
                    Membership,
                    sa.and_(
                        Membership.user_id == DepartmentMember.user_id,
                        Membership.region_id == Department.region_id,
                        Membership.role == Role.DEPARTMENT_STAFF,
                        Membership.status == MembershipStatus.ACTIVE,
                    ),
                )
                .where(DepartmentMember.user_id == user.id, Department.active.is_(True))
            )
        )
    return cache[user.id]


def report_roles(user: User, report: Report) -> frozenset[Role]:
    """The user's roles that reach this report: region roles over its grid, its community or the region now
    holding it (after an escalation), and department_staff when their department holds it."""
    paths = [r.path for r in (report.grid, report.community, report.region) if r is not None]
    roles = {
        m.role
        for m in user.active_memberships
        if m.role in REGION_ROLES and any(path.startswith(m.region.path) for path in paths)
    }
    if report.department_id is not None and report.department_id in department_ids(user):
        roles.add(Role.DEPARTMENT_STAFF)
    return frozenset(roles)


def view_of(user: User, report: Report) -> View | None:
    if report_roles(user, report):
        return View.STAFF
    if report.reporter_id == user.id:
        return View.REPORTER
    if report.public:
        return View.PUBLIC
    return None


def is_admin(user: User) -> bool:
    return any(m.role == Role.ADMIN for m in user.active_memberships)


def admin_region_id(user: User) -> int | None:
    """Where an admin's district-wide edits are audited, so fellow admins can read them."""
    return next((m.region_id for m in user.active_memberships if m.role == Role.ADMIN), None)

"""Departments (城管, 消防…) and who works for them: admins set them up; streets whistle reports into them."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.audit.service import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import Level, Membership, MembershipStatus, Region
from app.reports.access import admin_region_id, is_admin
from app.reports.models import Department, DepartmentMember

# A department answers to a street or the district; a community has no departments of its own.
DEPARTMENT_LEVELS = frozenset({Level.STREET, Level.DISTRICT})


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise ForbiddenError("Only admins manage departments.")


def get_department(department_id: int, *, by: User) -> Department:
    _require_admin(by)
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotFoundError("Department not found.")
    return department


def create_department(*, by: User, code: str, name: str, name_en: str, region_id: int) -> Department:
    _require_admin(by)
    region = db.session.get(Region, region_id)
    if region is None or region.level not in DEPARTMENT_LEVELS:
        raise UnprocessableError(fields={"region_id": ["Choose a street or the district."]})
    if db.session.scalar(sa.select(Department.id).where(Department.code == code)) is not None:
        raise ConflictError("A department with this code exists.", code="code_taken")
    department = Department(code=code, name=name, name_en=name_en, region=region)
    db.session.add(department)
    db.session.flush()
    record(
        by,
        "department.create",
        department,
        region_id=admin_region_id(by),
        summary=f"Created department {code} ({name}) for {region.name}",
        data={"code": code, "region_id": region.id},
    )
    return department


def update_department(department_id: int, changes: dict, *, by: User) -> Department:
    department = get_department(department_id, by=by)
    before = {key: getattr(department, key) for key in changes}
    for key, value in changes.items():
        setattr(department, key, value)
    db.session.flush()
    record(
        by,
        "department.update",
        department,
        region_id=admin_region_id(by),
        summary=f"Edited department {department.code} ({department.name})",
        data={"before": before, "after": changes},
    )
    return department


def list_members(department_id: int, *, by: User) -> list[DepartmentMember]:
    department = get_department(department_id, by=by)
    return list(
        db.session.scalars(
            sa.select(DepartmentMember)
            .where(DepartmentMember.department_id == department.id)
            .options(joinedload(DepartmentMember.user))
            .order_by(DepartmentMember.created_at, DepartmentMember.user_id)
        )
    )


def add_member(department_id: int, *, user_id: int, by: User) -> tuple[DepartmentMember, bool]:
    """Make a user one of the department's staff; returns (member, created). Signing for a whistled report
    takes both rows: the department_staff membership on the department's region (given here if missing)
    and the department_members row naming the department."""
    department = get_department(department_id, by=by)
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        raise UnprocessableError(fields={"user_id": ["No such user."]})
    existing = db.session.get(DepartmentMember, (department.id, user.id))
    if existing is not None:
        return existing, False
    has_role = db.session.scalar(
        sa.select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.region_id == department.region_id,
            Membership.role == Role.DEPARTMENT_STAFF,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    if has_role is None:
        db.session.add(
            Membership(
                user_id=user.id,
                region_id=department.region_id,
                role=Role.DEPARTMENT_STAFF,
                status=MembershipStatus.ACTIVE,
                decided_at=utcnow(),
                decided_by_id=by.id,
            )
        )
    member = DepartmentMember(department=department, user=user)
    db.session.add(member)
    db.session.flush()
    record(
        by,
        "department.add_member",
        department,
        region_id=admin_region_id(by),
        summary=f"Added {user.name} to department {department.code}",
        data={"user_id": user.id, "granted_role": has_role is None},
    )
    return member, True


def remove_member(department_id: int, *, user_id: int, by: User) -> None:
    """Take a user off the department; their department_staff role stays for any other department."""
    department = get_department(department_id, by=by)
    member = db.session.get(DepartmentMember, (department.id, user_id))
    if member is None:
        raise NotFoundError("This user is not on the department.")
    db.session.delete(member)
    db.session.flush()
    record(
        by,
        "department.remove_member",
        department,
        region_id=admin_region_id(by),
        summary=f"Removed user {user_id} from department {department.code}",
        data={"user_id": user_id},
    )

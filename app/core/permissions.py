"""Roles, which roles count as staff for which work, and region-scope checks shared by every domain."""

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.auth.models import User
    from app.regions.models import Region


class Role(StrEnum):
    RESIDENT = "resident"
    GRID_WORKER = "grid_worker"
    COMMUNITY_WORKER = "community_worker"
    COMMITTEE = "committee"
    STREET_STAFF = "street_staff"
    DEPARTMENT_STAFF = "department_staff"
    ADMIN = "admin"


STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}
# Who may post and manage notices for the regions they serve.
NOTICE_ROLES = frozenset(
    {Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMITTEE, Role.STREET_STAFF, Role.ADMIN}
)
# Who verifies residence and keeps the unit register.
MEMBERSHIP_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.ADMIN})
UNIT_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.ADMIN})


def staff_paths(user: "User", roles=STAFF_ROLES) -> list[str]:
    """Materialized paths of the regions where `user` holds an active staff role among `roles`."""
    return [m.region.path for m in user.active_memberships if m.role in roles]


def serves(user: "User", region: "Region", roles=STAFF_ROLES) -> bool:
    """Staff serve the region they are posted to and everything beneath it."""
    return any(region.path.startswith(path) for path in staff_paths(user, roles))


def is_staff(user: "User") -> bool:
    return any(m.role in STAFF_ROLES for m in user.active_memberships)

"""Who may see, join and manage a consultation: region scope from memberships, checked once per request."""

import sqlalchemy as sa

from app.auth.models import User
from app.consultations.models import Consultation, ConsultationStatus
from app.core.permissions import STAFF_ROLES, Role, serves, staff_paths
from app.regions.models import Region

# Who posts consultations, runs them and answers them for the regions they serve.
CONSULT_ROLES = frozenset({Role.COMMITTEE, Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.ADMIN})
# Who is told when an outcome is late: the supervising staff of the level above.
SUPERVISOR_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.COMMITTEE, Role.STREET_STAFF, Role.ADMIN})


def resident_region_ids(user: User) -> set[int]:
    """Regions a verified resident belongs to: their community's chain up to the district, and their grid."""
    ids: set[int] = set()
    for m in user.active_memberships:
        if m.role == Role.RESIDENT:
            ids.update(m.region.ancestor_ids)
            if m.unit is not None and m.unit.grid_id:
                ids.add(m.unit.grid_id)
    return ids


def staff_region_ids(user: User) -> set[int]:
    """Ancestors of where staff are posted: they read what is posted above them, like residents do."""
    return {i for m in user.active_memberships if m.role in STAFF_ROLES for i in m.region.ancestor_ids}


def manages(user: User, consultation: Consultation) -> bool:
    return serves(user, consultation.region, CONSULT_ROLES)


def participates(user: User, consultation: Consultation) -> bool:
    """Verified residents of the consultation's region give opinions and support it."""
    return consultation.region_id in resident_region_ids(user)


def can_view(user: User, consultation: Consultation) -> bool:
    if manages(user, consultation):
        return True
    if consultation.status == ConsultationStatus.DRAFT:
        return False
    return consultation.region_id in resident_region_ids(user) | staff_region_ids(user) or serves(
        user, consultation.region, STAFF_ROLES
    )


def _subtree_ids(paths: list[str]) -> sa.Select:
    return sa.select(Region.id).where(
        sa.or_(sa.false(), *[Region.path.startswith(p, autoescape=True) for p in paths])
    )


def visible_clause(user: User) -> sa.ColumnElement[bool]:
    """The SQL twin of `can_view`, for lists."""
    readable = sorted(resident_region_ids(user) | staff_region_ids(user))
    served = staff_paths(user)
    managed = staff_paths(user, CONSULT_ROLES)
    published = sa.or_(
        sa.false(),
        *([Consultation.region_id.in_(readable)] if readable else []),
        *([Consultation.region_id.in_(_subtree_ids(served))] if served else []),
    )
    clauses = [sa.and_(Consultation.status != ConsultationStatus.DRAFT, published)]
    if managed:
        clauses.append(Consultation.region_id.in_(_subtree_ids(managed)))
    return sa.or_(*clauses)


def supervised_clause(user: User) -> sa.ColumnElement[bool]:
    """Consultations in the regions beneath where the user holds a staff post (the overdue list)."""
    paths = staff_paths(user, SUPERVISOR_ROLES)
    if not paths:
        return sa.false()
    return Consultation.region_id.in_(_subtree_ids(paths))

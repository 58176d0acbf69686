"""Who may vote in a poll: the eligible voter keys and the users voting for them, built from the registers.

person: verified (active) resident members whose home (their unit's grid, else their community) lies in the
poll's region. household: the units of those members, one key per unit. owners: the owner parties of the
units in the region (the owners' register), each with its summed floor area; the users a worker linked to a
party vote for it. Units without a registered owner are left out.
"""

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.core.permissions import Role
from app.extensions import db
from app.polls.models import Counting, Poll
from app.regions.models import Membership, MembershipStatus, Region, Unit
from app.regions.ownership import Owner, OwnerUser, UnitOwner


def _residents(region: Region):
    home = aliased(Region)
    return (
        sa.select(Membership.user_id, Membership.unit_id, User.name, Unit)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Unit, Unit.id == Membership.unit_id)
        .join(home, home.id == sa.func.coalesce(Unit.grid_id, Membership.region_id))
        .where(
            Membership.role == Role.RESIDENT,
            Membership.status == MembershipStatus.ACTIVE,
            User.is_active.is_(True),
            home.path.startswith(region.path),
        )
        .order_by(Membership.user_id)
    )


def _units_in(region: Region) -> sa.ColumnElement[bool]:
    community = aliased(Region)
    in_community = sa.select(community.id).where(community.path.startswith(region.path)).scalar_subquery()
    return sa.or_(Unit.community_id.in_(in_community), Unit.grid_id == region.id)


def build(poll: Poll) -> tuple[list[dict], list[dict]]:
    """(entries {voter_key, area, label}, users {user_id, voter_key}) for `poll` from the registers now."""
    region = poll.region
    entries: dict[int, dict] = {}
    users: dict[int, int] = {}
    if poll.counting in (Counting.PERSON, Counting.HOUSEHOLD):
        for user_id, unit_id, name, unit in db.session.execute(_residents(region)):
            if poll.counting == Counting.PERSON:
                entries.setdefault(user_id, {"voter_key": user_id, "area": Decimal(0), "label": name})
                users.setdefault(user_id, user_id)
            elif unit_id is not None:
                entries.setdefault(
                    unit_id, {"voter_key": unit_id, "area": unit.floor_area, "label": unit.label}
                )
                users.setdefault(user_id, unit_id)
    else:
        rows = db.session.execute(
            sa.select(Owner.id, Owner.name, Unit.floor_area)
            .join(UnitOwner, UnitOwner.owner_id == Owner.id)
            .join(Unit, Unit.id == UnitOwner.unit_id)
            .where(_units_in(region))
        )
        area: dict[int, Decimal] = defaultdict(Decimal)
        names: dict[int, str] = {}
        for owner_id, name, floor_area in rows:
            area[owner_id] += floor_area
            names[owner_id] = name
        for owner_id in sorted(area):
            entries[owner_id] = {"voter_key": owner_id, "area": area[owner_id], "label": names[owner_id]}
        if entries:
            linked = db.session.execute(
                sa.select(OwnerUser.user_id, OwnerUser.owner_id)
                .join(User, User.id == OwnerUser.user_id)
                .where(OwnerUser.owner_id.in_(list(entries)), User.is_active.is_(True))
                .order_by(OwnerUser.owner_id, OwnerUser.user_id)
            )
            for user_id, owner_id in linked:
                # A user linked to two parties votes for the first; the other party votes on paper.
                users.setdefault(user_id, owner_id)
    return list(entries.values()), [{"user_id": u, "voter_key": k} for u, k in users.items()]

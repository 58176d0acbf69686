"""The owners' register of a community: owner parties (a person, joint owners, the developer) and their units.

An owner party is what PRC Civil Code art. 278 counts by headcount: one person owning several units is one
party, joint owners of a unit are one party, and all of the developer's unsold units belong to one party.
"""

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import str_enum
from app.extensions import db
from app.regions.models import Region, Unit


class OwnerKind(StrEnum):
    PERSON = "person"
    JOINT = "joint"
    DEVELOPER = "developer"


class Owner(db.Model):
    __tablename__ = "owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[OwnerKind] = mapped_column(str_enum(OwnerKind, 16), default=OwnerKind.PERSON)

    community: Mapped[Region] = relationship()


class UnitOwner(db.Model):
    """Which party owns a unit: one row per unit, so a unit is never counted for two parties."""

    __tablename__ = "unit_owners"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("owners.id", ondelete="CASCADE"), index=True)

    unit: Mapped[Unit] = relationship()
    owner: Mapped[Owner] = relationship()


class OwnerUser(db.Model):
    """An app account a worker has verified as one of the party's people; any of them may vote."""

    __tablename__ = "owner_users"

    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("owners.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


def import_owners(community: Region, rows) -> dict:
    """Apply the owner columns of a unit import (rows of units_csv.UnitRow): each unit gets the party named
    in its row (created if new; the developer is one party per community), and the listed phones of
    registered users are linked to it. Units whose row names no owner keep the owner on record."""
    from app.auth.models import User

    rows = [r for r in rows if r.owner]
    units = {
        (u.building, u.entrance, u.room): u.id
        for u in db.session.execute(
            sa.select(Unit.id, Unit.building, Unit.entrance, Unit.room).where(
                Unit.community_id == community.id
            )
        )
    }
    parties = {
        (OwnerKind.DEVELOPER if o.kind == OwnerKind.DEVELOPER else (o.kind, o.name)): o
        for o in db.session.scalars(sa.select(Owner).where(Owner.community_id == community.id))
    }
    created = 0
    owner_of: dict[int, Owner] = {}
    for row in rows:
        key = _key(row)
        party = parties.get(key)
        if party is None:
            party = parties[key] = Owner(
                community_id=community.id, name=row.owner, kind=OwnerKind(row.owner_kind)
            )
            db.session.add(party)
            created += 1
        owner_of[units[row.key]] = party
    db.session.flush()
    db.session.execute(sa.delete(UnitOwner).where(UnitOwner.unit_id.in_(list(owner_of))))
    db.session.execute(sa.insert(UnitOwner), [{"unit_id": u, "owner_id": p.id} for u, p in owner_of.items()])
    phones = {p for r in rows for p in r.owner_phones}
    users = (
        {
            phone: uid
            for phone, uid in db.session.execute(sa.select(User.phone, User.id).where(User.phone.in_(phones)))
        }
        if phones
        else {}
    )
    links = {(parties[_key(r)].id, users[p]) for r in rows for p in r.owner_phones if p in users}
    linked = sa.select(OwnerUser.owner_id, OwnerUser.user_id).where(
        OwnerUser.owner_id.in_({o for o, _ in links})
    )
    have = {(o, u) for o, u in db.session.execute(linked)} if links else set()
    new_links = links - have
    if new_links:
        db.session.execute(sa.insert(OwnerUser), [{"owner_id": o, "user_id": u} for o, u in new_links])
    return {
        "parties_created": created,
        "units_owned": len(owner_of),
        "users_linked": len(new_links),
        "phones_not_found": sorted(phones - set(users)),
    }


def _key(row):
    kind = OwnerKind(row.owner_kind)
    return OwnerKind.DEVELOPER if kind == OwnerKind.DEVELOPER else (kind, row.owner)

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

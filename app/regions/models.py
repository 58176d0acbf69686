"""The region tree, the unit register of each community, and the memberships tying users to regions."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, str_enum, utcnow
from app.core.permissions import Role
from app.extensions import db


class Level(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


CHILD_LEVEL = {Level.DISTRICT: Level.STREET, Level.STREET: Level.COMMUNITY, Level.COMMUNITY: Level.GRID}


def path_ids(path: str) -> list[int]:
    """Region ids from the root down, read off a materialized path such as "/1/2/4/"."""
    return [int(part) for part in path.strip("/").split("/") if part]


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    level: Mapped[Level] = mapped_column(str_enum(Level, 16))
    # "/1/4/9/": ancestors are its prefixes, descendants share it as a prefix; one LIKE finds a subtree.
    path: Mapped[str] = mapped_column(sa.String(255), index=True, default="")
    boundary: Mapped[dict | None] = mapped_column(sa.JSON)
    # Bounding box of `boundary`, so locating a point prefilters grids in SQL.
    min_lat: Mapped[float | None] = mapped_column(sa.Float)
    max_lat: Mapped[float | None] = mapped_column(sa.Float)
    min_lng: Mapped[float | None] = mapped_column(sa.Float)
    max_lng: Mapped[float | None] = mapped_column(sa.Float)

    parent: Mapped["Region | None"] = relationship(remote_side=[id])

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this region, itself included."""
        return path_ids(self.path)

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)


class Unit(db.Model):
    """A dwelling unit in a community's register; floor area counts in owners' votes."""

    __tablename__ = "units"
    __table_args__ = (sa.UniqueConstraint("community_id", "building", "entrance", "room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    building: Mapped[str] = mapped_column(sa.String(40))
    entrance: Mapped[str] = mapped_column(sa.String(40), default="")
    room: Mapped[str] = mapped_column(sa.String(40))
    floor_area: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))

    community: Mapped[Region] = relationship(foreign_keys=[community_id])
    grid: Mapped[Region | None] = relationship(foreign_keys=[grid_id])

    @property
    def label(self) -> str:
        parts = [f"{self.building}栋"]
        if self.entrance:
            parts.append(f"{self.entrance}单元")
        parts.append(self.room)
        return "".join(parts)


class MembershipStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "region_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.RESIDENT)
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, 16), default=MembershipStatus.PENDING, index=True
    )
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reject_reason: Mapped[str | None] = mapped_column(sa.String(200))

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    region: Mapped[Region] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship()

    @property
    def home_region_id(self) -> int:
        """Where a resident lives for notice purposes: their unit's grid when known."""
        if self.role == Role.RESIDENT and self.unit is not None and self.unit.grid_id:
            return self.unit.grid_id
        return self.region_id

"""Users, their logins (sessions) and the rotating refresh tokens that keep a login alive."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.regions.models import Membership


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The profile photo, shown on the resident's chat card. uploads already points at users (owner_id),
    # so this side of the cycle is added after both tables exist (use_alter); indexed because the orphan
    # purge asks, for every candidate upload, whether some user holds it.
    photo_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("uploads.id", ondelete="SET NULL", use_alter=True), index=True
    )

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id", order_by="Membership.id"
    )

    @property
    def active_memberships(self) -> list["Membership"]:
        from app.regions.models import MembershipStatus

        return [m for m in self.memberships if m.status == MembershipStatus.ACTIVE]

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"


class AuthSession(db.Model):
    """One login on one device; logging out or a reused refresh token revokes it and all its tokens."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(40))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))

    user: Mapped[User] = relationship()


class RefreshToken(db.Model):
    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[AuthSession] = relationship()

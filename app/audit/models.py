"""Audit entries; once flushed an entry can be neither changed nor deleted."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int] = mapped_column()
    # The region whose staff may read this entry.
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    summary: Mapped[str] = mapped_column(sa.String(500))
    data: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


class AuditLogImmutableError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _keep_append_only(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditLog):
            raise AuditLogImmutableError("Audit entries are append-only.")

"""The outbox table: work written in the same transaction as the change that caused it, drained by workers."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

PENDING_SQL = "done_at IS NULL AND failed_at IS NULL"


class OutboxEvent(db.Model):
    """One unit of background work. Pending until `done_at` (handled) or `failed_at` (gave up)."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        # The worker's one hot query: pending rows in due order; finished rows stay out of this index.
        sa.Index(
            "ix_outbox_events_due",
            "next_attempt_at",
            "id",
            postgresql_where=sa.text(PENDING_SQL),
            sqlite_where=sa.text(PENDING_SQL),
        ),
        # At most one pending event per key: a rescheduled notice moves its push, a periodic job has one row.
        sa.Index(
            "uq_outbox_events_pending_key",
            "dedupe_key",
            unique=True,
            postgresql_where=sa.text(PENDING_SQL),
            sqlite_where=sa.text(PENDING_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[dict] = mapped_column(sa.JSON)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(128))
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(sa.String(80))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def pending(self) -> bool:
        return self.done_at is None and self.failed_at is None

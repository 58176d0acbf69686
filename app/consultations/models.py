"""Consultations, their opinions and replies, supports, abuse reports and follow-through updates."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.regions.models import Region


class ConsultationStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    OUTCOME_PUBLISHED = "outcome_published"


class Stance(StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


# The lifecycle as data: which status each step leaves from and goes to.
MOVES = {
    "open": ({ConsultationStatus.DRAFT}, ConsultationStatus.OPEN),
    "close": ({ConsultationStatus.OPEN}, ConsultationStatus.CLOSED),
}
# Until the outcome is out, the committee still owes an answer (and may be overdue with it).
AWAITING_OUTCOME = (ConsultationStatus.OPEN, ConsultationStatus.CLOSED)


class Consultation(db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        sa.Index("ix_consultations_region_status", "region_id", "status", "created_at", "id"),
        # The close job's and the overdue check's due sets.
        sa.Index("ix_consultations_closes", "status", "closes_at"),
        sa.Index("ix_consultations_due", "status", "outcome_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ConsultationStatus] = mapped_column(
        str_enum(ConsultationStatus, 20), default=ConsultationStatus.DRAFT
    )
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Set once by the overdue check when the outcome is late; the level above sees and is told.
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Counters kept by the writes themselves, so a list page needs no count query per row.
    for_count: Mapped[int] = mapped_column(default=0)
    against_count: Mapped[int] = mapped_column(default=0)
    neutral_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    support_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])

    @property
    def opinion_count(self) -> int:
        return self.for_count + self.against_count + self.neutral_count

    def is_overdue(self, now: datetime) -> bool:
        return self.status in AWAITING_OUTCOME and self.outcome_due_at <= now


class ConsultationComment(db.Model):
    """An opinion (top level, with a stance) or a reply to one; replies go one level deep only."""

    __tablename__ = "consultation_comments"
    __table_args__ = (
        sa.Index("ix_consultation_comments_stream", "consultation_id", "parent_id", "id"),
        # A reply may carry a stance; an opinion must.
        sa.CheckConstraint("parent_id IS NOT NULL OR stance IS NOT NULL", name="opinion_has_stance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultation_comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    stance: Mapped[Stance | None] = mapped_column(str_enum(Stance, 10))
    body: Mapped[str] = mapped_column(sa.Text)
    # Whether the author spoke for the committee (staff of the region) rather than as a resident.
    official: Mapped[bool] = mapped_column(default=False)
    report_count: Mapped[int] = mapped_column(default=0)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    author: Mapped[User] = relationship(foreign_keys=[author_id])


class ConsultationSupport(db.Model):
    """One support per resident and consultation: the primary key makes a second one impossible."""

    __tablename__ = "consultation_supports"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class CommentReport(db.Model):
    """A resident flags a comment as abusive, once per comment; staff see the count."""

    __tablename__ = "consultation_comment_reports"

    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultationFollowup(db.Model):
    """Follow-through after the outcome: an item (no item_id) or a dated update of one (item_id set). Each row
    carries the progress at its date; an item's current progress is that of its latest row."""

    __tablename__ = "consultation_followups"
    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        sa.Index("ix_consultation_followups_consultation", "consultation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultation_followups.id", ondelete="CASCADE")
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    progress: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()

"""Uploaded images: who uploaded them, where the clean copies are stored, and what they are attached to."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class Upload(db.Model):
    __tablename__ = "uploads"
    # A phone retrying the same upload gets the first one back (NULL keys never collide).
    __table_args__ = (sa.UniqueConstraint("owner_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80))
    # Storage keys of the re-encoded image and its thumbnail; generated here, never taken from the client.
    key: Mapped[str] = mapped_column(sa.String(120))
    thumb_key: Mapped[str] = mapped_column(sa.String(120))
    content_type: Mapped[str] = mapped_column(sa.String(40), default="image/jpeg")
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set once, when the uploader attaches the image to a report (as a photo or a proof of the fix).
    report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    # Set once, when a staff member attaches the image to a consultation they post.
    consultation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )

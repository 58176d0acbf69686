"""Push subscriptions (one per device), each user's notification switches, and the messages delivered."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, str_enum, utcnow
from app.extensions import db


class PushKind(StrEnum):
    NOTICE = "notice"
    NOTICE_URGENT = "notice_urgent"
    REPORT_UPDATE = "report_update"
    CHAT_REPLY = "chat_reply"
    POLL = "poll"
    CONSULTATION_OUTCOME = "consultation_outcome"
    STAFF_NEW_REPORT = "staff_new_report"
    STAFF_DEADLINE = "staff_deadline"
    STAFF_NEW_CONVERSATION = "staff_new_conversation"


class PushSubscription(db.Model):
    """A browser's PushSubscription: the push service URL and the keys its payloads are encrypted to."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(100))
    auth: Mapped[str] = mapped_column(sa.String(40))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Consecutive deliveries the push service refused for good; past a limit the subscription is dropped.
    failure_count: Mapped[int] = mapped_column(default=0)

    def info(self) -> dict:
        """The shape pywebpush expects (the browser's PushSubscription.toJSON())."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def _switch() -> Mapped[bool]:
    return mapped_column(default=True, server_default=sa.true())


class NotificationSetting(db.Model):
    """One switch per kind; a user without a row has every switch on."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    notice: Mapped[bool] = _switch()
    notice_urgent: Mapped[bool] = _switch()
    report_update: Mapped[bool] = _switch()
    chat_reply: Mapped[bool] = _switch()
    poll: Mapped[bool] = _switch()
    consultation_outcome: Mapped[bool] = _switch()
    staff_new_report: Mapped[bool] = _switch()
    staff_deadline: Mapped[bool] = _switch()
    staff_new_conversation: Mapped[bool] = _switch()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def as_dict(self) -> dict[str, bool]:
        return {kind.value: getattr(self, kind.value) for kind in PushKind}


class PushMessage(db.Model):
    """What one notification says, stored once and referenced by each delivery of its fan-out."""

    __tablename__ = "push_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PushKind] = mapped_column(str_enum(PushKind))
    # What caused it ("notice:17"), so a cause is pushed once even when its event runs twice.
    ref: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    url: Mapped[str] = mapped_column(sa.String(512))
    tag: Mapped[str] = mapped_column(sa.String(64))
    urgency: Mapped[str] = mapped_column(sa.String(8), default="normal")
    ttl: Mapped[int] = mapped_column(default=86400)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

"""Conversations, their messages (gapless per-conversation seq, per-sender client_id), read state, photos,
canned replies and who is off duty."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.regions.models import Region


class ConversationStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class MessageKind(StrEnum):
    TEXT = "text"  # written by a person
    SYSTEM = "system"  # a step (claimed, transferred, resolved) told to both sides
    AUTO = "auto"  # the out-of-hours automatic reply


class Conversation(db.Model):
    __tablename__ = "chat_conversations"
    __table_args__ = (sa.Index("ix_chat_conversations_community_status", "community_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))
    # The resident's grid, whose workers get the conversation first.
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    subject: Mapped[str | None] = mapped_column(sa.String(120))
    status: Mapped[ConversationStatus] = mapped_column(
        str_enum(ConversationStatus, 16), default=ConversationStatus.OPEN
    )
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # Until then only the grid's workers (and an assignee) see it; from then every worker of the community.
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    share_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Public messages and private notes count separately, so each side sees a sequence without gaps.
    last_seq: Mapped[int] = mapped_column(default=0)
    last_note_seq: Mapped[int] = mapped_column(default=0)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_preview: Mapped[str | None] = mapped_column(sa.String(120))
    # The resident's read cursor, and the furthest any worker has read (read ticks on both sides).
    resident_read_seq: Mapped[int] = mapped_column(default=0)
    staff_read_seq: Mapped[int] = mapped_column(default=0)
    # Set while a resident's message waits for a worker's answer.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    first_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auto_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    csat_rating: Mapped[int | None] = mapped_column()
    csat_comment: Mapped[str | None] = mapped_column(sa.String(500))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    community: Mapped[Region] = relationship(foreign_keys=[community_id])
    grid: Mapped[Region | None] = relationship(foreign_keys=[grid_id])


class ChatMessage(db.Model):
    __tablename__ = "chat_messages"
    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "internal", "seq"),
        # A resend with the same client_id finds the stored message instead of adding a second one.
        sa.UniqueConstraint("sender_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("chat_conversations.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column()
    internal: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, 16), default=MessageKind.TEXT)
    sender_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str | None] = mapped_column(sa.String(64))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sender: Mapped[User | None] = relationship()
    conversation: Mapped[Conversation] = relationship()
    attachments: Mapped[list["ChatAttachment"]] = relationship(
        order_by="ChatAttachment.position", cascade="all, delete-orphan"
    )


class ChatAttachment(db.Model):
    """A photo (an upload) sent in a message; an upload goes into one message at most."""

    __tablename__ = "chat_attachments"

    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("chat_messages.id", ondelete="CASCADE"), primary_key=True
    )
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id", ondelete="CASCADE"), unique=True)
    position: Mapped[int] = mapped_column(primary_key=True)


class ConversationRead(db.Model):
    """How far one user has read a conversation; unread = last_seq - last_read_seq."""

    __tablename__ = "chat_reads"

    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("chat_conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_read_seq: Mapped[int] = mapped_column(default=0)


class CannedReply(db.Model):
    __tablename__ = "chat_canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    shortcut: Mapped[str] = mapped_column(sa.String(30))
    body: Mapped[str] = mapped_column(sa.String(1000))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OffDuty(db.Model):
    """A chat worker who has stepped away (leave, a site visit): while no grid worker of a grid is on duty,
    its conversations go to every worker of the community at once instead of waiting for them."""

    __tablename__ = "chat_off_duty"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

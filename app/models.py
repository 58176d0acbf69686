"""Imports every model so metadata, mappers and Alembic see the whole schema."""

from app.audit.models import AuditLog
from app.auth.models import AuthSession, RefreshToken, User
from app.chat.models import CannedReply, ChatAttachment, ChatMessage, Conversation, ConversationRead
from app.consultations.models import (
    CommentReport,
    Consultation,
    ConsultationComment,
    ConsultationFollowup,
    ConsultationSupport,
)
from app.core.stamps import ChangeStamp
from app.dashboard import indexes as dashboard_indexes  # noqa: F401  (indexes on the reports tables)
from app.notices.models import Notice, NoticeRead
from app.open311.models import ApiKey
from app.outbox.models import OutboxEvent
from app.polls.models import (
    Poll,
    PollBallot,
    PollFollowup,
    PollOption,
    PollReplay,
    PollVoter,
    RollEntry,
    RollUser,
)
from app.push.models import NotificationSetting, PushMessage, PushSubscription
from app.regions.models import Membership, Region, Unit
from app.regions.ownership import Owner, OwnerUser, UnitOwner
from app.reports.models import (
    Department,
    DepartmentMember,
    Report,
    ReportCategory,
    ReportEvent,
    ReportRating,
    ReportSupport,
)
from app.uploads.models import Upload

__all__ = [
    "ApiKey",
    "AuditLog",
    "AuthSession",
    "CannedReply",
    "ChangeStamp",
    "ChatAttachment",
    "ChatMessage",
    "CommentReport",
    "Consultation",
    "ConsultationComment",
    "ConsultationFollowup",
    "ConsultationSupport",
    "Conversation",
    "ConversationRead",
    "Department",
    "DepartmentMember",
    "Membership",
    "Notice",
    "NoticeRead",
    "NotificationSetting",
    "OutboxEvent",
    "Owner",
    "OwnerUser",
    "Poll",
    "PollBallot",
    "PollFollowup",
    "PollOption",
    "PollReplay",
    "PollVoter",
    "PushMessage",
    "PushSubscription",
    "RefreshToken",
    "Region",
    "Report",
    "ReportCategory",
    "ReportEvent",
    "ReportRating",
    "ReportSupport",
    "RollEntry",
    "RollUser",
    "Unit",
    "UnitOwner",
    "Upload",
    "User",
]

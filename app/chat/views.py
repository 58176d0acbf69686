"""The JSON shapes of conversations and messages, shared by REST answers and socket events."""

from app.chat.models import ChatMessage, Conversation
from app.uploads.service import signed_url


def person(user, side: str | None = None) -> dict | None:
    if user is None:
        return None
    body = {"id": user.id, "name": user.name}
    if side:
        body["side"] = side
    return body


def message_view(msg: ChatMessage, conv: Conversation) -> dict:
    side = None
    if msg.sender_id is not None:
        side = "resident" if msg.sender_id == conv.resident_id else "staff"
    return {
        "id": msg.id,
        "seq": msg.seq,
        "conversation_id": msg.conversation_id,
        "sender": person(msg.sender, side),
        "kind": msg.kind.value,
        "internal": msg.internal,
        "body": msg.body,
        "client_id": msg.client_id,
        "attachments": [
            {
                "id": a.upload_id,
                "url": signed_url(a.upload_id),
                "thumb_url": signed_url(a.upload_id, "thumb"),
            }
            for a in msg.attachments
        ],
        "created_at": msg.created_at.isoformat(),
    }


def sent_view(msg) -> dict:
    """What the sender's answer shows of the message service.send_message returned: the view its audience
    was sent (notify.messages_posted keeps it on a new message), or, for a resend, the stored message's."""
    return getattr(msg, "view", None) or message_view(msg, msg.conversation)


def conversation_view(conv: Conversation, *, unread: int | None = None, side: str = "staff") -> dict:
    body = {
        "id": conv.id,
        "status": conv.status.value,
        "subject": conv.subject,
        "resident": person(conv.resident),
        "community_id": conv.community_id,
        "grid_id": conv.grid_id,
        "grid_name": conv.grid.name if conv.grid is not None else None,
        "assignee": person(conv.assignee),
        "shared": conv.shared_at is not None,
        "last_seq": conv.last_seq,
        "last_message": (
            {"seq": conv.last_seq, "preview": conv.last_preview, "at": conv.last_message_at.isoformat()}
            if conv.last_message_at is not None
            else None
        ),
        "resident_read_seq": conv.resident_read_seq,
        "staff_read_seq": conv.staff_read_seq,
        "waiting_since": conv.waiting_since.isoformat() if conv.waiting_since else None,
        "first_response_at": conv.first_response_at.isoformat() if conv.first_response_at else None,
        "resolved_at": conv.resolved_at.isoformat() if conv.resolved_at else None,
        "rating": (
            {"rating": conv.csat_rating, "comment": conv.csat_comment} if conv.rated_at is not None else None
        ),
        "created_at": conv.created_at.isoformat(),
        "updated_at": conv.updated_at.isoformat(),
    }
    if side == "staff":
        body["last_note_seq"] = conv.last_note_seq
    if unread is not None:
        body["unread"] = unread
    return body

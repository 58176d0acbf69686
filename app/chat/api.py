"""HTTP endpoints of chat: conversations, their messages and steps, and canned replies. The socket events
(events.py) call the same service functions."""

from flask import request
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from app.chat import jobs, service  # noqa: F401  (jobs registers the sharing job)
from app.chat.schemas import (
    CannedCreateSchema,
    CannedSchema,
    ChatRatingSchema,
    ChatReadSchema,
    ChatTransferSchema,
    ConversationCreateSchema,
    ConversationListArgs,
    ConversationPageSchema,
    ConversationSchema,
    DutySchema,
    DutySetSchema,
    MessageCreateSchema,
    MessageListArgs,
    MessagePageSchema,
    MessageSchema,
)
from app.chat.views import conversation_view, message_view, sent_view
from app.core.after_commit import commit
from app.core.auth import current_user
from app.uploads.service import check_idempotency_key

bp = Blueprint("chat", __name__, url_prefix="/api/v1", description="Chat with community workers")


def conversation_answer(conv, user, side: str) -> dict:
    body = conversation_view(conv, unread=service.unread_for(conv, user), side=side)
    body["worker"] = service.worker_card(conv)
    if side == "staff":
        body["colleagues"] = service.colleagues(conv, of=user)
    return body


@bp.post("/conversations")
@jwt_required()
@bp.arguments(ConversationCreateSchema)
@bp.response(201, ConversationSchema)
@bp.alt_response(200, schema=ConversationSchema, description="The resident's open conversation, reused")
def open_conversation(data):
    """A resident opens a conversation with their community (their open one is reused)."""
    user = current_user()
    conv, created = service.open_conversation(by=user, **data)
    commit()
    return conversation_answer(conv, user, "resident"), 201 if created else 200


@bp.get("/conversations")
@jwt_required()
@bp.arguments(ConversationListArgs, location="query")
@bp.response(200, ConversationPageSchema)
def list_conversations(args):
    """A worker's inbox (scope mine / unassigned / all, status), or a resident's own conversations; each
    with its unread count and last message, newest activity first."""
    user = current_user()
    rows, next_cursor = service.list_conversations(viewer=user, **args)
    side = "resident" if args["scope"] == "resident" else "staff"
    data = [
        conversation_view(c, unread=unread, side="resident" if c.resident_id == user.id else side)
        for c, unread in rows
    ]
    return {"data": data, "next_cursor": next_cursor}


@bp.get("/conversations/<int:conversation_id>")
@jwt_required()
@bp.response(200, ConversationSchema)
def get_conversation(conversation_id: int):
    """One conversation, with the worker's card for the resident."""
    user = current_user()
    conv, side = service.get_conversation(conversation_id, viewer=user)
    return conversation_answer(conv, user, side)


@bp.get("/conversations/<int:conversation_id>/messages")
@jwt_required()
@bp.arguments(MessageListArgs, location="query")
@bp.response(200, MessagePageSchema)
def list_messages(args, conversation_id: int):
    """Messages after `after_seq` (catching up, oldest first) or before `before_seq` (scrolling back);
    with neither, the newest. Workers read private notes with `internal=true` (their own sequence)."""
    user = current_user()
    rows, has_more = service.list_messages(conversation_id, viewer=user, **args)
    conv, _ = service.get_conversation(conversation_id, viewer=user)
    return {"data": [message_view(m, conv) for m in rows], "has_more": has_more, "next_cursor": None}


@bp.post("/conversations/<int:conversation_id>/messages")
@jwt_required()
@bp.arguments(MessageCreateSchema)
@bp.response(201, MessageSchema)
@bp.alt_response(200, schema=MessageSchema, description="A resend: the message stored before")
def send_message(data, conversation_id: int):
    """Send a message (or, for workers, a private note); a resend with the same `client_id` (or
    Idempotency-Key) returns the stored message."""
    user = current_user()
    data["client_id"] = check_idempotency_key(request.headers.get("Idempotency-Key")) or data["client_id"]
    msg, replayed = service.send_message(conversation_id, by=user, **data)
    body = sent_view(msg)
    commit()
    return body, 200 if replayed else 201


def _step(fn, conversation_id: int, **kwargs):
    user = current_user()
    conv = fn(conversation_id, by=user, **kwargs)
    _, side = service.get_conversation(conv.id, viewer=user)
    body = conversation_answer(conv, user, side)
    commit()
    return body


@bp.post("/conversations/<int:conversation_id>/claim")
@jwt_required()
@bp.response(200, ConversationSchema)
def claim(conversation_id: int):
    """A worker takes an unassigned conversation (409 already_claimed if a colleague was first)."""
    return _step(service.claim, conversation_id)


@bp.post("/conversations/<int:conversation_id>/transfer")
@jwt_required()
@bp.arguments(ChatTransferSchema)
@bp.response(200, ConversationSchema)
def transfer(data, conversation_id: int):
    """Hand the conversation to a colleague of the same community."""
    return _step(service.transfer, conversation_id, **data)


@bp.post("/conversations/<int:conversation_id>/resolve")
@jwt_required()
@bp.response(200, ConversationSchema)
def resolve(conversation_id: int):
    """Close the conversation; the resident may then rate it."""
    return _step(service.resolve, conversation_id)


@bp.post("/conversations/<int:conversation_id>/reopen")
@jwt_required()
@bp.response(200, ConversationSchema)
def reopen(conversation_id: int):
    """Open a resolved conversation again (a resident's new message does this by itself)."""
    return _step(service.reopen, conversation_id)


@bp.post("/conversations/<int:conversation_id>/read")
@jwt_required()
@bp.arguments(ChatReadSchema)
@bp.response(200, ConversationSchema)
def read(data, conversation_id: int):
    """Mark the conversation read up to `seq` (read ticks for the other side, unread counts)."""
    user = current_user()
    conv, _seq = service.mark_read(conversation_id, by=user, seq=data["seq"])
    _, side = service.get_conversation(conv.id, viewer=user)
    body = conversation_answer(conv, user, side)
    commit()
    return body


@bp.post("/conversations/<int:conversation_id>/rating")
@jwt_required()
@bp.arguments(ChatRatingSchema)
@bp.response(201, ConversationSchema)
def rating(data, conversation_id: int):
    """The resident rates a resolved conversation, 1–5 (CSAT), once."""
    user = current_user()
    conv = service.rate(conversation_id, by=user, **data)
    body = conversation_answer(conv, user, "resident")
    commit()
    return body, 201


@bp.get("/canned-replies")
@jwt_required()
@bp.response(200, CannedSchema(many=True))
def list_canned():
    """Canned replies of the communities the worker serves."""
    return service.list_canned(viewer=current_user())


@bp.post("/canned-replies")
@jwt_required()
@bp.arguments(CannedCreateSchema)
@bp.response(201, CannedSchema)
def create_canned(data):
    """Add a canned reply for a community the worker serves."""
    reply = service.create_canned(by=current_user(), **data)
    commit()
    return reply, 201


@bp.get("/chat/duty")
@jwt_required()
@bp.response(200, DutySchema)
def get_duty():
    """Whether the worker is on duty for chat."""
    return service.duty(of=current_user())


@bp.put("/chat/duty")
@jwt_required()
@bp.arguments(DutySetSchema)
@bp.response(200, DutySchema)
def put_duty(data):
    """Go off duty (what you had taken goes back to be claimed, your grid's open conversations go to the
    whole community at once if nobody else there is on duty, and new ones skip you) or back on duty."""
    body = service.set_duty(by=current_user(), on_duty=data["on_duty"])
    commit()
    return body

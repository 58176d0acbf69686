"""Who is told what about a conversation: socket events to each person's `user:<id>` room after the commit,
and pushes through the outbox (a reply the resident has not read in time; a conversation waiting).

Events go to user rooms rather than conversation rooms, so who hears a conversation is decided at the
moment of each event by the same rule as access.py: nobody keeps a room they have since lost.
"""

from contextvars import ContextVar
from datetime import timedelta

from flask import current_app

from app.chat.access import staff_audience
from app.chat.views import conversation_view, message_view
from app.core.after_commit import defer
from app.extensions import db, socketio
from app.outbox import enqueue, handler, now
from app.push.models import PushKind
from app.push.service import notify_users

REPLY_PUSH = "chat.reply_push"
EMIT = "chat.emit"


# The socket connection whose `chat:send` is being stored (writer.py): its ack carries the message and the
# conversation as its side now sees it, so that message's `chat:message` and `chat:conversation` skip that one
# connection (frames it would only have to match to what it already has). The sender's other devices still
# hear both.
sending_connection: ContextVar[str | None] = ContextVar("chat_sending_connection", default=None)


def rooms(user_ids) -> list[str]:
    return [f"user:{uid}" for uid in sorted(user_ids)]


def _emit(event: str, payload: dict, user_ids, skip_sid: str | None = None) -> None:
    if user_ids:
        socketio.emit(event, payload, to=rooms(user_ids), skip_sid=skip_sid)


def audience(conv, *, internal: bool = False) -> set[int]:
    staff = staff_audience(conv)
    return staff if internal else staff | {conv.resident_id}


def messages_posted(conv, messages, *, also=frozenset(), inbox: bool = True, resident: bool = True) -> None:
    """Each message to whoever sees it, once the transaction that stored it commits. Inboxes follow
    `chat:message` too: `chat:conversation` goes to the staff only when the conversation's state changed
    (inbox), and to the resident only when something their screen shows beyond the messages changed
    (resident: the status or who answers). Each payload is built once, whoever receives it.

    The message with a client_id was sent by the connection in `sending_connection`, if any: its ack tells
    that connection instead (msg.view, and msg.ack_conversation when its side's inbox changed). An automatic
    reply has none and reaches that connection too."""
    staff = staff_audience(conv) | set(also)
    everyone = staff | {conv.resident_id}
    staff = staff - {conv.resident_id}
    connection = sending_connection.get()
    sent = next((msg for msg in messages if msg.client_id is not None), None) if connection else None
    for msg in messages:
        view = message_view(msg, conv)
        msg.view = view  # the sender's ack reuses it
        to = staff if msg.internal else everyone
        defer(_emit, "chat:message", view, to, connection if msg is sent else None)
    sender_side = None if sent is None else "resident" if sent.sender_id == conv.resident_id else "staff"
    for side, changed, users in (("staff", inbox, staff), ("resident", resident, {conv.resident_id})):
        if changed:
            view = conversation_view(conv, side=side)
            if side == sender_side:
                sent.ack_conversation = view
            defer(_emit, "chat:conversation", view, users, connection if side == sender_side else None)


def conversation_changed(conv, *, also=frozenset()) -> None:
    _conversation_to(conv, (staff_audience(conv) | set(also)) - {conv.resident_id})


def _conversation_to(conv, staff) -> None:
    defer(_emit, "chat:conversation", conversation_view(conv, side="staff"), staff)
    defer(_emit, "chat:conversation", conversation_view(conv, side="resident"), {conv.resident_id})


def read(conv, *, side: str, user, seq: int) -> None:
    payload = {"conversation_id": conv.id, "side": side, "user_id": user.id, "seq": seq}
    defer(_emit, "chat:read", payload, audience(conv))


def typing(conv, user, *, side: str, is_typing: bool, internal: bool) -> None:
    """Ephemeral, never stored: sent at once to the others who see the conversation."""
    payload = {
        "conversation_id": conv.id,
        "user": {"id": user.id, "name": user.name, "side": side},
        "typing": is_typing,
        "internal": internal,
    }
    _emit("chat:typing", payload, audience(conv, internal=internal) - {user.id})


# --- pushes (queued in the caller's transaction) -----------------------------------------------------------


def _preview(conv) -> str:
    return conv.last_preview or conv.subject or "新的咨询"


def conversation_waiting(conv) -> None:
    """A resident's message now waits: its assignee, else the staff who see it, hear of it."""
    targets = {conv.assignee_id} if conv.assignee_id else staff_audience(conv)
    _push_staff(conv, targets, "居民发来新的咨询", f"chat:{conv.id}:waiting:{conv.last_seq}")


def _push_staff(conv, targets, title: str, ref: str) -> None:
    """`ref` names the cause: the push service sends one cause once."""
    notify_users(
        targets,
        PushKind.STAFF_NEW_CONVERSATION,
        title=title,
        body=f"{conv.resident.name}：{_preview(conv)}",
        url=f"/messages/{conv.id}",
        tag=f"chat-{conv.id}",
        ref=ref,
    )


def transferred(conv, target, *, by) -> None:
    if target.id != by.id:
        _push_staff(
            conv, {target.id}, f"{by.name} 转交给您一个会话", f"chat:{conv.id}:to:{target.id}:{conv.last_seq}"
        )


def shared(conv, *, newly: set[int]) -> None:
    """Runs in the outbox worker, which has no request to defer to: the inbox event goes through the
    outbox too, so it is emitted only once this transaction commits."""
    staff = staff_audience(conv)
    enqueue(EMIT, {"event": "chat:conversation", "payload": conversation_view(conv), "users": sorted(staff)})
    if conv.waiting_since is not None and newly:
        _push_staff(conv, newly, "有居民咨询等待回复", f"chat:{conv.id}:shared")


def staff_replied(conv, msg) -> None:
    """The resident hears of a reply by push unless they read it within CHAT_REPLY_PUSH_DELAY_SECONDS
    (reading it means they had the conversation open: no need to buzz their phone)."""
    delay = current_app.config["CHAT_REPLY_PUSH_DELAY_SECONDS"]
    enqueue(
        REPLY_PUSH,
        {"conversation_id": conv.id, "message_id": msg.id},
        run_at=now() + timedelta(seconds=delay),
        key=f"chat-reply:{conv.id}",
    )


@handler(REPLY_PUSH)
def _reply_push(payload: dict) -> None:
    from app.chat.models import ChatMessage, Conversation

    conv = db.session.get(Conversation, payload["conversation_id"])
    msg = db.session.get(ChatMessage, payload["message_id"])
    if conv is None or msg is None or conv.resident_read_seq >= msg.seq:
        return
    sender = msg.sender.name if msg.sender else "社区工作人员"
    notify_users(
        [conv.resident_id],
        PushKind.CHAT_REPLY,
        title=f"{sender} 回复了您",
        body=msg.body or "[图片]",
        url="/messages",
        tag=f"chat-{conv.id}",
        ref=f"chat:{conv.id}:{msg.seq}",
    )


@handler(EMIT)
def _emit_from_outbox(payload: dict) -> None:
    _emit(payload["event"], payload["payload"], payload["users"])

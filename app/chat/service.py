"""Rules of chat: opening a conversation, sending (stored with the next seq before anyone is told; a resend
with the same client_id returns the stored message), reading, assignment, resolve/reopen and ratings.

Functions here flush but never commit; REST views and socket handlers both call them. Socket emits and
pushes are deferred to after the commit (notify.py). A conversation the caller may not see is a 404.
"""

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.auth.service import photo_url
from app.chat import notify, rows
from app.chat.access import (
    grid_worker_on_duty,
    grid_workers,
    is_chat_staff_of,
    off_duty_ids,
    role_in,
    staff_audience,
    staff_scope,
    visible_clause,
)
from app.chat.hours import auto_reply_text, is_working_time
from app.chat.models import (
    CannedReply,
    ChatAttachment,
    ChatMessage,
    Conversation,
    ConversationRead,
    ConversationStatus,
    MessageKind,
    OffDuty,
)
from app.chat.rows import Attached, Named, SentMessage
from app.core.db import utcnow
from app.core.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from app.core.pagination import SortKey, cut_page, page_query
from app.core.permissions import Role
from app.core.unique import first_write_guard
from app.extensions import db
from app.uploads.models import Upload
from app.uploads.service import unattached

MAX_ATTACHMENTS = 6
PREVIEW_CHARS = 60
# One automatic reply per conversation per this long, however many messages come in at night.
AUTO_REPLY_EVERY = timedelta(hours=8)
REUSE_RESOLVED = timedelta(days=3)
C = Conversation
M = ChatMessage


# --- loading -----------------------------------------------------------------------------------------------


def get_conversation(
    conversation_id: int, *, viewer: User, lock: bool = False, for_views: bool = False
) -> tuple[Conversation, str]:
    """The conversation and the viewer's side of it ("resident" or "staff"). With for_views, its resident,
    assignee and grid come in the same query (conversation_view needs them: no lazy loads one by one)."""
    stmt = sa.select(C).where(C.id == conversation_id)
    if for_views:
        stmt = stmt.options(joinedload(C.resident), joinedload(C.assignee), joinedload(C.grid))
    if lock:
        stmt = stmt.with_for_update()
    conv = db.session.scalar(stmt)
    side = role_in(viewer, conv) if conv is not None else None
    if side is None:
        raise NotFoundError("No such conversation.")
    return conv, side


def _resident_home(user: User, community_id: int | None):
    homes = [m for m in user.active_memberships if m.role == Role.RESIDENT]
    if community_id is not None:
        homes = [m for m in homes if m.region_id == community_id]
    if not homes:
        raise ForbiddenError(
            "Only verified residents can start a conversation with their community.", code="not_a_resident"
        )
    return homes[0]


# --- opening -----------------------------------------------------------------------------------------------


def open_conversation(
    *, by: User, subject: str | None = None, community_id: int | None = None, now: datetime | None = None
) -> tuple[Conversation, bool]:
    """The resident's open (or lately resolved) conversation with their community, or a new one; returns it
    and whether it is new.
    It goes to the resident's grid workers first; with none on duty, or out of hours, the whole community
    sees it."""
    home = _resident_home(by, community_id)
    now = now or utcnow()
    # A conversation resolved lately is still the resident's screen (to rate it, or to write again,
    # which reopens it); older ones stay in the history and a new question starts afresh.
    existing = db.session.scalar(
        sa.select(C)
        .where(
            C.resident_id == by.id,
            C.community_id == home.region_id,
            sa.or_(C.status == ConversationStatus.OPEN, C.resolved_at >= now - REUSE_RESOLVED),
        )
        .order_by(C.id.desc())
        .limit(1)
    )
    if existing is not None:
        return existing, False
    grid_id = home.unit.grid_id if home.unit is not None else None
    conv = Conversation(
        resident_id=by.id,
        community_id=home.region_id,
        grid_id=grid_id,
        subject=(subject or "").strip() or None,
        created_at=now,
        updated_at=now,
    )
    if grid_id is None or not is_working_time(now) or not grid_workers(grid_id, on_duty=True):
        conv.shared_at = now
    db.session.add(conv)
    db.session.flush()
    return conv, True


def colleagues(conv: Conversation, *, of: User) -> list[dict]:
    """Workers of the conversation's community it may be transferred to, and whether each is on duty."""
    ids = staff_audience(conv, shared=True) - {of.id}
    users = db.session.scalars(
        sa.select(User).where(User.id.in_(ids), User.is_active.is_(True)).order_by(User.id)
    ).all()
    away = off_duty_ids(u.id for u in users)
    return [{"id": u.id, "name": u.name, "on_duty": u.id not in away} for u in users]


def worker_card(conv: Conversation) -> dict | None:
    """Who the resident is talking to: the assignee, else their grid worker (one on duty, if any is)."""
    person = conv.assignee
    if person is None:
        workers = grid_workers(conv.grid_id)
        away = off_duty_ids(w.id for w in workers)
        person = next((w for w in workers if w.id not in away), next(iter(workers), None))
    else:
        away = off_duty_ids([person.id])
    if person is None:
        return None
    return {
        "id": person.id,
        "name": person.name,
        "phone": person.phone,
        "grid": conv.grid.name if conv.grid is not None else None,
        "community": conv.community.name,
        # Off duty: the resident is told that the community's other workers answer meanwhile.
        "on_duty": person.id not in away,
        "photo_url": photo_url(person),
    }


# --- sending -----------------------------------------------------------------------------------------------


def _check_attachments(ids: list[int], *, by: User) -> None:
    if not ids:
        return
    if len(ids) > MAX_ATTACHMENTS or len(set(ids)) != len(ids):
        raise UnprocessableError(fields={"attachment_ids": [f"At most {MAX_ATTACHMENTS}, each once."]})
    free = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Upload)
        .where(Upload.id.in_(ids), Upload.owner_id == by.id, unattached())
    )
    if free != len(ids):
        raise UnprocessableError(
            fields={"attachment_ids": ["Use ids from POST /uploads: your own, not used elsewhere."]}
        )


def _replay(by: User, client_id: str, conversation_id: int) -> ChatMessage | None:
    msg = db.session.scalar(sa.select(M).where(M.sender_id == by.id, M.client_id == client_id))
    if msg is not None and msg.conversation_id != conversation_id:
        raise ConflictError("This client_id was used for another conversation.", code="client_id_reused")
    return msg


def _next_seq(conv: Conversation, internal: bool, *, now: datetime, preview: str | None) -> int:
    """Bumps the conversation's counter in the database; the row lock orders concurrent senders.
    The same statement records the activity (updated_at, and the preview for a public message), and the
    values written are set on `conv` as committed: no reload, no second UPDATE for them."""
    column = C.last_note_seq if internal else C.last_seq
    values = {column: column + 1, C.updated_at: now}
    if not internal:
        values[C.last_message_at] = now
        values[C.last_preview] = preview
    seq = db.session.execute(
        sa.update(C).where(C.id == conv.id).values(values).returning(column)
    ).scalar_one()
    set_committed_value(conv, "last_note_seq" if internal else "last_seq", seq)
    set_committed_value(conv, "updated_at", now)
    if not internal:
        set_committed_value(conv, "last_message_at", now)
        set_committed_value(conv, "last_preview", preview)
    return seq


def _append(
    conv: Conversation,
    *,
    body: str,
    sender: User | None,
    kind: MessageKind = MessageKind.TEXT,
    internal: bool = False,
    client_id: str | None = None,
    now: datetime,
) -> ChatMessage:
    preview = None if internal else (" ".join(body.split())[:PREVIEW_CHARS] or "[图片]")
    msg = ChatMessage(
        conversation=conv,
        sender=sender,
        attachments=[],
        seq=_next_seq(conv, internal, now=now, preview=preview),
        internal=internal,
        kind=kind,
        client_id=client_id,
        body=body,
        created_at=now,
    )
    db.session.add(msg)
    return msg


def send_message(
    conversation_id: int,
    *,
    by: User,
    body: str,
    client_id: str,
    attachment_ids: list[int] | None = None,
    internal: bool = False,
    now: datetime | None = None,
) -> tuple[SentMessage | ChatMessage, bool]:
    """Store a message with the conversation's next seq; returns it and whether it was a resend (then the
    stored ChatMessage).

    The hot path of chat, so written with Core statements (rows.py): the conversation is read with its
    row locked, which orders concurrent senders (the seq is the locked last_seq + 1: no gaps) and keeps
    what is decided from it current until the commit; then one write stores the message, the
    conversation's new state and the sender's read cursor (one statement on PostgreSQL), or nothing at
    all when the (sender, client_id) was stored before."""
    body = (body or "").strip()
    attachment_ids = attachment_ids or []
    db.session.flush()  # the Core statements below must see what this transaction changed through the ORM
    conv = rows.lock_conversation(conversation_id)
    side = role_in(by, conv) if conv is not None else None
    if side is None:
        raise NotFoundError("No such conversation.")
    # A resend is found by the unique (sender, client_id) on insert below, which saves a lookup on every
    # first send. A resend with photos is looked up first: its uploads are in use by then.
    if attachment_ids:
        stored = _replay(by, client_id, conversation_id)
        if stored is not None:
            return stored, True
    if internal and side != "staff":
        raise ForbiddenError("Only workers write private notes.")
    if not body and not attachment_ids:
        raise UnprocessableError(fields={"body": ["Write something or attach a photo."]})
    if internal and attachment_ids:
        raise UnprocessableError(fields={"attachment_ids": ["Private notes are text only."]})
    _check_attachments(attachment_ids, by=by)
    now = now or utcnow()
    inbox_before, resident_before = _inbox_state(conv), _resident_state(conv)
    starts_wait = side == "resident" and not internal and conv.waiting_since is None
    auto_reply = side == "resident" and not internal and _auto_reply_due(conv, now)
    msg = SentMessage(0, 0, conv.id, Named(by.id, by.name), MessageKind.TEXT, internal, body, client_id, now)
    changes = _message_changes(conv, msg)
    reader = None
    if not internal:
        msg_seq = changes["last_seq"]
        changes[f"{side}_read_seq"] = max(getattr(conv, f"{side}_read_seq"), msg_seq)
        reader = (by.id, msg_seq)
        changes |= _resident_wrote(conv, now) if side == "resident" else _staff_answered(conv, by, now)
    if not _store(conv, msg, changes, reader):
        # Sent before (or just now by a concurrent resend, which held the lock first): nothing was written.
        stored = _replay(by, client_id, conversation_id)
        if stored is None:
            raise ConflictError("This message could not be stored; send it again.", code="conflict")
        return stored, True
    if conv.assignee_id is None:
        conv.assignee = None  # none, or just handed back (a reopening while its assignee is off duty)
    elif conv.assignee is None:
        conv.assignee = Named(by.id, by.name)  # whoever answered first, just now
    if attachment_ids:
        rows.insert_attachments(msg.id, attachment_ids)
        msg.attachments = [Attached(upload_id) for upload_id in attachment_ids]
    events: list = [msg]
    if starts_wait:
        notify.conversation_waiting(conv)
    if side == "staff" and not internal:
        notify.staff_replied(conv, msg)
    if auto_reply:
        events.append(_auto_reply(conv, now))
    _expire_loaded(conv.id)
    notify.messages_posted(
        conv,
        events,
        inbox=inbox_before != _inbox_state(conv),
        resident=resident_before != _resident_state(conv),
    )
    return msg, False


def _inbox_state(conv) -> tuple:
    """What a new message can change in the staff's inbox besides its last message."""
    return conv.status, conv.assignee_id, conv.waiting_since is None


def _resident_state(conv) -> tuple:
    """What a new message can change on the resident's screen besides the messages themselves (and read
    ticks, which chat:read carries): who answers them, and whether the conversation is open."""
    return conv.status, conv.assignee_id


def _message_changes(conv, msg: SentMessage) -> dict:
    """The conversation's columns a new message sets: its seq and, for a public one, the last message."""
    if msg.internal:
        return {"last_note_seq": conv.last_note_seq + 1, "updated_at": msg.created_at}
    preview = " ".join(msg.body.split())[:PREVIEW_CHARS] or "[图片]"
    return {
        "last_seq": conv.last_seq + 1,
        "last_message_at": msg.created_at,
        "last_preview": preview,
        "updated_at": msg.created_at,
    }


def _store(conv, msg: SentMessage, changes: dict, reader: tuple[int, int] | None) -> bool:
    """Write the message with the seq `changes` give it, the changes and the reader's cursor; set them on
    `conv` and the id on `msg`. False (nothing written) when its client_id was used before."""
    msg.seq = changes["last_note_seq" if msg.internal else "last_seq"]
    values = {
        "conversation_id": conv.id,
        "seq": msg.seq,
        "internal": msg.internal,
        "kind": msg.kind,
        "sender_id": msg.sender_id,
        "client_id": msg.client_id,
        "body": msg.body,
        "created_at": msg.created_at,
    }
    message_id = rows.store_message(conv.id, values, changes, reader)
    if message_id is None:
        return False
    msg.id = message_id
    conv.__dict__.update(changes)
    return True


def _resident_wrote(conv, now: datetime) -> dict:
    changes = {}
    if conv.status == ConversationStatus.RESOLVED:
        changes |= {"status": ConversationStatus.OPEN, "resolved_at": None, "csat_rating": None,
                    "csat_comment": None, "rated_at": None}  # fmt: skip
        if conv.assignee_id is not None and off_duty_ids([conv.assignee_id]):
            changes["assignee_id"] = None  # whoever had it is away: up for any colleague to take
    if conv.first_message_at is None:
        changes["first_message_at"] = now
    if conv.waiting_since is None:
        changes["waiting_since"] = now
        if conv.shared_at is None:
            if _shares_at_once(conv, now, reopening=conv.status == ConversationStatus.RESOLVED):
                changes["shared_at"] = now
            else:
                after = current_app.config["CHAT_SHARE_AFTER_SECONDS"]
                changes["share_due_at"] = now + timedelta(seconds=after)
    return changes


def _shares_at_once(conv, now: datetime, *, reopening: bool) -> bool:
    """Whether a resident's message, starting a wait, should reach the whole community at once: out of hours,
    or (asked only when a resolved conversation reopens) with no grid worker on duty. An open conversation
    of a grid whose last worker went off duty was shared then (set_duty), so a message in it need not ask."""
    if not is_working_time(now):
        return True
    return reopening and not grid_workers(conv.grid_id, on_duty=True)


def _auto_reply_due(conv, now: datetime) -> bool:
    return not is_working_time(now) and (
        conv.auto_replied_at is None or conv.auto_replied_at <= now - AUTO_REPLY_EVERY
    )


def _auto_reply(conv, now: datetime) -> SentMessage:
    """The out-of-hours reply after the resident's message (its seq follows it in the same transaction)."""
    msg = SentMessage(0, 0, conv.id, None, MessageKind.AUTO, False, auto_reply_text(now), None, now)
    _store(conv, msg, _message_changes(conv, msg) | {"auto_replied_at": now}, None)
    return msg


def _staff_answered(conv, by: User, now: datetime) -> dict:
    changes = {}
    if conv.waiting_since is not None or conv.share_due_at is not None:
        changes |= {"waiting_since": None, "share_due_at": None}
    if conv.first_response_at is None:
        changes["first_response_at"] = now
    if conv.assignee_id is None:
        # Whoever answers first owns the conversation (claim without the button).
        changes["assignee_id"] = by.id
    return changes


def _expire_loaded(conversation_id: int) -> None:
    """A Conversation this session had loaded is stale after the Core UPDATE: reload it on next use."""
    loaded = db.session.identity_map.get(sa.orm.util.identity_key(Conversation, conversation_id))
    if loaded is not None:
        db.session.expire(loaded)


# --- reading -----------------------------------------------------------------------------------------------


def list_messages(
    conversation_id: int,
    *,
    viewer: User,
    after_seq: int | None = None,
    before_seq: int | None = None,
    limit: int = 50,
    internal: bool = False,
) -> tuple[list[ChatMessage], bool]:
    """Messages after `after_seq` (oldest first, for catching up) or before `before_seq` (the page just
    before it, for scrolling back); with neither, the newest page. Returns (messages, has_more)."""
    conv, side = get_conversation(conversation_id, viewer=viewer)
    if internal and side != "staff":
        raise NotFoundError("No such conversation.")
    stmt = (
        sa.select(M)
        .where(M.conversation_id == conv.id, M.internal.is_(internal))
        .options(selectinload(M.sender), selectinload(M.attachments))
    )
    if after_seq is not None:
        rows = list(db.session.scalars(stmt.where(M.seq > after_seq).order_by(M.seq).limit(limit + 1)))
        return rows[:limit], len(rows) > limit
    if before_seq is not None:
        stmt = stmt.where(M.seq < before_seq)
    rows = list(db.session.scalars(stmt.order_by(M.seq.desc()).limit(limit + 1)))
    return list(reversed(rows[:limit])), len(rows) > limit


def _mark_read(conv: Conversation, user: User, side: str, seq: int) -> None:
    # One UPDATE when the cursor exists (every message after a user's first); the row is never loaded.
    read = ConversationRead
    moved = db.session.execute(
        sa.update(read)
        .where(read.conversation_id == conv.id, read.user_id == user.id, read.last_read_seq < seq)
        .values(last_read_seq=seq)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved and db.session.get(read, (conv.id, user.id)) is None:
        db.session.add(read(conversation_id=conv.id, user_id=user.id, last_read_seq=seq))
    if side == "resident":
        conv.resident_read_seq = max(conv.resident_read_seq, seq)
    else:
        conv.staff_read_seq = max(conv.staff_read_seq, seq)


def mark_read(conversation_id: int, *, by: User, seq: int) -> tuple[Conversation, int]:
    conv, side = get_conversation(conversation_id, viewer=by)
    seq = min(seq, conv.last_seq)
    before = conv.resident_read_seq if side == "resident" else conv.staff_read_seq
    _mark_read(conv, by, side, seq)
    db.session.flush()
    after = conv.resident_read_seq if side == "resident" else conv.staff_read_seq
    if after > before:
        notify.read(conv, side=side, user=by, seq=after)
    return conv, seq


def typing(conversation_id: int, *, by: User, is_typing: bool = True, internal: bool = False) -> None:
    conv, side = get_conversation(conversation_id, viewer=by)
    notify.typing(conv, by, side=side, is_typing=is_typing, internal=internal and side == "staff")


# --- inbox -------------------------------------------------------------------------------------------------

INBOX_KEYS = [SortKey(C.updated_at, "updated_at"), SortKey(C.id, "id")]


def list_conversations(
    *, viewer: User, scope: str, status: str | None, limit: int, cursor: str | None
) -> tuple[list[tuple[Conversation, int]], str | None]:
    """The viewer's conversations (a resident's own; a worker's inbox by scope), newest activity first,
    each with its unread count."""
    read = sa.orm.aliased(ConversationRead)
    stmt = sa.select(C, sa.func.coalesce(read.last_read_seq, 0).label("read_seq")).outerjoin(
        read, sa.and_(read.conversation_id == C.id, read.user_id == viewer.id)
    )
    staff = staff_scope(viewer)
    if scope == "resident" or not staff:
        stmt = stmt.where(C.resident_id == viewer.id)
    else:
        # An empty conversation (opened, nothing said) is nobody's work yet.
        stmt = stmt.where(visible_clause(viewer, staff), C.first_message_at.is_not(None))
        if scope == "mine":
            stmt = stmt.where(C.assignee_id == viewer.id)
        elif scope == "unassigned":
            stmt = stmt.where(C.assignee_id.is_(None))
    if status:
        stmt = stmt.where(C.status == ConversationStatus(status))
    stmt = page_query(stmt, INBOX_KEYS, limit=limit, cursor=cursor).options(
        selectinload(C.resident), selectinload(C.assignee), selectinload(C.grid)
    )
    rows = db.session.execute(stmt).all()

    class _Row:
        def __init__(self, row):
            self.conv, self.read_seq = row[0], row[1]
            self.updated_at, self.id = self.conv.updated_at, self.conv.id

    page, next_cursor = cut_page([_Row(r) for r in rows], INBOX_KEYS, limit=limit)
    return [(r.conv, max(r.conv.last_seq - r.read_seq, 0)) for r in page], next_cursor


def unread_for(conv: Conversation, user: User) -> int:
    row = db.session.get(ConversationRead, (conv.id, user.id))
    return max(conv.last_seq - (row.last_read_seq if row else 0), 0)


# --- assignment and state ----------------------------------------------------------------------------------


def _staff_only(conversation_id: int, by: User) -> Conversation:
    conv, side = get_conversation(conversation_id, viewer=by, lock=True)
    if side != "staff":
        raise ForbiddenError("Only the community's workers can do this.")
    return conv


def _system(conv: Conversation, text: str, now: datetime) -> ChatMessage:
    msg = _append(conv, body=text, sender=None, kind=MessageKind.SYSTEM, now=now)
    db.session.flush()
    return msg


def claim(conversation_id: int, *, by: User, now: datetime | None = None) -> Conversation:
    conv = _staff_only(conversation_id, by)
    if conv.assignee_id == by.id:
        return conv
    # Conditional, so two workers pressing "claim" at once cannot both win.
    won = db.session.execute(
        sa.update(C).where(C.id == conv.id, C.assignee_id.is_(None)).values(assignee_id=by.id)
    ).rowcount
    if not won:
        raise ConflictError("A colleague has already taken this conversation.", code="already_claimed")
    db.session.refresh(conv)
    msg = _system(conv, f"工作人员 {by.name} 为您服务", now or utcnow())
    notify.messages_posted(conv, [msg])
    return conv


def transfer(conversation_id: int, *, by: User, to_user_id: int, now: datetime | None = None) -> Conversation:
    conv = _staff_only(conversation_id, by)
    target = db.session.get(User, to_user_id)
    if target is None or not target.is_active or not is_chat_staff_of(target, conv.community_id):
        raise UnprocessableError(fields={"to_user_id": ["Choose a worker of this community."]})
    if conv.assignee_id == target.id:
        return conv
    before = staff_audience(conv)
    conv.assignee_id = target.id
    msg = _system(conv, f"已转交给工作人员 {target.name}", now or utcnow())
    notify.messages_posted(conv, [msg], also=before)
    notify.transferred(conv, target, by=by)
    return conv


def resolve(conversation_id: int, *, by: User, now: datetime | None = None) -> Conversation:
    conv = _staff_only(conversation_id, by)
    if conv.status == ConversationStatus.RESOLVED:
        raise ConflictError("This conversation is already resolved.", code="already_resolved")
    now = now or utcnow()
    conv.status = ConversationStatus.RESOLVED
    conv.resolved_at = now
    conv.waiting_since = None
    conv.share_due_at = None
    msg = _system(conv, "本次咨询已结束。欢迎为我们的服务评分，有新问题可随时留言。", now)
    notify.messages_posted(conv, [msg])
    return conv


def _reopen(conv: Conversation) -> None:
    conv.status = ConversationStatus.OPEN
    conv.resolved_at = None
    conv.csat_rating = conv.csat_comment = conv.rated_at = None


def reopen(conversation_id: int, *, by: User, now: datetime | None = None) -> Conversation:
    conv, _side = get_conversation(conversation_id, viewer=by, lock=True)
    if conv.status != ConversationStatus.RESOLVED:
        raise ConflictError("This conversation is open.", code="not_resolved")
    _reopen(conv)
    msg = _system(conv, "会话已重新打开", now or utcnow())
    notify.messages_posted(conv, [msg])
    return conv


def rate(
    conversation_id: int, *, by: User, rating: int, comment: str | None = None, now: datetime | None = None
) -> Conversation:
    conv, side = get_conversation(conversation_id, viewer=by, lock=True)
    if side != "resident":
        raise ForbiddenError("Only the resident rates the conversation.")
    if conv.status != ConversationStatus.RESOLVED:
        raise ConflictError("Rate a conversation once it is resolved.", code="not_resolved")
    if conv.rated_at is not None:
        raise ConflictError("You have already rated this conversation.", code="already_rated")
    conv.csat_rating = rating
    conv.csat_comment = (comment or "").strip() or None
    conv.rated_at = now or utcnow()
    db.session.flush()
    notify.conversation_changed(conv)
    return conv


# --- sharing with the whole community ----------------------------------------------------------------------


def share_overdue(now: datetime) -> int:
    """Conversations their grid worker has not answered in time become visible to the whole community."""
    due = list(
        db.session.scalars(
            sa.select(C).where(C.shared_at.is_(None), C.share_due_at <= now).order_by(C.id).limit(200)
        )
    )
    for conv in due:
        _share(conv, now)
    return len(due)


def share_unattended(now: datetime) -> int:
    """Open conversations kept for a grid that has no worker on duty any more (the last one went off duty,
    left the grid or was deactivated) become visible to the whole community, unless someone on duty has
    taken them. Run by set_duty, and every SHARE_CHECK_SECONDS for the other ways."""
    left = db.session.scalars(
        sa.select(C)
        .where(
            C.shared_at.is_(None),
            C.status == ConversationStatus.OPEN,
            C.grid_id.is_not(None),
            ~grid_worker_on_duty(C.grid_id),
            _assignee_away(),
        )
        .order_by(C.id)
        .limit(200)
    ).all()
    for conv in left:
        _share(conv, now)
    return len(left)


def _share(conv: Conversation, now: datetime) -> None:
    """From now on every worker of the community sees it; those who did not before are told."""
    before = staff_audience(conv)
    conv.shared_at = now
    conv.share_due_at = None
    db.session.flush()
    notify.shared(conv, newly=staff_audience(conv) - before)


# --- duty ------------------------------------------------------------------------------------------------


def duty(*, of: User) -> dict:
    """Whether the worker is on duty, and since when they are not."""
    if not staff_scope(of):
        raise ForbiddenError("Only workers go on and off duty.")
    away = db.session.get(OffDuty, of.id)
    return {
        "on_duty": away is None,
        "off_since": away.since if away is not None else None,
        "share_after_minutes": math.ceil(current_app.config["CHAT_SHARE_AFTER_SECONDS"] / 60),
    }


def set_duty(*, by: User, on_duty: bool, now: datetime | None = None) -> dict:
    """On or off duty. Going off hands back what one had taken and shares at once the open conversations
    nobody else on duty would answer first (as share_overdue would once they had waited); coming back
    changes nothing already shared or handed back."""
    if not staff_scope(by):
        raise ForbiddenError("Only workers go on and off duty.")
    away = db.session.get(OffDuty, by.id)
    if on_duty and away is not None:
        db.session.delete(away)
    elif not on_duty and away is None:
        now = now or utcnow()
        try:
            with first_write_guard():
                db.session.add(OffDuty(user_id=by.id, since=now))
                db.session.flush()
        except IntegrityError:
            return duty(of=by)  # a concurrent request (another tab) took them off duty, and shares
        _hand_back(by, now)
        share_unattended(now)  # their grids' conversations, if nobody else there is on duty
    db.session.flush()
    return duty(of=by)


def _hand_back(by: User, now: datetime) -> None:
    """The open conversations `by` had taken go back to be claimed; a system message tells both sides."""
    taken = db.session.scalars(
        sa.select(C).where(C.assignee_id == by.id, C.status == ConversationStatus.OPEN).order_by(C.id)
    ).all()
    for conv in taken:
        before = staff_audience(conv)
        conv.assignee_id = None
        msg = _system(conv, f"工作人员 {by.name} 暂时离岗，社区其他工作人员会继续为您服务", now)
        notify.messages_posted(conv, [msg], also=before)


def _assignee_away() -> sa.ColumnElement[bool]:
    """SQL: nobody has taken the conversation, or whoever did is off duty."""
    return sa.or_(C.assignee_id.is_(None), sa.exists().where(OffDuty.user_id == C.assignee_id))


# --- canned replies ----------------------------------------------------------------------------------------


def list_canned(*, viewer: User) -> list[CannedReply]:
    communities = staff_scope(viewer).community_ids
    if not communities:
        raise ForbiddenError("Only workers have canned replies.")
    return list(
        db.session.scalars(
            sa.select(CannedReply)
            .where(CannedReply.community_id.in_(communities))
            .order_by(CannedReply.shortcut, CannedReply.id)
        )
    )


def create_canned(*, by: User, shortcut: str, body: str, community_id: int | None = None) -> CannedReply:
    communities = staff_scope(by).community_ids
    if not communities:
        raise ForbiddenError("Only workers have canned replies.")
    if community_id is None:
        community_id = min(communities)
    elif community_id not in communities:
        raise UnprocessableError(fields={"community_id": ["A community you work for."]})
    reply = CannedReply(
        community_id=community_id, shortcut=shortcut.strip(), body=body.strip(), created_by_id=by.id
    )
    db.session.add(reply)
    db.session.flush()
    return reply


def can_view_upload_in_chat(upload: Upload, user: User) -> bool:
    """A photo sent in a conversation is seen by whoever sees that conversation."""
    conv = db.session.scalar(
        sa.select(C)
        .join(M, M.conversation_id == C.id)
        .join(ChatAttachment, ChatAttachment.message_id == M.id)
        .where(ChatAttachment.upload_id == upload.id)
    )
    return conv is not None and role_in(user, conv) is not None

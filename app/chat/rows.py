"""The send path's reads and writes as prebuilt Core statements, and the plain rows they return: a message
costs a handful of statements and no ORM unit of work, identity map or object loading.

The conversation is read with its row locked (FOR UPDATE on PostgreSQL; on SQLite a no-op UPDATE first takes
the database's write lock), so what the send decides from it (the next seq, waiting or answered, the
assignee) cannot be overtaken by a concurrent send before the commit.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.auth.models import User
from app.chat.models import ChatAttachment, ChatMessage, Conversation, ConversationRead, MessageKind
from app.extensions import db
from app.regions.models import Region


class Named(NamedTuple):
    """A user or region as the views show it."""

    id: int
    name: str


class Attached(NamedTuple):
    upload_id: int


class ConvRow:
    """A conversation's columns (the same attribute names as Conversation) and the names its views show:
    what access.py, views.py and notify.py read, without an ORM object."""

    resident: Named
    assignee: Named | None
    grid: Named | None

    def __init__(self, row: Mapping[str, Any]):
        values = dict(row)
        resident_name, assignee_name, grid_name = (values.pop(k) for k in ("r_name", "a_name", "g_name"))
        self.__dict__.update(values)
        self.resident = Named(self.resident_id, resident_name)
        self.assignee = Named(self.assignee_id, assignee_name) if self.assignee_id is not None else None
        self.grid = Named(self.grid_id, grid_name) if self.grid_id is not None else None


@dataclass
class SentMessage:
    """A message just stored by the send path; reads like a ChatMessage for message_view."""

    id: int
    seq: int
    conversation_id: int
    sender: Named | None
    kind: MessageKind
    internal: bool
    body: str
    client_id: str | None
    created_at: datetime
    attachments: list[Attached] = field(default_factory=list)
    view: dict | None = None

    @property
    def sender_id(self) -> int | None:
        return self.sender.id if self.sender is not None else None


_conv = Conversation.__table__
_resident = User.__table__.alias("chat_resident")
_assignee = User.__table__.alias("chat_assignee")
_grid = Region.__table__.alias("chat_grid")
_SELECT_CONV = (
    sa.select(
        *_conv.c,
        _resident.c.name.label("r_name"),
        _assignee.c.name.label("a_name"),
        _grid.c.name.label("g_name"),
    )
    .select_from(
        _conv.join(_resident, _resident.c.id == _conv.c.resident_id)
        .outerjoin(_assignee, _assignee.c.id == _conv.c.assignee_id)
        .outerjoin(_grid, _grid.c.id == _conv.c.grid_id)
    )
    .where(_conv.c.id == sa.bindparam("cid"))
)
_SELECT_CONV_LOCKED = _SELECT_CONV.with_for_update(of=_conv)
_TAKE_WRITE_LOCK = sa.update(_conv).where(_conv.c.id == sa.bindparam("cid")).values(id=_conv.c.id)
_UPDATE_CONV = _conv.update().where(_conv.c.id == sa.bindparam("cid"))
_msg = ChatMessage.__table__
_reads = ConversationRead.__table__
_INSERT_ATTACHMENTS = sa.insert(ChatAttachment.__table__)
_USER_NAME = sa.select(User.__table__.c.name).where(User.__table__.c.id == sa.bindparam("uid"))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert():
    return pg_insert if _dialect() == "postgresql" else sqlite_insert


# One statement of each kind per dialect, built on first use and reused (SQLAlchemy caches its compiled form).
_per_dialect: dict[tuple[str, str], Any] = {}


def _built(name: str, build) -> Any:
    key = (name, _dialect())
    stmt = _per_dialect.get(key)
    if stmt is None:
        stmt = _per_dialect[key] = build(_insert())
    return stmt


def _insert_message_stmt(insert):
    # A resend (same sender and client_id) inserts nothing and returns no row: no error, no savepoint.
    return (
        insert(_msg)
        .on_conflict_do_nothing(index_elements=[_msg.c.sender_id, _msg.c.client_id])
        .returning(_msg.c.id)
    )


def _move_read_stmt(insert):
    stmt = insert(_reads)
    return stmt.on_conflict_do_update(
        index_elements=[_reads.c.conversation_id, _reads.c.user_id],
        set_={"last_read_seq": stmt.excluded.last_read_seq},
        where=_reads.c.last_read_seq < stmt.excluded.last_read_seq,
    )


def lock_conversation(conversation_id: int) -> ConvRow | None:
    """The conversation with its row locked until the transaction ends (None if there is none)."""
    conn = db.session.connection()
    params = {"cid": conversation_id}
    if conn.dialect.name == "postgresql":
        row = conn.execute(_SELECT_CONV_LOCKED, params).mappings().first()
    else:
        conn.execute(_TAKE_WRITE_LOCK, params)
        row = conn.execute(_SELECT_CONV, params).mappings().first()
    return ConvRow(row) if row is not None else None


def insert_message(values: dict) -> int | None:
    """The new message's id, or None when its (sender, client_id) is already stored."""
    stmt = _built("insert_message", _insert_message_stmt)
    return db.session.connection().execute(stmt, values).scalar()


def insert_attachments(message_id: int, upload_ids: list[int]) -> None:
    rows = [{"message_id": message_id, "upload_id": u, "position": i} for i, u in enumerate(upload_ids)]
    db.session.connection().execute(_INSERT_ATTACHMENTS, rows)


def update_conversation(conv: ConvRow, changes: dict) -> None:
    """Write `changes` (column name -> value) and set them on `conv`."""
    # The SET clause follows the parameters' keys: one cached statement per set of columns.
    db.session.connection().execute(_UPDATE_CONV, {"cid": conv.id, **changes})
    conv.__dict__.update(changes)


def move_read(conversation_id: int, user_id: int, seq: int) -> None:
    """The user's read cursor to `seq` (never back), created on their first message."""
    stmt = _built("move_read", _move_read_stmt)
    db.session.connection().execute(
        stmt, {"conversation_id": conversation_id, "user_id": user_id, "last_read_seq": seq}
    )


def user_name(user_id: int) -> str:
    return db.session.connection().execute(_USER_NAME, {"uid": user_id}).scalar_one()

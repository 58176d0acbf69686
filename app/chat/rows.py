"""The send path's reads and writes as prebuilt Core statements, and the plain rows they return: a message
costs a handful of statements and no ORM unit of work, identity map or object loading.

The conversation is read with its row locked (FOR UPDATE on PostgreSQL; on SQLite a no-op UPDATE ...
RETURNING, which takes the database's write lock), so what the send decides from it (the next seq, waiting
or answered, the assignee) cannot be overtaken by a concurrent send before the commit.
"""

from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.auth.models import User
from app.chat.models import ChatAttachment, ChatMessage, Conversation, ConversationRead, MessageKind
from app.core.db import insert_for, json_recordset, json_rows
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
    ack_conversation: dict | None = None  # the conversation as the sender's side saw it change

    @property
    def sender_id(self) -> int | None:
        return self.sender.id if self.sender is not None else None


_conv = Conversation.__table__
_resident = User.__table__.alias("chat_resident")
_assignee = User.__table__.alias("chat_assignee")
_grid = Region.__table__.alias("chat_grid")
# :n message ids taken from the sequence at once, as one array (a CTE runs once, however many rows join it).
_NEW_IDS = (
    sa.select(
        sa.func.array_agg(sa.literal_column("nextval(pg_get_serial_sequence('chat_messages', 'id'))")).label(
            "new_ids"
        )
    )
    .select_from(sa.func.generate_series(1, sa.bindparam("n", type_=sa.Integer)))
    .cte("new_ids")
)


def _select_convs(*, with_ids: bool):
    joined = (
        _conv.join(_resident, _resident.c.id == _conv.c.resident_id)
        .outerjoin(_assignee, _assignee.c.id == _conv.c.assignee_id)
        .outerjoin(_grid, _grid.c.id == _conv.c.grid_id)
    )
    names = (_resident.c.name.label("r_name"), _assignee.c.name.label("a_name"), _grid.c.name.label("g_name"))
    extra = (_NEW_IDS.c.new_ids,) if with_ids else ()
    return (
        sa.select(*_conv.c, *names, *extra)
        .select_from(joined.join(_NEW_IDS, sa.true()) if with_ids else joined)
        .where(_conv.c.id.in_(sa.bindparam("cids", expanding=True)))
        # One order for every locker, so that two transactions locking overlapping sets cannot deadlock.
        .order_by(_conv.c.id)
        .with_for_update(of=_conv)
    )


_SELECT_CONVS = _select_convs(with_ids=False)
# The same, with the ids of the messages a batch will store: one round trip less per batch.
_SELECT_CONVS_AND_IDS = _select_convs(with_ids=True)


def _name_of(table, column):
    return sa.select(table.c.name).where(table.c.id == column).correlate(_conv).scalar_subquery()


# SQLite has no row locks: a no-op UPDATE takes the database's write lock, and returns the rows as it reads
# them. It sets a column no index holds: setting the rowid (id = id) made SQLite rewrite every index entry of
# the rows, three times the cost of the statement.
def _lock_and_read(*, with_max_id: bool):
    extra = (sa.select(sa.func.max(_msg.c.id)).scalar_subquery().label("max_id"),) if with_max_id else ()
    return (
        sa.update(_conv)
        .where(_conv.c.id.in_(sa.bindparam("cids", expanding=True)))
        .values(last_seq=_conv.c.last_seq)
        .returning(
            *_conv.c,
            _name_of(_resident, _conv.c.resident_id).label("r_name"),
            _name_of(_assignee, _conv.c.assignee_id).label("a_name"),
            _name_of(_grid, _conv.c.grid_id).label("g_name"),
            *extra,
        )
    )


_msg = ChatMessage.__table__
_LOCK_AND_READ = _lock_and_read(with_max_id=False)
# The same, with the largest message id: the write lock it takes keeps any other transaction from inserting
# until this one ends, so the ids after it are this transaction's to give (SQLite's own choice of rowid).
_LOCK_AND_READ_WITH_MAX_ID = _lock_and_read(with_max_id=True)
_UPDATE_CONV = _conv.update().where(_conv.c.id == sa.bindparam("cid"))
_reads = ConversationRead.__table__
_INSERT_ATTACHMENTS = sa.insert(ChatAttachment.__table__)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# One statement of each kind per dialect, built on first use and reused (SQLAlchemy caches its compiled form).
_per_dialect: dict[tuple[str, str], Any] = {}


def _built(name: str, build) -> Any:
    key = (name, _dialect())
    stmt = _per_dialect.get(key)
    if stmt is None:
        stmt = _per_dialect[key] = build(insert_for(db.session.get_bind()))
    return stmt


def _insert_message_stmt(insert):
    # A resend (same sender and client_id) inserts nothing and returns no row: no error, no savepoint.
    return (
        insert(_msg)
        .on_conflict_do_nothing(index_elements=[_msg.c.sender_id, _msg.c.client_id])
        .returning(_msg.c.id)
    )


def _insert_messages_stmt(insert):
    # Many at once (SQLite's executemany): the rows a resend would repeat are left out of its rowcount.
    return insert(_msg).on_conflict_do_nothing(index_elements=[_msg.c.sender_id, _msg.c.client_id])


def _move_read_stmt(insert):
    stmt = insert(_reads)
    return stmt.on_conflict_do_update(
        index_elements=[_reads.c.conversation_id, _reads.c.user_id],
        set_={"last_read_seq": stmt.excluded.last_read_seq},
        where=_reads.c.last_read_seq < stmt.excluded.last_read_seq,
    )


def lock_conversation(conversation_id: int) -> ConvRow | None:
    """The conversation with its row locked until the transaction ends (None if there is none); from the
    rows a `locked()` block around this call took, if it took this one."""
    taken = _locked.get()
    if taken is not None and conversation_id in taken:
        return taken[conversation_id]
    return lock_conversations([conversation_id]).get(conversation_id)


def lock_conversations(conversation_ids) -> dict[int, ConvRow]:
    """These conversations by id, their rows locked until the transaction ends, in one statement."""
    conn = db.session.connection()
    stmt = _SELECT_CONVS if conn.dialect.name == "postgresql" else _LOCK_AND_READ
    found = conn.execute(stmt, {"cids": sorted(set(conversation_ids))}).mappings()
    return {row["id"]: ConvRow(row) for row in found}


def _lock_conversations_taking_ids(conn, conversation_ids, n: int) -> tuple[dict[int, ConvRow], list[int]]:
    """lock_conversations, and n new message ids in the same statement (none if no conversation was found):
    from the sequence on PostgreSQL, after the largest id on SQLite."""
    postgresql = conn.dialect.name == "postgresql"
    stmt = _SELECT_CONVS_AND_IDS if postgresql else _LOCK_AND_READ_WITH_MAX_ID
    found = conn.execute(stmt, {"cids": sorted(set(conversation_ids)), "n": n}).mappings()
    rows, ids = {}, []
    for row in found:
        values = dict(row)
        if postgresql:
            ids = sorted(values.pop("new_ids"))
        else:
            after = values.pop("max_id") or 0
            ids = list(range(after + 1, after + 1 + n))
        rows[values["id"]] = ConvRow(values)
    return rows, ids


# The rows locked() took, for lock_conversation; the same objects all through the block, so that a second
# message to a conversation sees the seq and state the first one left (send_message sets them on its row).
_locked: ContextVar[dict[int, ConvRow] | None] = ContextVar("chat_locked", default=None)


@dataclass
class _Together:
    """The messages of a locked() block, stored together at its end with the ids taken at its start."""

    rows: dict[int, ConvRow]
    ids: deque[int]
    messages: list[dict] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)  # of the conversations, changed by any of them
    readers: dict[tuple[int, int], int] = field(default_factory=dict)  # (conversation, user) -> seq


_together: ContextVar[_Together | None] = ContextVar("chat_together", default=None)


@contextmanager
def locked(conversation_ids, *, messages: int = 0) -> Iterator[None]:
    """Lock these conversations in one statement, and have lock_conversation answer from those rows inside
    the block: a batch of sends pays one lock statement (a round trip on PostgreSQL) instead of one each.

    With `messages` (how many the block will store) their ids are taken with the locks, and the messages,
    their conversations' new state and their senders' read cursors are written at the block's end instead
    of one by one: in one statement on PostgreSQL, so a batch's round trips no longer grow with its messages,
    and in three on SQLite (each run over its rows in C), where each statement's own cost in Python was
    a sixth of the writer's. If any of them was stored before (a resend), StoredBeforeError is raised and the
    caller rolls back. An error inside the block writes nothing."""
    together = None
    conn = db.session.connection()
    if messages > 1:
        rows, ids = _lock_conversations_taking_ids(conn, conversation_ids, messages)
        together = _Together(rows, deque(ids))
    else:
        rows = lock_conversations(conversation_ids)
    token, together_token = _locked.set(rows), _together.set(together)
    try:
        yield
        if together is not None:
            _store_together(together)
    finally:
        _locked.reset(token)
        _together.reset(together_token)


class StoredBeforeError(Exception):
    """A message stored together with others had been stored before (same sender and client_id)."""


def store_message(
    conversation_id: int, values: dict, changes: dict, reader: tuple[int, int] | None
) -> int | None:
    """Insert a message (`values`) and, if it is new, write `changes` (column name -> value) to its
    conversation and move `reader`'s (user id, seq) read cursor; returns the message id, or None when its
    (sender, client_id) was stored before, and then nothing is written. One statement on PostgreSQL; inside
    a locked(messages=n) block, none until the block ends (the id is one taken for it, never None)."""
    together = _together.get()
    if together is not None:
        if together.ids and conversation_id in together.rows:
            return _store_later(together, conversation_id, values, changes, reader)
        _store_together(together)  # before this one, which SQLite would give the next of the block's ids
        together.ids.clear()
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        stmt = _pg_store(tuple(sorted(changes)), reader is not None)
        params = {"cid": conversation_id} | {f"m_{k}": v for k, v in values.items()}
        params |= {f"c_{k}": v for k, v in changes.items()}
        if reader is not None:
            params |= {"r_user_id": reader[0], "r_seq": reader[1]}
        return conn.execute(stmt, params).scalar()
    message_id = conn.execute(_built("insert_message", _insert_message_stmt), values).scalar()
    if message_id is not None:
        # The SET clause follows the parameters' keys: one cached statement per set of columns.
        conn.execute(_UPDATE_CONV, {"cid": conversation_id, **changes})
        if reader is not None:
            move_read(conversation_id, *reader)
    return message_id


_MESSAGE_COLUMNS = (
    "conversation_id",
    "seq",
    "internal",
    "kind",
    "sender_id",
    "client_id",
    "body",
    "created_at",
)
_pg_stores: dict[tuple, Any] = {}


def _pg_store(columns: tuple[str, ...], with_reader: bool):
    """WITH m AS (INSERT the message ON CONFLICT DO NOTHING RETURNING id), r AS (upsert the reader's
    cursor FROM m) UPDATE the conversation WHERE EXISTS (m) RETURNING m.id: built once per set of columns."""
    key = (columns, with_reader)
    stmt = _pg_stores.get(key)
    if stmt is not None:
        return stmt
    inserted = (
        pg_insert(_msg)
        .values({c: sa.bindparam(f"m_{c}", type_=_msg.c[c].type) for c in _MESSAGE_COLUMNS})
        .on_conflict_do_nothing(index_elements=[_msg.c.sender_id, _msg.c.client_id])
        .returning(_msg.c.id)
        .cte("m")
    )
    stmt = (
        _conv.update()
        .where(_conv.c.id == sa.bindparam("cid"), sa.exists(sa.select(inserted.c.id)))
        .values({c: sa.bindparam(f"c_{c}", type_=_conv.c[c].type) for c in columns})
        .returning(sa.select(inserted.c.id).scalar_subquery())
    )
    if with_reader:
        cursor = pg_insert(_reads).from_select(
            ["conversation_id", "user_id", "last_read_seq"],
            sa.select(
                sa.bindparam("cid", type_=sa.Integer),
                sa.bindparam("r_user_id", type_=sa.Integer),
                sa.bindparam("r_seq", type_=sa.Integer),
            ).select_from(inserted),
        )
        cursor = cursor.on_conflict_do_update(
            index_elements=[_reads.c.conversation_id, _reads.c.user_id],
            set_={"last_read_seq": cursor.excluded.last_read_seq},
            where=_reads.c.last_read_seq < cursor.excluded.last_read_seq,
        )
        stmt = stmt.add_cte(cursor.cte("r"))
    _pg_stores[key] = stmt
    return stmt


def _store_later(together: _Together, conversation_id: int, values: dict, changes: dict, reader) -> int:
    message_id = together.ids.popleft()
    together.messages.append(values | {"id": message_id})
    together.columns.update(changes)
    if reader is not None:
        key = (conversation_id, reader[0])
        together.readers[key] = max(reader[1], together.readers.get(key, 0))
    return message_id


def _store_together(together: _Together) -> None:
    """Write what the block stored: its messages, then its conversations' columns as their rows now read
    (they are locked: nothing else changed them), and its read cursors."""
    messages, readers = together.messages, together.readers
    if not messages:
        return
    columns = tuple(sorted(together.columns))
    convs = sorted({m["conversation_id"] for m in messages})
    state = {cid: {c: getattr(together.rows[cid], c) for c in columns} for cid in convs}
    cursors = [
        {"conversation_id": cid, "user_id": uid, "last_read_seq": seq} for (cid, uid), seq in readers.items()
    ]
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        updates = [{"id": cid} | values for cid, values in state.items()]
        params = {"m": json_rows(messages), "c": json_rows(updates), "r": json_rows(cursors)}
        stored = conn.execute(_pg_store_together(columns), params).scalar()
    else:
        stored = conn.execute(_built("insert_messages", _insert_messages_stmt), messages).rowcount
        if stored == len(messages):
            conn.execute(_UPDATE_CONV, [{"cid": cid} | values for cid, values in state.items()])
            if cursors:
                conn.execute(_built("move_read", _move_read_stmt), cursors)
    together.messages, together.columns, together.readers = [], set(), {}
    if stored != len(messages):
        raise StoredBeforeError()


_pg_together: dict[tuple, Any] = {}


def _pg_store_together(columns: tuple[str, ...]):
    """WITH m AS (INSERT the messages FROM their recordset ON CONFLICT DO NOTHING RETURNING id), r AS (upsert
    the read cursors), u AS (UPDATE the conversations FROM theirs) SELECT count(*) FROM m: built once per set
    of columns, and one statement whatever the number of messages."""
    stmt = _pg_together.get(columns)
    if stmt is not None:
        return stmt
    names = ("id", *_MESSAGE_COLUMNS)
    m = json_recordset(_msg, "m")
    inserted = (
        pg_insert(_msg)
        .from_select(names, sa.select(*(m.c[n] for n in names)))
        .on_conflict_do_nothing(index_elements=[_msg.c.sender_id, _msg.c.client_id])
        .returning(_msg.c.id)
        .cte("m")
    )
    cursor_columns = ("conversation_id", "user_id", "last_read_seq")
    r = json_recordset(_reads, "r")
    cursors = pg_insert(_reads).from_select(cursor_columns, sa.select(*(r.c[n] for n in cursor_columns)))
    cursors = cursors.on_conflict_do_update(
        index_elements=[_reads.c.conversation_id, _reads.c.user_id],
        set_={"last_read_seq": cursors.excluded.last_read_seq},
        where=_reads.c.last_read_seq < cursors.excluded.last_read_seq,
    )
    c = json_recordset(_conv, "c")
    conversations = _conv.update().where(_conv.c.id == c.c.id).values({n: c.c[n] for n in columns})
    stmt = sa.select(sa.func.count()).select_from(inserted).add_cte(cursors.cte("r"), conversations.cte("u"))
    _pg_together[columns] = stmt
    return stmt


def insert_attachments(message_id: int, upload_ids: list[int]) -> None:
    together = _together.get()
    if together is not None:
        _store_together(together)  # the message must be there first
    rows = [{"message_id": message_id, "upload_id": u, "position": i} for i, u in enumerate(upload_ids)]
    db.session.connection().execute(_INSERT_ATTACHMENTS, rows)


def move_read(conversation_id: int, user_id: int, seq: int) -> None:
    """The user's read cursor to `seq` (never back), created on their first message."""
    stmt = _built("move_read", _move_read_stmt)
    db.session.connection().execute(
        stmt, {"conversation_id": conversation_id, "user_id": user_id, "last_read_seq": seq}
    )

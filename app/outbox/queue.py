"""Writing to the outbox and registering its handlers; enqueue joins the caller's transaction."""

import contextlib
import contextvars
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from app.core.db import insert_for, json_recordset, json_rows, utcnow
from app.extensions import db
from app.outbox.models import PENDING_SQL, OutboxEvent

log = logging.getLogger(__name__)

Handler = Callable[[dict], None]
HANDLERS: dict[str, Handler] = {}
PERIODIC_KIND = "outbox.periodic"

# Set once a transaction that enqueued work commits, so an idle worker in this process wakes at once.
wakeup = threading.Event()
# The worker's clock while a handler runs: tests move it forward instead of sleeping.
_clock: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("outbox_clock", default=None)
# When the running handler's lease (less a margin) ends, in real time: long handlers stop and hand on.
_deadline: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("outbox_deadline", default=None)
# The rows enqueued inside batched(), written when it ends.
_batch: contextvars.ContextVar[list[dict] | None] = contextvars.ContextVar("outbox_batch", default=None)


class RetryLater(Exception):  # noqa: N818  (a signal to the worker, not an error of the caller's)
    """A handler's transient failure; `after` (seconds, e.g. from Retry-After) overrides the backoff."""

    def __init__(self, message: str, *, after: float | None = None):
        super().__init__(message)
        self.after = after


class Reschedule(Exception):  # noqa: N818
    """Raised by a handler whose work is not due yet (say, a notice moved later): run again at `at`,
    without counting an attempt."""

    def __init__(self, at: datetime):
        super().__init__(f"rescheduled to {at.isoformat()}")
        self.at = at


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    seconds: float
    fn: Callable[[], None]


PERIODIC: dict[str, PeriodicJob] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register `fn(payload)` for events of `kind`. It runs inside a transaction that also marks the event
    done, so what it writes (more events included) commits together with that mark, or not at all."""

    def register(fn: Handler) -> Handler:
        if HANDLERS.get(kind, fn) is not fn:
            raise RuntimeError(f"Outbox kind {kind!r} already has a handler")
        HANDLERS[kind] = fn
        return fn

    return register


def every(seconds: float, name: str | None = None) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register a job the workers run every `seconds` (deadline checks, closing polls). One pending outbox
    row per job, so several workers never run the same tick twice."""

    def register(fn: Callable[[], None]) -> Callable[[], None]:
        job_name = name or f"{fn.__module__}.{fn.__qualname__}"
        PERIODIC[job_name] = PeriodicJob(job_name, float(seconds), fn)
        return fn

    return register


def now() -> datetime:
    """The current time as the worker sees it (its clock may be set by tests); use it in handlers."""
    return _clock.get() or utcnow()


def deadline() -> datetime | None:
    """When the running handler must be done (real time), or None outside a worker. A handler with much
    to do checks it and enqueues the rest as a new event rather than outlive its lease."""
    return _deadline.get()


def _row(kind: str, payload: dict, run_at: datetime | None, key: str | None) -> dict[str, Any]:
    created = utcnow()
    # Inside a handler "now" is the worker's clock, so follow-up work is due on the same clock.
    at = run_at or now()
    return {
        "kind": kind,
        "payload": payload,
        "dedupe_key": key,
        "run_at": at,
        "next_attempt_at": at,
        "attempts": 0,
        "created_at": created,
    }


_STATEMENTS: dict[tuple, Any] = {}


def _replacing(stmt):
    """On a pending event with the same key that no worker holds: replace its payload and time."""
    table = OutboxEvent.__table__
    return stmt.on_conflict_do_update(
        index_elements=[table.c.dedupe_key],
        index_where=sa.text(PENDING_SQL),
        set_={
            "payload": stmt.excluded.payload,
            "run_at": stmt.excluded.run_at,
            "next_attempt_at": stmt.excluded.next_attempt_at,
        },
        where=table.c.locked_by.is_(None),
    )


def _statement(bind, columns: tuple[str, ...], *, keyed: bool):
    """The Core statement that writes rows of these columns (keyed: an upsert, see _replacing), built once.
    On PostgreSQL the rows are one JSON parameter (json_recordset), one statement whatever their number,
    where executemany dumped each row's values in Python; on SQLite, executemany runs it over them in C."""
    key = (bind.dialect.name, columns, keyed)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        table = OutboxEvent.__table__
        if bind.dialect.name == "postgresql":
            rows = json_recordset(table, "rows")
            stmt = pg_insert(table).from_select(columns, sa.select(*(rows.c[c] for c in columns)))
        else:
            stmt = insert_for(bind)(table)
        stmt = _STATEMENTS[key] = _replacing(stmt) if keyed else stmt
    return stmt


def enqueue(kind: str, payload: dict, *, run_at: datetime | None = None, key: str | None = None) -> None:
    """Add an event to the caller's transaction (never commits). With `key`, a pending event with the same
    key that no worker holds is replaced (payload and time) instead of adding a second one."""
    if kind not in HANDLERS:
        log.warning("Enqueued outbox kind %r has no handler in this process", kind)
    _add([_row(kind, payload, run_at, key)])


@contextlib.contextmanager
def batched():
    """Within it, enqueue and enqueue_many keep their rows, written together when the block ends: a
    statement or two for all of them instead of one each, for a caller that enqueues per item of a loop (the
    chat writer, per message). Rows are not visible inside the block; an error inside it discards them, and
    its caller rolls the transaction back."""
    rows: list[dict] = []
    token = _batch.set(rows)
    try:
        yield
    finally:
        _batch.reset(token)
    _write(rows)


def _add(rows: list[dict]) -> None:
    """Into the open batched() block if there is one, else into the transaction at once."""
    pending = _batch.get()
    if pending is not None:
        pending.extend(rows)
    else:
        _write(rows)


def _write(rows: list[dict]) -> None:
    # Core statements on the table, built once: no ORM object or flush per event.
    plain = [row for row in rows if row["dedupe_key"] is None]
    # A key enqueued twice ends as the later row, as the second upsert would leave it.
    keyed = list({row["dedupe_key"]: row for row in rows if row["dedupe_key"] is not None}.values())
    bind = db.session.get_bind()
    for pending, is_keyed in ((plain, False), (keyed, True)):
        if pending:
            stmt = _statement(bind, tuple(pending[0]), keyed=is_keyed)  # the columns _row gives
            params = {"rows": json_rows(pending)} if bind.dialect.name == "postgresql" else pending
            db.session.execute(stmt, params)
    if rows:
        db.session.info["outbox_wakeup"] = True


def enqueue_many(kind: str, payloads: Iterable[dict], *, run_at: datetime | None = None) -> int:
    """Add many events of one kind in one bulk insert (fan-out); returns how many."""
    rows = [_row(kind, payload, run_at, None) for payload in payloads]
    _add(rows)
    return len(rows)


def ensure_periodic(at: datetime | None = None) -> None:
    """Give every registered periodic job a pending row if it has none (first start, or after giving up)."""
    if not PERIODIC:
        return
    insert = insert_for(db.session.get_bind())
    for job in PERIODIC.values():
        row = _row(PERIODIC_KIND, {"name": job.name}, at, f"every:{job.name}")
        db.session.execute(
            insert(OutboxEvent)
            .values(**row)
            .on_conflict_do_nothing(index_elements=[OutboxEvent.dedupe_key], index_where=sa.text(PENDING_SQL))
        )


@event.listens_for(Session, "after_commit")
def _wake_worker(session: Session) -> None:
    if session.info.pop("outbox_wakeup", False):
        wakeup.set()


@event.listens_for(Session, "after_rollback")
def _forget_wakeup(session: Session) -> None:
    session.info.pop("outbox_wakeup", None)

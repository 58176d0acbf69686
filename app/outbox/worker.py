"""The outbox worker: claims due events under a lease, runs their handlers, retries with backoff.

At-least-once: an event is marked done in the same transaction as its handler's writes, only after the
handler returned. A worker that dies leaves its claimed rows leased; after the lease they are due again.
On PostgreSQL workers claim with FOR UPDATE SKIP LOCKED, so several share the table; on SQLite the claim
is a single UPDATE, which SQLite serialises (one worker is the intended setup there).
"""

import logging
import os
import random
import signal
import socket
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.core.db import utcnow
from app.extensions import db
from app.outbox.models import OutboxEvent
from app.outbox.queue import (
    HANDLERS,
    PERIODIC,
    PERIODIC_KIND,
    Reschedule,
    RetryLater,
    _clock,
    _deadline,
    ensure_periodic,
    every,
    handler,
    now,
    wakeup,
)

log = logging.getLogger(__name__)

E = OutboxEvent
PENDING = sa.and_(E.done_at.is_(None), E.failed_at.is_(None))
# Stop starting handlers this long before the lease ends, so a slow batch never overlaps another worker.
LEASE_MARGIN = timedelta(seconds=5)
MAX_RETRY_DELAY = 24 * 3600.0


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict
    attempts: int


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds())


class Worker:
    def __init__(
        self,
        app: Flask,
        *,
        name: str | None = None,
        batch_size: int | None = None,
        concurrency: int | None = None,
        lease_seconds: float | None = None,
        poll_seconds: float | None = None,
        max_attempts: int | None = None,
        periodic: bool = True,
    ):
        cfg = app.config
        self.app = app
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch_size = batch_size or cfg["OUTBOX_BATCH_SIZE"]
        self.concurrency = max(1, concurrency or cfg["OUTBOX_CONCURRENCY"])
        self.lease = timedelta(seconds=lease_seconds or cfg["OUTBOX_LEASE_SECONDS"])
        self.poll_seconds = poll_seconds if poll_seconds is not None else cfg["OUTBOX_POLL_SECONDS"]
        self.max_attempts = max_attempts or cfg["OUTBOX_MAX_ATTEMPTS"]
        self.backoff_base = cfg["OUTBOX_BACKOFF_SECONDS"]
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        self._pool = (
            ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox")
            if self.concurrency > 1
            else None
        )
        # Periodic jobs need one worker that schedules them; every worker may run them.
        self.periodic = periodic
        self._periodic_checked: float | None = None

    # -- one batch ---------------------------------------------------------------------------------------

    def run_once(self, now: datetime | None = None) -> int:
        """Claim one batch of due events and run them; returns how many were claimed.
        `now` moves the worker's clock (tests); by default it is the real time."""
        with self.app.app_context():
            self._ensure_periodic(now)
            token, until, rows = self._claim(now or utcnow())
        if not rows:
            return 0
        if self._pool is None:
            for row in rows:
                self._process(row, token, until, now)
        else:
            futures = [self._pool.submit(self._process, row, token, until, now) for row in rows]
            for future in futures:
                future.result()
        return len(rows)

    def run_until_idle(self, now: datetime | None = None, max_batches: int = 10_000) -> int:
        """Run batches until nothing is due (tests and benchmarks); returns how many events ran."""
        total = 0
        for _ in range(max_batches):
            done = self.run_once(now)
            if not done:
                break
            total += done
        return total

    def _ensure_periodic(self, now: datetime | None) -> None:
        if not self.periodic or not PERIODIC:
            return
        if self._periodic_checked is not None and time.monotonic() - self._periodic_checked < 60:
            return
        self._periodic_checked = time.monotonic()
        try:
            ensure_periodic(now)
            db.session.commit()
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            log.exception("Could not schedule periodic jobs")

    def _claim(self, now: datetime) -> tuple[str, datetime, list[Claimed]]:
        token = f"{self.name}:{uuid.uuid4().hex[:8]}"
        until = now + self.lease
        due = (
            sa.select(E.id)
            .where(PENDING, E.next_attempt_at <= now, sa.or_(E.locked_until.is_(None), E.locked_until <= now))
            .order_by(E.next_attempt_at, E.id)
            .limit(self.batch_size)
        )
        session = db.session
        claim = (
            sa.update(E)
            .values(locked_by=token, locked_until=until)
            .execution_options(synchronize_session=False)
        )
        if session.get_bind().dialect.name == "postgresql":
            ids = session.scalars(due.with_for_update(skip_locked=True)).all()
            if ids:
                session.execute(claim.where(E.id.in_(ids)))
        else:
            session.execute(claim.where(E.id.in_(due.scalar_subquery())))
        rows = [
            Claimed(r.id, r.kind, r.payload, r.attempts)
            for r in session.execute(
                sa.select(E.id, E.kind, E.payload, E.attempts).where(E.locked_by == token).order_by(E.id)
            )
        ]
        session.commit()
        return token, until, rows

    # -- one event ---------------------------------------------------------------------------------------

    def _process(self, row: Claimed, token: str, until: datetime, now: datetime | None) -> None:
        with self.app.app_context():
            started = now or utcnow()
            if started >= until - LEASE_MARGIN:
                self._release(row, token)
                return
            clock = _clock.set(now)
            # The deadline is real time; `started` is on the worker's clock, which tests may move ahead.
            lease_end = _deadline.set(until - LEASE_MARGIN - (started - utcnow()))
            try:
                fn = HANDLERS.get(row.kind)
                if fn is None:
                    raise LookupError(f"No handler for outbox kind {row.kind!r}")
                fn(row.payload)
                self._mark_done(row, token, started)
            except Reschedule as exc:
                db.session.rollback()
                self._finish(row, token, run_at=exc.at, next_attempt_at=exc.at)
            except Exception as exc:  # any handler failure is retried, never fatal
                db.session.rollback()
                self._failed(row, token, exc, started)
            finally:
                _clock.reset(clock)
                _deadline.reset(lease_end)

    def _owned(self, row: Claimed, token: str):
        return (
            sa.update(E)
            .where(E.id == row.id, E.locked_by == token)
            .execution_options(synchronize_session=False)
        )

    def _mark_done(self, row: Claimed, token: str, at: datetime) -> None:
        result = db.session.execute(
            self._owned(row, token).values(
                done_at=at, attempts=row.attempts + 1, locked_by=None, locked_until=None, last_error=None
            )
        )
        if result.rowcount != 1:
            # Our lease ran out and another worker took the event: it redoes the work, ours must not count.
            db.session.rollback()
            log.warning(
                "Lost the lease on outbox event %s (%s); another worker will run it", row.id, row.kind
            )
            return
        if row.kind == PERIODIC_KIND:
            self._schedule_next(row, at)
        db.session.commit()

    def _schedule_next(self, row: Claimed, at: datetime) -> None:
        from app.outbox.queue import enqueue

        job = PERIODIC.get(row.payload.get("name", ""))
        if job is not None:
            enqueue(
                PERIODIC_KIND,
                {"name": job.name},
                run_at=at + timedelta(seconds=job.seconds),
                key=f"every:{job.name}",
            )

    def _finish(self, row: Claimed, token: str, **values) -> None:
        db.session.execute(self._owned(row, token).values(locked_by=None, locked_until=None, **values))
        db.session.commit()

    def _release(self, row: Claimed, token: str) -> None:
        self._finish(row, token)

    def _failed(self, row: Claimed, token: str, exc: Exception, at: datetime) -> None:
        attempts = row.attempts + 1
        error = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, RetryLater | LookupError):
            error += "\n" + "".join(traceback.format_exception(exc, limit=-4))[-1500:]
        if attempts >= self.max_attempts:
            log.error("Outbox event %s (%s) gave up after %d attempts: %s", row.id, row.kind, attempts, error)
            self._finish(row, token, attempts=attempts, failed_at=at, last_error=error)
            return
        delay = (
            exc.after if isinstance(exc, RetryLater) and exc.after is not None else self._backoff(attempts)
        )
        delay = min(max(delay, 1.0), MAX_RETRY_DELAY)
        log.warning(
            "Outbox event %s (%s) attempt %d failed, retry in %.0fs: %s",
            row.id,
            row.kind,
            attempts,
            delay,
            error.splitlines()[0],
        )
        self._finish(
            row, token, attempts=attempts, last_error=error, next_attempt_at=at + timedelta(seconds=delay)
        )

    def _backoff(self, attempts: int) -> float:
        """Exponential with ±20 % jitter: base, 2×base, 4×base… capped at an hour."""
        delay = min(self.backoff_base * 2 ** (attempts - 1), 3600.0)
        return delay * random.uniform(0.8, 1.2)

    # -- the loop ----------------------------------------------------------------------------------------

    def run_forever(self, *, install_signals: bool = True) -> None:
        """Drain the outbox until stop() or SIGTERM/SIGINT: busy batches back to back, else a bounded nap."""
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self.stop())
        log.info(
            "Outbox worker %s started (batch %d, concurrency %d)",
            self.name,
            self.batch_size,
            self.concurrency,
        )
        failures = 0
        while not self._stop.is_set():
            wakeup.clear()
            try:
                claimed = self.run_once()
                failures = 0
            except Exception:  # a database hiccup must not end the worker
                failures += 1
                log.exception("Outbox worker batch failed")
                claimed = 0
                self._stop.wait(min(2**failures, 60))
                continue
            if claimed < self.batch_size:
                wakeup.wait(self.poll_seconds)
        self.close()
        log.info("Outbox worker %s stopped", self.name)

    def stop(self) -> None:
        self._stop.set()
        wakeup.set()

    def close(self) -> None:
        """Let the handler threads go (a worker used with run_once rather than run_forever)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)


# -- housekeeping ------------------------------------------------------------------------------------------


def purge_done(before: datetime, chunk: int = 5000) -> int:
    """Delete events finished before `before`, in chunks so no statement holds the table for long."""
    total = 0
    while True:
        ids = db.session.scalars(sa.select(E.id).where(E.done_at < before).limit(chunk)).all()
        if not ids:
            return total
        db.session.execute(sa.delete(E).where(E.id.in_(ids)).execution_options(synchronize_session=False))
        db.session.commit()
        total += len(ids)


@handler(PERIODIC_KIND)
def _run_periodic(payload: dict) -> None:
    job = PERIODIC.get(payload.get("name", ""))
    if job is None:
        log.warning("Periodic job %r is no longer registered; dropping it", payload.get("name"))
        return
    job.fn()


# -- running it --------------------------------------------------------------------------------------------


def start_in_process(app: Flask) -> Worker | None:
    """Development: one daemon thread drains the outbox beside the web server (idempotent per app)."""
    if app.extensions.get("outbox_worker") is not None:
        return app.extensions["outbox_worker"]
    worker = Worker(app, concurrency=2)
    app.extensions["outbox_worker"] = worker
    worker.thread = threading.Thread(
        target=worker.run_forever, kwargs={"install_signals": False}, name="outbox-worker", daemon=True
    )
    worker.thread.start()
    return worker


def init_app(app: Flask) -> None:
    """With WORKER_IN_PROCESS, start the worker thread on the first request, so CLI commands (db upgrade,
    seeding, `flask worker` itself) never start one."""
    if not app.config.get("WORKER_IN_PROCESS"):
        return
    lock = threading.Lock()

    @app.before_request
    def _start_worker_thread():
        if app.extensions.get("outbox_worker") is None:
            with lock:
                start_in_process(app)


@click.command("worker")
@click.option(
    "--concurrency", type=int, default=None, help="Handlers run at once (default OUTBOX_CONCURRENCY)."
)
@click.option(
    "--batch-size", type=int, default=None, help="Events claimed per batch (default OUTBOX_BATCH_SIZE)."
)
@click.option("--once", is_flag=True, help="Run until nothing is due, then exit.")
@with_appcontext
def worker_command(concurrency: int | None, batch_size: int | None, once: bool) -> None:
    """Drain the outbox: push delivery, fallbacks and periodic jobs. Stops cleanly on SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    worker = Worker(current_app._get_current_object(), concurrency=concurrency, batch_size=batch_size)
    if once:
        click.echo(f"{worker.run_until_idle()} events handled")
        return
    worker.run_forever()


@every(3600, name="outbox.purge_done")
def _purge_finished_events() -> None:
    """Finished events are kept OUTBOX_KEEP_DONE_DAYS for inspection; given-up ones are kept until fixed."""
    purge_done(now() - timedelta(days=current_app.config["OUTBOX_KEEP_DONE_DAYS"]))

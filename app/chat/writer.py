"""Group commit of the messages sent over sockets: one writer per process, and one transaction with one
COMMIT for all the sends that arrived while it wrote the previous ones.

A transaction has costs that need not be paid once per message: taking a pooled connection and an app context,
the COMMIT (on PostgreSQL it and the BEGIN are two round trips; on SQLite with SQLITE_SYNCHRONOUS=FULL an
fsync, during which a gevent server runs nothing else), the locks of the batch's conversations, taken in one
statement (rows.locked), on PostgreSQL the messages themselves, stored in one more, and the batch's pushes,
written in a statement or two (outbox.batched). So a socket's `chat:send` hands its message to the writer (a
background task in the server's async mode) and waits. The writer takes everything waiting (while messages
keep coming, also what arrives within CHAT_COMMIT_DELAY_MS of the first), stores each message through the
same `service.send_message` as the REST path, commits once, emits each message's events in the order stored,
and only then wakes the senders, whose acks follow. A message is still stored before anyone is told of it, and
a conversation's seq still rises by one under its row lock. A batch takes all its conversations' locks at its
start, in one statement and in id order, so the writers of two processes cannot deadlock on them.

A send that fails never takes another with it: if any message of a batch is refused by the service (not
found, forbidden, invalid) or fails otherwise, the batch is rolled back and each of its messages is written
again in a transaction of its own.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from marshmallow import ValidationError

from app import outbox
from app.chat import notify, rows, service
from app.chat.views import sent_view
from app.core import after_commit
from app.core.errors import ApiError, UnavailableError
from app.extensions import db, socketio

log = logging.getLogger(__name__)

# Enough for a burst; a bigger batch would hold its conversations' row locks longer.
MAX_BATCH = 64
# A batch that starts within this long of the last one's end waits CHAT_COMMIT_DELAY_MS for more: with a
# message now and then none waits, and under load the delay buys fewer commits (PostgreSQL's commit_delay,
# which also waits only when other transactions are active).
BUSY_SECONDS = 0.05
NOT_STORED = "The message could not be stored; send it again."
# A sender waits at most this long: only a writer stuck on the database takes so long. The client may send
# again; its client_id makes that safe.
WAIT_SECONDS = 30.0


class _RefusedError(Exception):
    """A message of the batch was refused: the others are written again without it."""


@dataclass(eq=False)
class _Send:
    conversation_id: int
    user: Any
    data: dict
    done: Any  # an event of the server's async mode
    answer: tuple[dict, bool, dict | None] | None = None
    error: Exception | None = None
    effects: list = field(default_factory=list)
    sid: str | None = None  # the connection that sent it


class GroupWriter:
    def __init__(self, app: Flask):
        self.app = app
        eio = socketio.server.eio
        self.queue = eio.create_queue()
        self.empty = eio.get_queue_empty_exception()
        self.new_event = eio.create_event
        self.delay = app.config["CHAT_COMMIT_DELAY_MS"] / 1000
        self.last_batch = float("-inf")
        self.batches = self.messages = 0  # how much was grouped (tests/chat/test_writer.py)
        socketio.start_background_task(self._run)

    def send(
        self, conversation_id: int, user, data: dict, sid: str | None = None
    ) -> tuple[dict, bool, dict | None]:
        """What service.send_message stores, as the ack's (message view, replayed, the conversation's view if
        the sender's side of it changed), once it is committed and its audience told: all but the connection
        `sid`, whose ack this is. Or the service's refusal, raised."""
        job = _Send(conversation_id, user, data, self.new_event(), sid=sid)
        self.queue.put(job)
        if not job.done.wait(WAIT_SECONDS):
            raise UnavailableError(NOT_STORED)
        if job.error is not None:
            raise job.error
        if job.answer is None:
            raise UnavailableError(NOT_STORED)
        return job.answer

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            if self.delay and time.monotonic() - self.last_batch < BUSY_SECONDS:
                socketio.sleep(self.delay)  # busy: let the sends on their way share this commit
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except self.empty:
                    break
            try:
                # A context per batch, as a request has: what a service keeps in `g` lives one batch, and the
                # session goes back to the pool at its end.
                with self.app.app_context():
                    self._write(batch)
            except Exception:  # noqa: BLE001  (the writer must outlive any one batch)
                log.exception("Writing a batch of chat messages failed")
            finally:
                self.last_batch = time.monotonic()
                for job in batch:
                    job.done.set()

    def _write(self, batch: list[_Send]) -> None:
        # Locks in id order; the sort is stable, so one conversation's messages keep the order they were sent.
        ordered = sorted(batch, key=lambda job: job.conversation_id)
        try:
            # The batch's conversations locked in one statement, its messages stored in one more (PostgreSQL),
            # and its pushes written in a statement or two.
            ids = {job.conversation_id for job in ordered}
            with rows.locked(ids, messages=len(ordered)), outbox.batched():
                for job in ordered:
                    self._store(job)
                if any(job.error is not None for job in ordered):
                    raise _RefusedError()
            db.session.commit()
        except Exception:
            db.session.rollback()
            after_commit.taken()
            if len(batch) == 1:
                if batch[0].error is None:
                    log.exception("Storing a chat message failed")
                    batch[0].error = UnavailableError(NOT_STORED)
                return
            for job in ordered:  # each alone, so a failure stays its own
                job.answer, job.error, job.effects = None, None, []
                self._write([job])
            return
        self.batches += 1
        self.messages += len(batch)
        for job in ordered:
            for fn, args, kwargs in job.effects:
                try:
                    fn(*args, **kwargs)
                except Exception:  # noqa: BLE001  (stored is stored: the client's sync catches up)
                    log.exception("Telling the audience of a chat message failed")

    def _store(self, job: _Send) -> None:
        token = notify.sending_connection.set(job.sid)
        try:
            msg, replayed = service.send_message(job.conversation_id, by=job.user, **job.data)
            job.answer = (sent_view(msg), replayed, None if replayed else msg.ack_conversation)
        except (ApiError, ValidationError) as exc:
            job.error = exc
        finally:
            notify.sending_connection.reset(token)
            job.effects = after_commit.taken()


_starting = threading.Lock()


def writer() -> GroupWriter:
    """This process's writer, started on first use (in a server, after its fork)."""
    found = current_app.extensions.get("chat_writer")
    if found is None:
        with _starting:
            found = current_app.extensions.get("chat_writer")
            if found is None:
                found = GroupWriter(current_app._get_current_object())
                current_app.extensions["chat_writer"] = found
    return found

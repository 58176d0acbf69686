"""Group commit of socket sends (app/chat/writer.py): the sends that wait while a batch is written share the
next one's transaction; each message is stored before anyone hears of it, seqs stay gapless in the order sent,
and a send that fails takes no other with it."""

import io
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from app.chat import notify, service
from app.chat.events import SocketUser
from app.chat.models import ChatAttachment, ChatMessage, Conversation, ConversationRead, MessageKind
from app.chat.writer import GroupWriter, writer
from app.core.errors import NotFoundError, UnavailableError
from app.extensions import db, socketio
from app.outbox.models import OutboxEvent
from app.push.service import FANOUT
from tests.chat.helpers import cid, open_conv
from tests.uploads.images import phone_jpeg


class HeldWriter:
    """Holds the writer inside its first send until the sends queued behind it are all waiting, so they
    arrive as one batch; every send runs in a thread of its own, as a socket's handler does."""

    def __init__(self, monkeypatch):
        self.writer = writer()
        self.entered, self.release = threading.Event(), threading.Event()
        self.threads: list[threading.Thread] = []
        self.results: dict[int, object] = {}  # by the number send() returned
        real, held = service.send_message, {"first": True}

        def send_message(*args, **kwargs):
            if held.pop("first", False):
                self.entered.set()
                assert self.release.wait(10), "the test never released the writer"
            return real(*args, **kwargs)

        monkeypatch.setattr(service, "send_message", send_message)
        self.before = (self.writer.batches, self.writer.messages)

    def send(self, conv_id: int, user, body: str, client_id: str | None = None, **extra) -> int:
        data = {"body": body, "client_id": client_id or cid(), **extra}
        sender, n = SocketUser(user), len(self.threads)

        def run():
            try:
                self.results[n] = self.writer.send(conv_id, sender, data)
            except Exception as exc:  # noqa: BLE001  (the test looks at what each sender got)
                self.results[n] = exc

        queued = self.writer.queue.qsize()
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)
        if len(self.threads) == 1:  # the writer takes the first at once, and is held in it
            assert self.entered.wait(10)
        else:  # each later one waits in the writer's queue, in the order sent
            wait_for_queue(self.writer, queued + 1)
        return n

    def finish(self) -> tuple[int, int]:
        self.release.set()
        for thread in self.threads:
            thread.join(10)
            assert not thread.is_alive()
        return self.writer.batches - self.before[0], self.writer.messages - self.before[1]


def wait_for_queue(w, size: int) -> None:
    for _ in range(500):
        if w.queue.qsize() == size:
            return
        time.sleep(0.01)
    assert w.queue.qsize() == size


@pytest.fixture
def told(monkeypatch):
    """Every chat:message emitted, with whether the message was already committed when it was told."""
    heard = []
    real = notify._emit

    def emit(event, payload, user_ids, skip_sid=None):
        if event == "chat:message":
            with db.engine.connect() as conn:  # another connection: it sees only what was committed
                stored = conn.scalar(sa.select(sa.func.count()).where(ChatMessage.id == payload["id"]))
            heard.append((payload["seq"], payload["body"], stored == 1))
        real(event, payload, user_ids, skip_sid)

    monkeypatch.setattr(notify, "_emit", emit)
    return heard


def outbox_rows() -> Counter:
    with db.engine.connect() as conn:
        return Counter(conn.scalars(sa.select(OutboxEvent.kind)))


def stored(conv_id: int) -> list[tuple[int, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(ChatMessage.seq, ChatMessage.body)
            .where(ChatMessage.conversation_id == conv_id)
            .order_by(ChatMessage.seq)
        )
        return [tuple(row) for row in rows]


def like(statements: list[str], *fragments: str) -> list[str]:
    """The statements that contain any of these fragments (PostgreSQL's and SQLite's spellings)."""
    flat = (" ".join(statement.split()) for statement in statements)
    return [statement for statement in flat if any(fragment in statement for fragment in fragments)]


def test_sends_waiting_together_share_one_commit_and_keep_their_order(client, auth, world, monkeypatch, told):
    conv = open_conv(client, auth, world.resident)["id"]
    held = HeldWriter(monkeypatch)
    sends = [
        held.send(conv, world.resident, "一"),
        held.send(conv, world.grid_worker, "二"),
        held.send(conv, world.resident, "三"),
        held.send(conv, world.grid_worker, "四"),
    ]
    assert held.finish() == (2, 4)  # the first alone, the three queued behind it together

    assert stored(conv) == [(1, "一"), (2, "二"), (3, "三"), (4, "四")]
    assert [held.results[n][0]["seq"] for n in sends] == [1, 2, 3, 4]
    assert all(replayed is False for _view, replayed, _conversation in held.results.values())
    # Told in the order stored, each only once committed.
    assert told == [(1, "一", True), (2, "二", True), (3, "三", True), (4, "四", True)]


def test_a_batch_over_several_conversations_keeps_each_ones_seq(
    client, auth, world, monkeypatch, told, count_queries
):
    mine = open_conv(client, auth, world.resident)["id"]
    theirs = open_conv(client, auth, world.resident2)["id"]
    held = HeldWriter(monkeypatch)
    held.send(mine, world.resident, "a1")
    with count_queries() as ran:
        for conv, user, body in [
            (theirs, world.resident2, "b1"),
            (mine, world.grid_worker, "a2"),
            (theirs, world.resident2, "b2"),
            (mine, world.resident, "a3"),
        ]:
            held.send(conv, user, body)
        assert held.finish() == (2, 5)
    locks = like(ran, "FOR UPDATE OF chat_conversations", "SET last_seq=chat_conversations.last_seq")
    inserts = like(ran, "INSERT INTO chat_messages")
    # The batch of four took both conversations' locks in one statement (a1's, held inside its send, had
    # taken its own before the listening began).
    assert len(locks) == 1
    # a1's message (its send was held before the store) one statement; then the four in one more (one
    # statement on PostgreSQL, run over its rows by executemany on SQLite).
    assert len(inserts) == 2
    # The four's ids came with their locks (PostgreSQL's sequence; after SQLite's largest id, under its
    # write lock): no statement of their own.
    taking_ids = "nextval" if db.engine.dialect.name == "postgresql" else "max(chat_messages.id)"
    assert like(ran, taking_ids) == like(locks, taking_ids) == locks
    if db.engine.dialect.name == "sqlite":
        # Their conversations' new state and their read cursors in a statement each (a1's own before them).
        updates = [s for s in like(ran, "UPDATE chat_conversations SET") if s not in locks]
        assert len(updates) == 2
        assert len(like(ran, "INSERT INTO chat_reads")) == 2

    assert stored(mine) == [(1, "a1"), (2, "a2"), (3, "a3")]
    assert stored(theirs) == [(1, "b1"), (2, "b2")]
    # Locked, stored and told a conversation after the other, in the order of their ids.
    assert [body for _seq, body, _ in told] == ["a1", "a2", "a3", "b1", "b2"]


def test_the_pushes_a_batch_queues_are_written_together_and_only_once(
    client, auth, world, monkeypatch, count_queries
):
    mine = open_conv(client, auth, world.resident)["id"]
    theirs = open_conv(client, auth, world.resident2)["id"]
    before = outbox_rows()
    held = HeldWriter(monkeypatch)
    held.send(mine, world.resident, "a1")  # the wait starts: the staff are pushed
    with count_queries() as ran:
        held.send(theirs, world.resident2, "b1")  # a wait starts
        held.send(mine, world.grid_worker, "a2")  # a reply: its push to the resident waits a while (keyed)
        held.send(theirs, world.resident2, "b2")  # the wait goes on: nothing
        held.send(mine, world.resident, "a3")  # a wait starts again
        held.send(mine, world.grid_worker, "a4")  # replaces a2's pending push
        assert held.finish() == (2, 6)
    statements = like(ran, "INSERT INTO outbox_events")
    # a1's batch (held inside its send, so still to write) one statement; the batch of five two, the plain
    # rows and then the keyed ones, where one by one would take four.
    assert len(statements) == 3
    added = outbox_rows() - before
    assert added == Counter({FANOUT: 3, notify.REPLY_PUSH: 1})


def test_a_batch_out_of_hours_stores_each_message_its_reply_and_the_conversations_state(
    app, client, auth, world, monkeypatch, told
):
    mine = open_conv(client, auth, world.resident)["id"]
    theirs = open_conv(client, auth, world.resident2)["id"]
    monkeypatch.setitem(app.config, "CHAT_WORKING_DAYS", "")  # closed all week
    held = HeldWriter(monkeypatch)
    held.send(mine, world.resident, "a1")  # alone: it and its automatic reply
    held.send(mine, world.grid_worker, "a2")
    # A batch of three sends that stores four messages: b1's automatic reply takes the last of the batch's
    # ids, so b2 is stored on its own, once what the batch kept is written (on SQLite, where the ids are the
    # ones after the largest, it would otherwise take one of them).
    held.send(theirs, world.resident2, "b1")
    held.send(theirs, world.resident2, "b2")  # within the hour of the reply: none again
    assert held.finish() == (2, 4)

    auto = conversations = None
    with db.engine.connect() as conn:
        auto = conn.scalar(sa.select(ChatMessage.body).where(ChatMessage.kind == MessageKind.AUTO).limit(1))
        conversations = {
            row.id: row
            for row in conn.execute(sa.select(Conversation).where(Conversation.id.in_([mine, theirs])))
        }
        cursors = dict(
            conn.execute(
                sa.select(ConversationRead.user_id, ConversationRead.last_read_seq).where(
                    ConversationRead.conversation_id == theirs
                )
            ).all()
        )
    assert stored(mine) == [(1, "a1"), (2, auto), (3, "a2")]
    assert stored(theirs) == [(1, "b1"), (2, auto), (3, "b2")]
    assert [(seq, body) for seq, body, _ in told] == [
        (1, "a1"),
        (2, auto),
        (3, "a2"),
        (1, "b1"),
        (2, auto),
        (3, "b2"),
    ]
    # What the messages changed on each conversation's row, as one by one would leave it.
    answered, waiting = conversations[mine], conversations[theirs]
    assert (answered.last_seq, answered.staff_read_seq, answered.resident_read_seq) == (3, 3, 1)
    assert answered.waiting_since is None
    assert answered.assignee_id == world.grid_worker.id
    assert answered.last_preview == "a2"
    assert answered.first_response_at is not None
    assert (waiting.last_seq, waiting.resident_read_seq, waiting.last_preview) == (3, 3, "b2")
    assert waiting.waiting_since is not None
    assert waiting.auto_replied_at is not None
    assert cursors == {world.resident2.id: 3}


def test_a_photo_in_a_batch_is_stored_with_its_message(client, auth, world, monkeypatch):
    conv = open_conv(client, auth, world.resident)["id"]
    up = client.post(
        "/api/v1/uploads", data={"file": (io.BytesIO(phone_jpeg()), "a.jpg")},
        headers=auth(world.resident), content_type="multipart/form-data",
    )  # fmt: skip
    assert up.status_code == 201
    held = HeldWriter(monkeypatch)
    held.send(conv, world.resident, "一")
    held.send(conv, world.grid_worker, "二")
    photo = held.send(conv, world.resident, "", attachment_ids=[up.get_json()["id"]])
    held.send(conv, world.grid_worker, "四")
    assert held.finish() == (2, 4)

    assert stored(conv) == [(1, "一"), (2, "二"), (3, ""), (4, "四")]
    (attached,) = held.results[photo][0]["attachments"]
    assert attached["id"] == up.get_json()["id"]
    with db.engine.connect() as conn:
        owner = conn.scalar(sa.select(ChatAttachment.message_id))
    assert owner == held.results[photo][0]["id"]


def test_a_resend_in_the_same_batch_returns_the_stored_message(client, auth, world, monkeypatch):
    conv = open_conv(client, auth, world.resident)["id"]
    held = HeldWriter(monkeypatch)
    held.send(conv, world.resident, "一")
    key = cid()
    sent = held.send(conv, world.resident, "二", client_id=key)
    # The same client_id again, as a client does when its ack was lost: queued in the same batch.
    again = held.send(conv, world.resident, "二", client_id=key)
    held.finish()
    assert stored(conv) == [(1, "一"), (2, "二")]
    assert held.results[again][0] == held.results[sent][0]
    assert (held.results[sent][1], held.results[again][1]) == (False, True)


def test_a_refused_send_fails_alone_and_leaves_nothing(client, auth, world, monkeypatch, told):
    mine = open_conv(client, auth, world.resident)["id"]
    theirs = open_conv(client, auth, world.resident2)["id"]
    held = HeldWriter(monkeypatch)
    held.send(mine, world.resident, "一")
    ok = held.send(mine, world.grid_worker, "二")
    # Another resident's conversation is not the resident's to write in: a 404, whatever else is in the batch.
    refused = held.send(theirs, world.resident, "不该出现")
    later = held.send(mine, world.resident, "三")
    batches, messages = held.finish()

    assert isinstance(held.results[refused], NotFoundError)
    assert [held.results[n][0]["seq"] for n in (ok, later)] == [2, 3]
    assert stored(mine) == [(1, "一"), (2, "二"), (3, "三")]
    assert stored(theirs) == []
    # The batch of three was rolled back and written again one by one: only what was stored counted.
    assert (batches, messages) == (3, 3)
    assert [body for _seq, body, _ in told] == ["一", "二", "三"]
    assert all(committed for *_, committed in told)


def test_a_send_that_fails_unexpectedly_gets_an_error_to_retry_and_the_others_go_through(
    client, auth, world, monkeypatch
):
    conv = open_conv(client, auth, world.resident)["id"]
    held = HeldWriter(monkeypatch)
    broken_key = cid()
    real = service.send_message

    def send_message(*args, **kwargs):
        if kwargs["client_id"] == broken_key:
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "send_message", send_message)
    held.send(conv, world.resident, "一")
    broken = held.send(conv, world.grid_worker, "坏", client_id=broken_key)
    fine = held.send(conv, world.grid_worker, "二")
    held.finish()

    assert isinstance(held.results[broken], UnavailableError)
    assert held.results[broken].to_dict()["error"]["code"] == "unavailable"
    assert held.results[fine][0]["seq"] == 2
    assert stored(conv) == [(1, "一"), (2, "二")]
    # The writer lives on.
    key = cid()
    assert writer().send(conv, SocketUser(world.resident), {"body": "三", "client_id": key})[0]["seq"] == 3


def test_the_writer_waits_for_more_sends_only_while_they_keep_coming(app, client, auth, world, monkeypatch):
    conv = open_conv(client, auth, world.resident)["id"]
    monkeypatch.setitem(app.config, "CHAT_COMMIT_DELAY_MS", 1000)
    own = GroupWriter(app)  # its own, with a delay long enough to see
    waits: list[float] = []
    sleep = socketio.sleep
    monkeypatch.setattr(socketio, "sleep", lambda seconds: (waits.append(seconds), sleep(seconds)))
    resident = SocketUser(world.resident)

    # Idle: a lone message is written at once.
    assert own.send(conv, resident, {"body": "一", "client_id": cid()})[0]["seq"] == 1
    assert (waits, own.batches) == ([], 1)

    # Busy (a batch has just ended): the next waits the delay; a send arriving meanwhile shares its commit.
    own.last_batch = time.monotonic() + 60
    first = threading.Thread(target=own.send, args=(conv, resident, {"body": "二", "client_id": cid()}))
    first.start()
    for _ in range(500):
        if waits:
            break
        time.sleep(0.01)
    assert waits == [1.0]
    assert own.send(conv, SocketUser(world.grid_worker), {"body": "三", "client_id": cid()})[0]["seq"] == 3
    first.join(10)
    assert (own.batches, own.messages) == (2, 3)
    assert stored(conv) == [(1, "一"), (2, "二"), (3, "三")]

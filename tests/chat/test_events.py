"""Socket handlers through Flask-SocketIO's test client: the token on connect and on every event, acks in the
one envelope, and who hears what (nobody outside a conversation, not even its typing)."""

import time
from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token, decode_token
from socketio import Manager, PubSubManager

from app.auth.service import start_session
from app.extensions import db, socketio
from tests.chat.helpers import cid, messages, open_conv, send

WAIT = 3.0


@pytest.fixture(autouse=True)
def _test_client_mode():
    """Flask-SocketIO's test client replaces the server's packet senders and refuses a message queue:
    give it a plain in-process manager for these tests, then put the real ones back for live servers."""
    server = socketio.server
    manager = server.manager
    if isinstance(manager, PubSubManager):
        server.manager = Manager()
        server.manager.set_server(server)
        server.manager.initialize()
    yield
    for name in ("_send_packet", "_send_eio_packet"):
        server.__dict__.pop(name, None)
    server.manager = manager


def token_for(user, **kwargs) -> str:
    tokens = start_session(user)
    db.session.commit()
    if not kwargs:
        return tokens["access_token"]
    sid = decode_token(tokens["access_token"])["sid"]
    return create_access_token(identity=str(user.id), additional_claims={"sid": sid}, **kwargs)


class Sock:
    """A test client that keeps what it received (with a message queue, events arrive a moment later)."""

    def __init__(self, app, user=None, token=None):
        self.client = socketio.test_client(app, auth={"token": token or token_for(user)})
        self.seen: list[tuple[str, dict]] = []

    def ack(self, event: str, payload: dict) -> dict:
        return self.client.emit(event, payload, callback=True)

    def events(self, name: str, wait: float = 0.0) -> list[dict]:
        deadline = time.monotonic() + wait
        while True:
            self.seen += [(p["name"], p["args"][0]) for p in self.client.get_received()]
            found = [args for n, args in self.seen if n == name]
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    def close(self):
        if self.client.is_connected():
            self.client.disconnect()


@pytest.fixture
def sockets(app):
    opened = []

    def make(user=None, token=None):
        sock = Sock(app, user, token)
        opened.append(sock)
        return sock

    yield make
    for sock in opened:
        sock.close()


@pytest.mark.parametrize("token", [None, "", "not.a.jwt"])
def test_a_connection_without_a_valid_token_is_refused(app, token):
    client = socketio.test_client(app, auth={"token": token} if token is not None else None)
    assert not client.is_connected()


def test_an_expired_token_cannot_connect(app, world):
    client = socketio.test_client(
        app, auth={"token": token_for(world.resident, expires_delta=timedelta(seconds=-5))}
    )
    assert not client.is_connected()


def test_a_refresh_token_cannot_connect(app, world):
    tokens = start_session(world.resident)
    db.session.commit()
    client = socketio.test_client(app, auth={"token": tokens["refresh_token"]})
    assert not client.is_connected()


def test_send_acks_the_stored_message_and_the_other_side_hears_it(app, client, world, auth, sockets):
    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)
    other_tab = sockets(world.resident)
    key = cid()
    ack = resident.ack("chat:send", {"conversation_id": conv["id"], "body": "电梯坏了", "client_id": key})
    msg = ack["message"]
    assert (msg["seq"], msg["body"], msg["client_id"], msg["conversation_id"]) == (
        1,
        "电梯坏了",
        key,
        conv["id"],
    )
    assert set(msg) >= {"id", "seq", "conversation_id", "sender", "body", "created_at", "client_id"}
    # A resend (the ack was lost) returns the same stored message; nobody hears it twice.
    again = resident.ack("chat:send", {"conversation_id": conv["id"], "body": "电梯坏了", "client_id": key})
    assert again["message"] == msg
    assert again["replayed"] is True
    heard = grid_worker.events("chat:message", WAIT)
    time.sleep(0.2)
    assert [m["id"] for m in grid_worker.events("chat:message")] == [msg["id"]]
    assert heard[0]["body"] == "电梯坏了"
    # The sender's other devices hear it too (another tab shows it); the connection that sent it has its ack.
    assert [m["seq"] for m in other_tab.events("chat:message", WAIT)] == [1]
    assert resident.events("chat:message") == []


def test_out_of_hours_the_sending_connection_hears_the_automatic_reply_not_its_own_message(
    app, client, world, auth, sockets, monkeypatch
):
    monkeypatch.setitem(app.config, "CHAT_WORKING_DAYS", "")  # closed all week
    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)
    sent = resident.ack("chat:send", {"conversation_id": conv["id"], "body": "有人吗", "client_id": cid()})
    assert sent["message"]["seq"] == 1
    heard = resident.events("chat:message", WAIT)
    assert [(m["seq"], m["kind"], m["client_id"]) for m in heard] == [(2, "auto", None)]
    assert [m["seq"] for m in grid_worker.events("chat:message", WAIT)] == [1, 2]


def test_outsiders_hear_nothing_not_even_typing(app, client, world, auth, sockets):
    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)
    others = [
        sockets(world.resident2),
        sockets(world.worker2),
        sockets(world.outsider),
        sockets(world.worker),
    ]
    resident.ack("chat:typing", {"conversation_id": conv["id"], "typing": True})
    resident.ack("chat:send", {"conversation_id": conv["id"], "body": "私事", "client_id": cid()})
    (typing,) = grid_worker.events("chat:typing", WAIT)
    assert typing["user"]["id"] == world.resident.id
    assert typing["typing"] is True
    grid_worker.events("chat:message", WAIT)
    time.sleep(0.3)
    for other in others:
        assert other.events("chat:typing") == []
        assert other.events("chat:message") == []
        assert other.events("chat:conversation") == []
    # Their own attempts on it are a 404, as the ack.
    for other in others[:2]:
        for event, payload in [
            ("chat:send", {"body": "x", "client_id": cid()}),
            ("chat:sync", {"after_seq": 0}),
            ("chat:typing", {}),
            ("chat:read", {"seq": 1}),
        ]:
            ack = other.ack(event, {"conversation_id": conv["id"], **payload})
            assert ack["error"]["code"] == "not_found", (event, ack)
    assert resident.events("chat:typing") == []


def test_private_notes_and_their_typing_stay_with_staff(app, client, world, auth, sockets):
    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)
    workers_other_tab = sockets(world.grid_worker)
    note = grid_worker.ack(
        "chat:send", {"conversation_id": conv["id"], "body": "内部备注", "client_id": cid(), "internal": True}
    )
    assert note["message"]["internal"] is True
    grid_worker.ack("chat:typing", {"conversation_id": conv["id"], "internal": True})
    assert [m["body"] for m in workers_other_tab.events("chat:message", WAIT)] == ["内部备注"]
    time.sleep(0.3)
    assert resident.events("chat:message") == []
    assert resident.events("chat:typing") == []
    sync = grid_worker.ack("chat:sync", {"conversation_id": conv["id"], "after_seq": 0, "after_note_seq": 0})
    assert [n["body"] for n in sync["notes"]] == ["内部备注"]
    assert "notes" not in resident.ack(
        "chat:sync", {"conversation_id": conv["id"], "after_seq": 0, "after_note_seq": 0}
    )


def test_sync_returns_what_was_missed_and_read_ticks_reach_the_other_side(app, client, world, auth, sockets):
    conv = open_conv(client, auth, world.resident)
    for n in range(1, 4):
        send(client, auth(world.grid_worker), conv["id"], f"回复{n}")
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)
    sync = resident.ack("chat:sync", {"conversation_id": conv["id"], "after_seq": 1})
    assert [m["seq"] for m in sync["messages"]] == [2, 3]
    assert sync["has_more"] is False
    assert resident.ack("chat:read", {"conversation_id": conv["id"], "seq": 3}) == {"ok": True, "seq": 3}
    (tick,) = grid_worker.events("chat:read", WAIT)
    assert tick == {"conversation_id": conv["id"], "side": "resident", "user_id": world.resident.id, "seq": 3}


def test_a_message_sent_over_rest_is_heard_on_sockets(app, client, world, auth, sockets):
    conv = open_conv(client, auth, world.resident)
    resident = sockets(world.resident)
    res = send(client, auth(world.grid_worker), conv["id"], "您好")
    (heard,) = resident.events("chat:message", WAIT)
    assert heard["id"] == res.get_json()["id"]
    assert resident.events("chat:conversation", WAIT)[-1]["id"] == conv["id"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "x"}, "client_id"),
        ({"client_id": cid(), "body": "x" * 2001}, "body"),
        ({}, "conversation_id"),
    ],
)
def test_invalid_events_get_the_envelope(app, client, world, auth, sockets, payload, field):
    conv = open_conv(client, auth, world.resident)
    resident = sockets(world.resident)
    ack = resident.ack(
        "chat:send", {"conversation_id": conv["id"], **payload} if field != "conversation_id" else payload
    )
    assert ack["error"]["code"] == "validation_error"
    assert field in ack["error"]["fields"]


def test_an_expired_token_refuses_events_until_a_fresh_connection(app, client, world, auth, sockets):
    conv = open_conv(client, auth, world.resident)
    token = token_for(world.resident, expires_delta=timedelta(seconds=2))
    short = sockets(token=token)
    assert short.client.is_connected()
    grid_worker = sockets(world.grid_worker)
    time.sleep(max(decode_token(token)["exp"] - time.time() + 0.2, 0))
    key = cid()
    ack = short.ack("chat:send", {"conversation_id": conv["id"], "body": "还在吗", "client_id": key})
    assert ack["error"]["code"] == "token_expired"
    # The expired connection hears nothing more.
    send(client, auth(world.grid_worker), conv["id"], "在的")
    time.sleep(0.3)
    assert short.events("chat:message") == []
    # A fresh connection sends the same outbox item once.
    fresh = sockets(world.resident)
    sent = fresh.ack("chat:send", {"conversation_id": conv["id"], "body": "还在吗", "client_id": key})
    assert sent["message"]["seq"] == 2
    assert [
        m["body"] for m in grid_worker.events("chat:message", WAIT) if m["sender"]["side"] == "resident"
    ] == ["还在吗"]


def test_a_revoked_login_is_refused_on_its_next_event(app, client, world, auth, sockets):
    conv = open_conv(client, auth, world.resident)
    token = token_for(world.resident)
    sock = sockets(token=token)
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    ack = sock.ack("chat:typing", {"conversation_id": conv["id"]})
    assert ack["error"]["code"] in ("token_revoked", "unauthorized")


def test_a_connection_sending_too_fast_is_rate_limited(app, client, world, auth, sockets, monkeypatch):
    monkeypatch.setitem(app.config, "CHAT_SENDS_PER_MINUTE", 3)
    conv = open_conv(client, auth, world.resident)
    resident = sockets(world.resident)
    acks = [
        resident.ack("chat:send", {"conversation_id": conv["id"], "body": f"m{n}", "client_id": cid()})
        for n in range(4)
    ]
    assert [("message" in a) for a in acks] == [True, True, True, False]
    assert acks[3]["error"]["code"] == "rate_limited"


def test_an_idle_connection_past_its_token_is_told_and_hears_nothing_more(app, client, world, auth, sockets):
    from app.chat import events

    conv = open_conv(client, auth, world.resident)
    token = token_for(world.resident, expires_delta=timedelta(seconds=60))
    idle = sockets(token=token)
    fresh = sockets(world.resident)
    assert events.sweep_expired(now=time.time()) == 0
    assert events.sweep_expired(now=decode_token(token)["exp"] + 1) == 1
    (told,) = idle.events("token_expired", WAIT)
    assert told["error"]["code"] == "token_expired"
    send(client, auth(world.grid_worker), conv["id"], "有新回复")
    assert [m["body"] for m in fresh.events("chat:message", WAIT)] == ["有新回复"]
    time.sleep(0.2)
    assert idle.events("chat:message") == []


def test_a_login_revoked_by_another_process_is_refused_within_the_recheck_window(
    app, client, world, auth, sockets, monkeypatch
):
    """Events re-check the login every AUTH_RECHECK_SECONDS; a revocation this process did not make (a plain
    UPDATE, as another server process's would look from here) is refused once that window has passed."""
    import sqlalchemy as sa

    from app.auth.models import AuthSession
    from app.chat import events

    monkeypatch.setattr(events, "AUTH_RECHECK_SECONDS", 0.3)
    conv = open_conv(client, auth, world.resident)
    token = token_for(world.resident)
    sock = sockets(token=token)
    assert "message" in sock.ack(
        "chat:send", {"conversation_id": conv["id"], "body": "一", "client_id": cid()}
    )
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(AuthSession)
            .where(AuthSession.id == decode_token(token)["sid"])
            .values(revoked_at=sa.func.current_timestamp())
        )
    time.sleep(0.4)
    ack = sock.ack("chat:send", {"conversation_id": conv["id"], "body": "二", "client_id": cid()})
    assert ack["error"]["code"] == "token_revoked"


def _grid_membership(world):
    import sqlalchemy as sa

    from app.core.permissions import Role
    from app.regions.models import Membership

    return db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == world.grid_worker.id, Membership.role == Role.GRID_WORKER
        )
    )


def _end_grid_membership_elsewhere(world) -> None:
    """The grid worker's membership rejected by another process: a write this process's ORM never sees."""
    import sqlalchemy as sa

    from app.regions.models import Membership, MembershipStatus

    membership_id = _grid_membership(world).id
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(Membership)
            .where(Membership.id == membership_id)
            .values(status=MembershipStatus.REJECTED)
        )


def test_a_worker_whose_membership_ends_stops_hearing_at_once(app, client, world, auth, sockets):
    """The conversation's audience is cached per process; ending a membership here clears it."""
    from app.regions.models import MembershipStatus

    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)
    residents_other_tab = sockets(world.resident)  # hears what the resident sends, as the worker should
    resident.ack("chat:send", {"conversation_id": conv["id"], "body": "第一条", "client_id": cid()})
    assert [m["body"] for m in grid_worker.events("chat:message", WAIT)] == ["第一条"]
    _grid_membership(world).status = MembershipStatus.REJECTED
    db.session.commit()
    resident.ack("chat:send", {"conversation_id": conv["id"], "body": "第二条", "client_id": cid()})
    assert [m["body"] for m in residents_other_tab.events("chat:message", WAIT)] == ["第一条", "第二条"]
    time.sleep(0.2)
    assert [m["body"] for m in grid_worker.events("chat:message")] == ["第一条"]


def test_a_membership_ended_by_another_process_is_heard_within_the_audience_ttl(
    app, client, world, auth, sockets, monkeypatch
):

    from app.chat import access

    monkeypatch.setattr(access, "AUDIENCE_TTL_SECONDS", 0.3)
    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)
    residents_other_tab = sockets(world.resident)  # hears what the resident sends, as the worker should
    resident.ack("chat:send", {"conversation_id": conv["id"], "body": "第一条", "client_id": cid()})
    assert [m["body"] for m in grid_worker.events("chat:message", WAIT)] == ["第一条"]
    _end_grid_membership_elsewhere(world)
    time.sleep(0.4)
    resident.ack("chat:send", {"conversation_id": conv["id"], "body": "第二条", "client_id": cid()})
    assert [m["body"] for m in residents_other_tab.events("chat:message", WAIT)] == ["第一条", "第二条"]
    time.sleep(0.2)
    assert [m["body"] for m in grid_worker.events("chat:message")] == ["第一条"]


def test_the_resident_hears_chat_conversation_only_when_what_they_see_changes(
    app, client, world, auth, sockets
):
    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)

    def say(sock, body):
        ack = sock.ack("chat:send", {"conversation_id": conv["id"], "body": body, "client_id": cid()})
        assert "message" in ack
        time.sleep(0.2)
        heard = {
            resident: resident.events("chat:conversation"),
            grid_worker: grid_worker.events("chat:conversation"),
        }
        # The connection that sent it hears of the change it made in its ack alone.
        assert heard[sock] == []
        heard[sock] = [ack["conversation"]] if "conversation" in ack else []
        resident.seen.clear()
        grid_worker.seen.clear()
        return heard[resident], heard[grid_worker]

    # The resident's message starts the wait: the inbox changes, the resident's screen does not.
    to_resident, to_staff = say(resident, "电梯坏了")
    assert to_resident == []
    assert [c["waiting_since"] is not None for c in to_staff] == [True]
    # The first answer makes the worker the assignee: the resident sees who answers them.
    to_resident, to_staff = say(grid_worker, "马上来")
    assert [c["assignee"]["id"] for c in to_resident] == [world.grid_worker.id]
    assert "last_note_seq" not in to_resident[0]
    assert [(c["waiting_since"], c["assignee"]["id"]) for c in to_staff] == [(None, world.grid_worker.id)]
    to_resident, to_staff = say(resident, "谢谢")
    assert (to_resident, len(to_staff)) == ([], 1)
    # A second answer changes the inbox (no longer waiting) but nothing else the resident sees.
    to_resident, to_staff = say(grid_worker, "不客气")
    assert (to_resident, len(to_staff)) == ([], 1)
    # A message while the wait goes on changes nothing for either.
    say(resident, "还有一件事")
    assert say(resident, "楼道灯也坏了") == ([], [])
    # Writing into a resolved conversation reopens it: the resident's screen changes again.
    assert (
        client.post(
            f"/api/v1/conversations/{conv['id']}/resolve", headers=auth(world.grid_worker)
        ).status_code
        == 200
    )
    time.sleep(0.2)
    resident.events("chat:conversation")
    resident.seen.clear()
    to_resident, _ = say(resident, "又坏了")
    assert [c["status"] for c in to_resident] == ["open"]


def test_the_senders_other_tabs_hear_what_its_ack_says(app, client, world, auth, sockets):
    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)
    workers_other_tab = sockets(world.grid_worker)
    resident.ack("chat:send", {"conversation_id": conv["id"], "body": "电梯坏了", "client_id": cid()})
    workers_other_tab.events("chat:message", WAIT)
    workers_other_tab.events("chat:conversation", WAIT)
    grid_worker.events("chat:conversation", WAIT)
    workers_other_tab.seen.clear()
    grid_worker.seen.clear()
    ack = grid_worker.ack("chat:send", {"conversation_id": conv["id"], "body": "马上来", "client_id": cid()})
    # The first answer takes the conversation and ends the wait: the ack says so ...
    assert (ack["conversation"]["assignee"]["id"], ack["conversation"]["waiting_since"]) == (
        world.grid_worker.id,
        None,
    )
    # ... and the worker's other tab hears the same, as chat:message and chat:conversation.
    assert [m["id"] for m in workers_other_tab.events("chat:message", WAIT)] == [ack["message"]["id"]]
    assert workers_other_tab.events("chat:conversation", WAIT) == [ack["conversation"]]
    time.sleep(0.2)
    assert (grid_worker.events("chat:message"), grid_worker.events("chat:conversation")) == ([], [])


def test_a_user_deactivated_by_another_process_is_refused_within_the_recheck_window_and_after(
    app, client, world, auth, sockets, monkeypatch
):
    """Between full checks an event uses the user as the last check found them; a deactivation this process
    did not make is refused once AUTH_RECHECK_SECONDS have passed, and on every event after that."""
    import sqlalchemy as sa

    from app.auth.models import User
    from app.chat import events

    monkeypatch.setattr(events, "AUTH_RECHECK_SECONDS", 0.3)
    conv = open_conv(client, auth, world.resident)
    sock = sockets(world.resident)
    assert "message" in sock.ack(
        "chat:send", {"conversation_id": conv["id"], "body": "一", "client_id": cid()}
    )
    resident_id = world.resident.id
    with db.engine.begin() as conn:
        conn.execute(sa.update(User).where(User.id == resident_id).values(is_active=False))
    # The test client's events share this test's session; a server's event starts a fresh one.
    db.session.rollback()
    time.sleep(0.4)
    for body in ("二", "三"):
        ack = sock.ack("chat:send", {"conversation_id": conv["id"], "body": body, "client_id": cid()})
        assert ack["error"]["code"] == "token_revoked"
    assert [m["body"] for m in messages(client, auth(world.grid_worker), conv["id"])] == ["一"]


def test_a_worker_whose_membership_ends_here_is_refused_on_their_next_event(
    app, client, world, auth, sockets
):
    """A connection keeps its worker's staff scope between login re-checks; a membership written by this
    process drops it at once, so the very next event is authorized against the new memberships."""
    from app.regions.models import MembershipStatus

    conv = open_conv(client, auth, world.resident)
    grid_worker = sockets(world.grid_worker)
    # Typing, not a message: a worker's first answer would make them the assignee, who always sees it.
    assert grid_worker.ack("chat:typing", {"conversation_id": conv["id"], "typing": True}) == {"ok": True}
    _grid_membership(world).status = MembershipStatus.REJECTED
    db.session.commit()
    ack = grid_worker.ack("chat:typing", {"conversation_id": conv["id"], "typing": False})
    assert ack["error"]["code"] == "not_found"
    ack = grid_worker.ack("chat:send", {"conversation_id": conv["id"], "body": "还在吗", "client_id": cid()})
    assert ack["error"]["code"] == "not_found"


def test_a_worker_keeps_no_scope_past_the_recheck_window_when_another_process_ends_it(
    app, client, world, auth, sockets, monkeypatch
):
    """A membership ended by another process (a plain UPDATE here) stops the worker's events once
    AUTH_RECHECK_SECONDS have passed, as a revoked login does; before that, the kept scope answers without
    reading memberships."""

    from app.chat import events

    monkeypatch.setattr(events, "AUTH_RECHECK_SECONDS", 0.3)
    conv = open_conv(client, auth, world.resident)
    grid_worker = sockets(world.grid_worker)
    typing = {"conversation_id": conv["id"], "typing": True}
    assert grid_worker.ack("chat:typing", typing) == {"ok": True}
    _end_grid_membership_elsewhere(world)
    time.sleep(0.4)
    assert grid_worker.ack("chat:typing", typing)["error"]["code"] == "not_found"


def test_one_query_rechecks_every_connections_login_and_spares_the_events_their_own(
    app, client, world, auth, sockets, monkeypatch
):
    """recheck_logins (run every RECHECK_EVERY_SECONDS by a background task in a server) confirms every
    connection whose login still holds, so their events need no check of their own; one revoked meanwhile
    by another process is not confirmed, and its next event past the window is refused."""
    import sqlalchemy as sa

    from app.auth.models import AuthSession
    from app.chat import access, events

    monkeypatch.setattr(events, "AUTH_RECHECK_SECONDS", 0.3)
    conv = open_conv(client, auth, world.resident)
    resident_token, worker_token = token_for(world.resident), token_for(world.grid_worker)
    resident, grid_worker = sockets(token=resident_token), sockets(token=worker_token)
    checks = []
    check = events.SocketUser.check.__func__
    monkeypatch.setattr(
        events.SocketUser,
        "check",
        classmethod(lambda cls, claims: checks.append(claims) or check(cls, claims)),
    )
    time.sleep(0.4)
    assert events.recheck_logins() == 2
    # Their staff scopes came with it, as staff_scope reads them from the memberships.
    kept = {user.id: user.scope_cache for _at, _seen, user in events._checked.values()}
    assert kept[world.grid_worker.id] == [access.staff_scope(world.grid_worker)]
    assert kept[world.grid_worker.id][0].grid_ids
    assert not kept[world.resident.id][0]
    for sock in (resident, grid_worker):
        ack = sock.ack("chat:send", {"conversation_id": conv["id"], "body": "在", "client_id": cid()})
        assert "message" in ack
    assert checks == []

    with db.engine.begin() as conn:
        conn.execute(
            sa.update(AuthSession)
            .where(AuthSession.id == decode_token(resident_token)["sid"])
            .values(revoked_at=sa.func.current_timestamp())
        )
    time.sleep(0.4)
    assert events.recheck_logins() == 1
    ack = resident.ack("chat:send", {"conversation_id": conv["id"], "body": "二", "client_id": cid()})
    assert ack["error"]["code"] == "token_revoked"
    assert "message" in grid_worker.ack(
        "chat:send", {"conversation_id": conv["id"], "body": "三", "client_id": cid()}
    )
    assert len(checks) == 1


def test_audiences_in_use_are_read_again_all_at_once_as_each_would_be(app, client, world, auth, sockets):
    """refresh_audiences (the background task's, every RECHECK_EVERY_SECONDS) reads every audience a
    message used lately in one query, by the same rule as one conversation's own query; a membership ended
    by another process is then heard at once, without waiting out AUDIENCE_TTL_SECONDS."""

    from app.chat import access
    from app.chat.models import Conversation

    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = sockets(world.resident), sockets(world.grid_worker)
    residents_other_tab = sockets(world.resident)  # hears what the resident sends, as the worker should
    resident.ack("chat:send", {"conversation_id": conv["id"], "body": "第一条", "client_id": cid()})
    assert [m["body"] for m in grid_worker.events("chat:message", WAIT)] == ["第一条"]
    row = db.session.get(Conversation, conv["id"])
    for shared in (False, True):  # the shared one too, as a conversation nobody answers becomes
        access._membership_audience(row.grid_id, row.community_id, shared)
    assert access.refresh_audiences() == 2
    refreshed = {key: ids for key, (_at, ids) in access._audiences.items()}
    access._audiences.clear()
    for grid, community, shared in refreshed:
        assert access._membership_audience(grid, community, shared) == refreshed[(grid, community, shared)]
    assert world.grid_worker.id in refreshed[(row.grid_id, row.community_id, False)]

    _end_grid_membership_elsewhere(world)
    assert access.refresh_audiences() == 2
    resident.ack("chat:send", {"conversation_id": conv["id"], "body": "第二条", "client_id": cid()})
    assert [m["body"] for m in residents_other_tab.events("chat:message", WAIT)] == ["第一条", "第二条"]
    time.sleep(0.2)
    assert [m["body"] for m in grid_worker.events("chat:message")] == ["第一条"]

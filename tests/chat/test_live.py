"""Journeys with the real python-socketio client against a live server over websockets: a chat both ways
with typing and read ticks, a forced disconnect with messages sent meanwhile, a resend from a new connection,
outsiders who hear nothing, and a token that expires during a long connection (the client keeps its outbox,
refreshes, reconnects and sends it once, in order)."""

import socket
import time
from datetime import timedelta

import pytest
import requests
import socketio

from app.auth.service import start_session
from app.extensions import db
from tests.chat.helpers import cid
from tests.chat.peer import Peer
from tests.chat.test_events import token_for


@pytest.fixture
def peers(live_url):
    opened = []

    def make(token, **kwargs):
        peer = Peer(live_url, token, **kwargs)
        opened.append(peer)
        return peer

    yield make
    for peer in opened:
        peer.close()


def _in_room(room: str) -> bool:
    from app.extensions import socketio as sio

    return bool(list(sio.server.manager.get_participants("/", room)))


def open_conversation(live_url, user) -> int:
    res = requests.post(
        f"{live_url}/api/v1/conversations",
        json={},
        headers={"Authorization": f"Bearer {token_for(user)}"},
        timeout=5,
    )
    assert res.status_code in (200, 201), res.text
    return res.json()["id"]


def test_without_a_token_the_server_refuses_the_connection(live_url):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_url, auth={"token": "nope"}, transports=["websocket"], wait_timeout=5)
    assert not client.connected


def test_a_resident_and_their_grid_worker_chat_both_ways(live_url, world, peers):
    conv = open_conversation(live_url, world.resident)
    resident, worker = peers(token_for(world.resident)), peers(token_for(world.grid_worker))
    assert resident.client.transport() == "websocket"
    resident.call("chat:typing", {"conversation_id": conv, "typing": True})
    assert worker.wait_for("chat:typing", 1)[0]["user"]["side"] == "resident"
    for text in ("您好", "小区门口的路灯坏了", "已经三天了"):
        ack = resident.call("chat:send", {"conversation_id": conv, "body": text, "client_id": cid()})
        assert "message" in ack, ack
    got = worker.wait_for("chat:message", 3)
    assert [(m["seq"], m["body"]) for m in got] == [(1, "您好"), (2, "小区门口的路灯坏了"), (3, "已经三天了")]
    worker.call("chat:read", {"conversation_id": conv, "seq": 3})
    reply = worker.call(
        "chat:send", {"conversation_id": conv, "body": "收到，今天安排维修", "client_id": cid()}
    )
    assert reply["message"]["seq"] == 4
    tick = [r for r in resident.wait_for("chat:read", 1) if r["side"] == "staff"]
    assert tick[0]["seq"] == 3
    heard = [m for m in resident.wait_for("chat:message", 4) if m["sender"]["side"] == "staff"]
    assert [m["body"] for m in heard] == ["收到，今天安排维修"]


def test_after_a_forced_disconnect_sync_brings_every_missed_message_once(live_url, world, peers):
    conv = open_conversation(live_url, world.resident)
    resident, worker = peers(token_for(world.resident)), peers(token_for(world.grid_worker))
    sent = resident.call("chat:send", {"conversation_id": conv, "body": "在吗", "client_id": cid()})
    worker.wait_for("chat:message", 1)
    seen = {sent["message"]["seq"]: sent["message"]}  # the sending connection has its message in the ack
    last_seq = max(seen)
    # The phone loses its connection without a goodbye: the transport dies under the client.
    # shutdown() before close: a close alone waits for the client's reader thread, so no FIN goes out.
    resident.client.eio.ws.sock.shutdown(socket.SHUT_RDWR)
    # Bounded wait until the server has noticed and dropped the socket from the resident's room.
    deadline = time.monotonic() + 10
    while _in_room(f"user:{world.resident.id}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _in_room(f"user:{world.resident.id}")
    for n in range(1, 4):
        worker.call("chat:send", {"conversation_id": conv, "body": f"离线时的回复{n}", "client_id": cid()})
    time.sleep(0.3)

    again = peers(token_for(world.resident))
    sync = again.call("chat:sync", {"conversation_id": conv, "after_seq": last_seq})
    for m in sync["messages"] + again.events("chat:message"):
        seen.setdefault(m["seq"], m)
    assert sorted(seen) == [1, 2, 3, 4]
    assert [seen[s]["body"] for s in (2, 3, 4)] == ["离线时的回复1", "离线时的回复2", "离线时的回复3"]
    assert [m["seq"] for m in sync["messages"]] == [2, 3, 4]


def test_an_expiring_token_mid_connection_keeps_the_outbox(live_url, app, world, peers):
    conv = open_conversation(live_url, world.resident)
    tokens = start_session(world.resident)
    db.session.commit()
    from flask_jwt_extended import create_access_token, decode_token

    sid = decode_token(tokens["access_token"])["sid"]
    short = create_access_token(
        identity=str(world.resident.id), additional_claims={"sid": sid}, expires_delta=timedelta(seconds=3)
    )
    expires = decode_token(short)["exp"]
    resident, worker = peers(short), peers(token_for(world.grid_worker))
    outbox = [{"conversation_id": conv, "body": f"第{n}条", "client_id": cid()} for n in range(1, 4)]
    first = resident.call("chat:send", outbox[0])
    assert first["message"]["seq"] == 1
    outbox.pop(0)
    time.sleep(max(expires - time.time() + 0.2, 0))
    refused = resident.call("chat:send", outbox[0])
    assert refused["error"]["code"] == "token_expired"
    # The client refreshes over HTTP and reconnects with the fresh token, then drains its outbox in order.
    fresh = requests.post(
        f"{live_url}/api/v1/auth/refresh",
        headers={"Authorization": f"Bearer {tokens['refresh_token']}"},
        timeout=5,
    ).json()["access_token"]
    resident.close()
    resident.connect(fresh)
    while outbox:
        ack = resident.call("chat:send", outbox[0])
        assert "message" in ack, ack
        outbox.pop(0)
    got = worker.wait_for("chat:message", 3)
    assert [(m["seq"], m["body"]) for m in got] == [(1, "第1条"), (2, "第2条"), (3, "第3条")]


def test_a_resend_from_a_new_connection_returns_the_stored_message(live_url, world, peers):
    conv = open_conversation(live_url, world.resident)
    resident, worker = peers(token_for(world.resident)), peers(token_for(world.grid_worker))
    message = {"conversation_id": conv, "body": "ack 丢了吗", "client_id": cid()}
    first = resident.call("chat:send", message)
    assert first["replayed"] is False
    # As if the phone had never seen that ack (its connection died first): it reconnects and sends the same
    # message again, and again.
    resident.close()
    again = peers(token_for(world.resident))
    second = again.call("chat:send", message)
    assert second["replayed"] is True
    assert second["message"] == first["message"]
    third = again.call("chat:send", message)
    assert (third["replayed"], third["message"]["id"]) == (True, first["message"]["id"])
    sync = again.call("chat:sync", {"conversation_id": conv, "after_seq": 0})
    assert [(m["seq"], m["body"]) for m in sync["messages"]] == [(1, "ack 丢了吗")]
    time.sleep(0.3)
    assert [m["id"] for m in worker.events("chat:message")] == [first["message"]["id"]]


def test_outsiders_hear_nothing_of_a_conversation_not_theirs(live_url, world, peers):
    conv = open_conversation(live_url, world.resident)
    resident, grid_worker = peers(token_for(world.resident)), peers(token_for(world.grid_worker))
    # Another resident of the same community, a resident and a worker of another community, and the
    # community's worker before the conversation is shared with them.
    others = (world.resident2, world.outsider, world.worker2, world.worker)
    outsiders = {user.name: peers(token_for(user)) for user in others}
    resident.call("chat:typing", {"conversation_id": conv, "typing": True})
    sent = resident.call("chat:send", {"conversation_id": conv, "body": "只给网格员看", "client_id": cid()})
    resident.call("chat:read", {"conversation_id": conv, "seq": 1})
    grid_worker.call("chat:typing", {"conversation_id": conv, "typing": True, "internal": True})
    grid_worker.call(
        "chat:send", {"conversation_id": conv, "body": "内部备注", "client_id": cid(), "internal": True}
    )
    grid_worker.call("chat:send", {"conversation_id": conv, "body": "收到", "client_id": cid()})
    assert [m["body"] for m in resident.wait_for("chat:message", 1)] == ["收到"]
    for name, peer in outsiders.items():
        for event, payload in (
            ("chat:send", {"conversation_id": conv, "body": "我也说一句", "client_id": cid()}),
            ("chat:sync", {"conversation_id": conv, "after_seq": 0}),
            ("chat:typing", {"conversation_id": conv, "typing": True}),
            ("chat:read", {"conversation_id": conv, "seq": 1}),
        ):
            assert peer.call(event, payload)["error"]["code"] == "not_found", (name, event)
    time.sleep(0.5)  # whatever was on its way has arrived
    assert {name: peer.heard for name, peer in outsiders.items()} == {name: [] for name in outsiders}
    # The resident heard neither the private note nor its typing; the grid worker heard the resident.
    assert [m["body"] for m in resident.events("chat:message")] == ["收到"]
    assert resident.events("chat:typing") == []
    assert sent["message"]["id"] in {m["id"] for m in grid_worker.events("chat:message")}

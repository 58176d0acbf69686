"""Chat pushes end to end, through the outbox and the worker to a local push service that checks VAPID and
decrypts: a worker's reply the resident has not read, and a conversation waiting for the staff who see it."""

from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.outbox.worker import Worker
from tests.chat.helpers import open_conv, send


@pytest.fixture
def worker(app, monkeypatch):
    monkeypatch.setitem(app.config, "CHAT_REPLY_PUSH_DELAY_SECONDS", 20)
    w = Worker(app, concurrency=2, periodic=False)
    yield w
    w.close()


@pytest.fixture(autouse=True)
def _sms(sms):
    return sms


def subscribe(client, auth, user, receiver) -> str:
    sub = receiver.new_subscription()
    res = client.post("/api/v1/push/subscriptions", json=sub.json(), headers=auth(user))
    assert res.status_code == 201
    return sub.endpoint


def later(seconds: float):
    return utcnow() + timedelta(seconds=seconds)


def test_a_reply_the_resident_has_not_read_is_pushed_and_decrypts(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "请问明天停水吗？")
    send(client, auth(world.grid_worker), conv["id"], "明天上午9点到12点停水，请提前储水。")
    worker.run_until_idle()
    assert receiver.for_endpoint(endpoint) == []  # not before the resident had time to read it
    worker.run_until_idle(now=later(30))

    assert receiver.errors() == []
    (got,) = receiver.for_endpoint(endpoint)
    assert got.status == 201
    assert got.message == {
        "title": "grid_worker 回复了您",
        "body": "明天上午9点到12点停水，请提前储水。",
        "url": "/messages",
        "tag": f"chat-{conv['id']}",
        "kind": "chat_reply",
    }
    assert got.headers["urgency"] == "high"


def test_a_reply_read_in_time_is_not_pushed(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "在吗")
    reply = send(client, auth(world.grid_worker), conv["id"], "在的").get_json()
    client.post(
        f"/api/v1/conversations/{conv['id']}/read", json={"seq": reply["seq"]}, headers=auth(world.resident)
    )
    worker.run_until_idle(now=later(30))
    assert receiver.for_endpoint(endpoint) == []


def test_a_waiting_conversation_reaches_the_staff_who_see_it(
    app, client, world, auth, receiver, worker, monkeypatch
):
    monkeypatch.setitem(app.config, "CHAT_SHARE_AFTER_SECONDS", 60)
    grid_worker = subscribe(client, auth, world.grid_worker, receiver)
    community = subscribe(client, auth, world.worker, receiver)
    elsewhere = subscribe(client, auth, world.worker2, receiver)
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "楼下有人占用消防通道")
    send(client, auth(world.resident), conv["id"], "一直没挪")  # still the same wait: no second push
    worker.run_until_idle()

    (got,) = receiver.for_endpoint(grid_worker)
    assert got.message["kind"] == "staff_new_conversation"
    assert got.message["body"] == "resident：楼下有人占用消防通道"
    assert got.message["url"] == f"/messages/{conv['id']}"
    assert receiver.for_endpoint(community) == []

    # Unanswered past the configured time: the community's workers see it and hear of it.
    Worker(app, concurrency=1, periodic=True).run_until_idle(now=later(120))
    worker.run_until_idle(now=later(121))
    (shared,) = receiver.for_endpoint(community)
    assert shared.message["kind"] == "staff_new_conversation"
    assert len(receiver.for_endpoint(grid_worker)) == 1
    assert receiver.for_endpoint(elsewhere) == []

"""Two real server processes (gunicorn, gevent) sharing Redis as the Socket.IO message queue: a resident on
one and their grid worker on the other chat both ways; one process is SIGKILLed mid-conversation and the
resident reconnects to the other, resends its unacknowledged message and syncs: every message exactly once.
Runs when TEST_REDIS_URL is set."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests

from config import BASE_DIR
from tests.chat.helpers import cid
from tests.chat.peer import Peer
from tests.chat.test_events import token_for

REDIS = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS, reason="needs TEST_REDIS_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app, port: int, channel: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "APP_ENV"))}
    env.update(
        APP_ENV="development",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=REDIS,
        SOCKETIO_CHANNEL=channel,
        SOCKETIO_ASYNC_MODE="gevent",
        WORKER_IN_PROCESS="false",
        INSTANCE_PATH=app.instance_path,
        CHAT_WORKING_HOURS="00:00-24:00",
        CHAT_WORKING_DAYS="1,2,3,4,5,6,7",
        RATELIMIT_STORAGE_URI="memory://",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up")


@pytest.fixture
def servers(app):
    channel = f"linli-two-{uuid.uuid4().hex[:8]}"
    started = []
    for _ in range(2):
        port = free_port()
        process = start_server(app, port, channel)
        started.append((f"http://127.0.0.1:{port}", process))
    try:
        for url, process in started:
            wait_up(url, process)
        yield started
    finally:
        for _, process in started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)


def test_two_processes_share_a_conversation_and_survive_losing_one(client, world, auth, servers):
    (url_a, process_a), (url_b, _) = servers
    res = client.post("/api/v1/conversations", json={}, headers=auth(world.resident))
    conv = res.get_json()["id"]
    resident_token = token_for(world.resident)
    resident = Peer(url_a, resident_token)
    worker = Peer(url_b, token_for(world.grid_worker))
    peers = [resident, worker]
    try:
        for text in ("你好", "楼道灯不亮"):
            assert "message" in resident.call(
                "chat:send", {"conversation_id": conv, "body": text, "client_id": cid()}
            )
        got = worker.wait_for("chat:message", 2, timeout=10)
        assert [(m["seq"], m["body"]) for m in got] == [(1, "你好"), (2, "楼道灯不亮")]
        own = [worker.call("chat:send", {"conversation_id": conv, "body": "下午去修", "client_id": cid()})]
        heard = resident.wait_for("chat:message", 3, timeout=10)
        assert [m["body"] for m in heard if m["sender"]["side"] == "staff"] == ["下午去修"]
        last_seq = max(m["seq"] for m in heard)

        # Mid-conversation: the resident's message is in flight when its process dies.
        in_flight = {"conversation_id": conv, "body": "几点到？", "client_id": cid()}
        resident.client.emit("chat:send", in_flight)
        process_a.send_signal(signal.SIGKILL)
        process_a.wait(timeout=10)
        own.append(worker.call("chat:send", {"conversation_id": conv, "body": "三点", "client_id": cid()}))

        # The client reconnects to the surviving process, resends its outbox item, and syncs.
        resident.close()
        again = Peer(url_b, resident_token)
        peers.append(again)
        resent = again.call("chat:send", in_flight)
        assert resent["message"]["body"] == "几点到？"
        sync = again.call("chat:sync", {"conversation_id": conv, "after_seq": last_seq})
        synced = sync["messages"]
        seqs = [m["seq"] for m in synced]
        assert seqs == list(range(last_seq + 1, last_seq + 1 + len(seqs)))
        assert sorted(m["body"] for m in synced) == sorted(["几点到？", "三点"])
        everything = again.call("chat:sync", {"conversation_id": conv, "after_seq": 0})["messages"]
        bodies = [m["body"] for m in everything]
        assert bodies.count("几点到？") == 1
        assert [m["seq"] for m in everything] == list(range(1, 6))
        # And the worker, on the surviving process, heard each of the resident's messages once, and had its
        # own in their acks.
        worker.wait_for("chat:message", 3, timeout=10)
        time.sleep(0.3)  # and nothing more
        heard = worker.events("chat:message")
        assert sorted([m["seq"] for m in heard] + [a["message"]["seq"] for a in own]) == [1, 2, 3, 4, 5]
    finally:
        for peer in peers:
            peer.close()

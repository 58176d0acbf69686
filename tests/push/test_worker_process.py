"""`flask worker` as a real process: it delivers, stops cleanly on SIGTERM, and when SIGKILLed mid-batch
a restarted worker delivers the rest once the dead one's lease has run out."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.extensions import db
from app.outbox.worker import Worker
from config import BASE_DIR
from tests.factories import UserFactory, member
from tests.push.test_delivery import pending, publish, subscribe

LEASE = 30
BATCH = 3


def start_worker(app) -> subprocess.Popen:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OUTBOX_", "DATABASE_URL", "REDIS_URL", "APP_ENV"))
    }
    env.update(
        APP_ENV="development",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        INSTANCE_PATH=app.instance_path,
        OUTBOX_CONCURRENCY="1",
        OUTBOX_LEASE_SECONDS=str(LEASE),
        OUTBOX_POLL_SECONDS="0.2",
        PUSH_DELIVERY_BATCH=str(BATCH),
        SMS_BACKEND="console",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def worker_process(app):
    processes = []

    def start():
        process = start_worker(app)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_flask_worker_delivers_and_stops_cleanly_on_sigterm(client, world, auth, receiver, worker_process):
    endpoint = subscribe(client, auth, world.resident, receiver)
    process = worker_process()
    publish(world, region=world.g1)

    assert receiver.wait_for(1, timeout=30), process.stdout.read() if process.poll() is not None else ""
    assert receiver.for_endpoint(endpoint)[0].message["title"] == "停水通知"
    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == 0
    output = process.stdout.read()
    assert "stopped" in output
    assert pending() == []


def test_a_sigkilled_worker_loses_nothing(app, client, world, auth, receiver, worker_process):
    users = [world.resident]
    for _ in range(11):
        user = UserFactory()
        member(user, world.g1)
        users.append(user)
    db.session.commit()
    endpoints = [subscribe(client, auth, user, receiver) for user in users]
    receiver.delay = 0.2
    process = worker_process()
    publish(world, region=world.g1)

    assert receiver.wait_for(4, timeout=30)
    process.kill()
    process.wait(10)
    receiver.delay = 0
    delivered_before = len(receiver.accepted())
    assert delivered_before < len(endpoints)

    restarted = Worker(app, concurrency=4, periodic=False)
    assert restarted.run_until_idle(now=utcnow() + timedelta(seconds=LEASE // 2)) == 0
    restarted.run_until_idle(now=utcnow() + timedelta(seconds=LEASE + 1))

    counts = [len(receiver.for_endpoint(e)) for e in endpoints]
    assert min(counts) == 1
    # Only pushes of the delivery event in progress at the kill may arrive twice.
    assert sum(counts) <= len(endpoints) + BATCH
    assert receiver.errors() == []
    assert pending() == []

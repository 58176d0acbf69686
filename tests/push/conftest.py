"""Push fixtures: a live local push service, a worker the test drives, and the SMS memory backend."""

import pytest

from app.outbox.worker import Worker
from app.push import fallback
from app.push.vapid import keys
from tests.push.receiver import PushReceiver


@pytest.fixture
def receiver(app):
    push_service = PushReceiver(vapid_public_key=keys().public_key).start()
    yield push_service
    push_service.stop()


@pytest.fixture
def worker(app):
    worker = Worker(app, concurrency=4, periodic=False)
    yield worker
    worker.close()


@pytest.fixture
def sms(app):
    sender = fallback.sender()
    sender.clear()
    yield sender
    sender.clear()

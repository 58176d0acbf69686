"""Push fixtures for every test folder (tests/conftest.py loads this as a plugin): a live local push
service that checks VAPID and decrypts, and the SMS fallback's memory backend, emptied around a test."""

import pytest

from app.push import fallback
from app.push.vapid import keys
from tests.push.receiver import PushReceiver


@pytest.fixture
def receiver(app):
    push_service = PushReceiver(vapid_public_key=keys().public_key).start()
    yield push_service
    push_service.stop()


@pytest.fixture
def sms(app):
    sender = fallback.sender()
    sender.clear()
    yield sender
    sender.clear()

"""Chat fixtures: the workstation open around the clock unless a test closes it, uploads in a temp dir."""

import pytest

from app.outbox.worker import Worker


@pytest.fixture(autouse=True)
def _always_open(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "CHAT_WORKING_HOURS", "00:00-24:00")
    monkeypatch.setitem(app.config, "CHAT_WORKING_DAYS", "1,2,3,4,5,6,7")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", tmp_path / "uploads")


@pytest.fixture
def outbox(app):
    worker = Worker(app, concurrency=2, periodic=True)
    yield worker
    worker.close()

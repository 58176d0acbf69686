"""Push fixtures: a worker the test drives (push service and SMS backend: tests/push/fixtures.py)."""

import pytest

from app.outbox.worker import Worker


@pytest.fixture
def worker(app):
    worker = Worker(app, concurrency=4, periodic=False)
    yield worker
    worker.close()

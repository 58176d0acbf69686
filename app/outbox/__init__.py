"""Background work through a transactional outbox: `enqueue` in the caller's transaction, handlers per kind,
periodic jobs, and the worker that drains it (see worker.py)."""

from app.outbox.queue import (
    Reschedule,
    RetryLater,
    batched,
    deadline,
    enqueue,
    enqueue_many,
    every,
    handler,
    now,
)

__all__ = [
    "Reschedule",
    "RetryLater",
    "batched",
    "deadline",
    "enqueue",
    "enqueue_many",
    "every",
    "handler",
    "now",
]

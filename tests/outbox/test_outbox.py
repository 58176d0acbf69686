"""The outbox on the real database: transactional enqueue, at-least-once handling, backoff, Retry-After,
leases after a crash, keyed replacement, periodic jobs, and several workers sharing the table."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.outbox import Reschedule, RetryLater, batched, enqueue, enqueue_many, every, handler
from app.outbox.models import OutboxEvent
from app.outbox.queue import PERIODIC, PERIODIC_KIND
from app.outbox.worker import Worker, purge_done, retry_after_seconds

calls: list[tuple[str, dict]] = []
_calls_lock = threading.Lock()
plan: dict[str, list] = {}


def _record(kind: str, payload: dict) -> None:
    with _calls_lock:
        calls.append((kind, payload))
    outcome = plan.get(kind, [])
    if outcome:
        step = outcome.pop(0)
        if isinstance(step, BaseException):
            raise step


@handler("test.echo")
def _echo(payload: dict) -> None:
    _record("test.echo", payload)


@handler("test.chain")
def _chain(payload: dict) -> None:
    """Writes more work, then maybe fails: the new event must exist only if this one is marked done."""
    enqueue("test.echo", {"from": payload["n"]})
    _record("test.chain", payload)


@handler("test.later")
def _later(payload: dict) -> None:
    _record("test.later", payload)


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()
    plan.clear()
    yield
    calls.clear()
    plan.clear()


def worker(app, **kwargs) -> Worker:
    kwargs.setdefault("concurrency", 1)
    kwargs.setdefault("periodic", False)
    return Worker(app, **kwargs)


def events(kind: str | None = None) -> list[OutboxEvent]:
    db.session.expire_all()
    stmt = sa.select(OutboxEvent).order_by(OutboxEvent.id)
    if kind:
        stmt = stmt.where(OutboxEvent.kind == kind)
    return list(db.session.scalars(stmt))


def handled(kind: str = "test.echo") -> list[dict]:
    return [payload for k, payload in calls if k == kind]


def test_enqueue_joins_the_callers_transaction(app):
    enqueue("test.echo", {"n": 1})
    db.session.rollback()
    assert events() == []

    enqueue("test.echo", {"n": 2})
    db.session.commit()
    assert worker(app).run_once() == 1
    assert handled() == [{"n": 2}]
    (row,) = events("test.echo")
    assert row.done_at is not None
    assert row.attempts == 1
    assert row.locked_by is None


def test_delayed_work_waits_for_its_time(app):
    start = utcnow()
    enqueue("test.echo", {"n": 1}, run_at=start + timedelta(minutes=10))
    db.session.commit()
    w = worker(app)

    assert w.run_once(now=start + timedelta(minutes=9)) == 0
    assert handled() == []
    assert w.run_once(now=start + timedelta(minutes=10, seconds=1)) == 1
    assert handled() == [{"n": 1}]


def test_failures_retry_with_exponential_backoff_then_give_up(app):
    plan["test.echo"] = [RuntimeError("boom")] * 3
    enqueue("test.echo", {"n": 1})
    db.session.commit()
    w = worker(app, max_attempts=3)
    w.backoff_base = 10
    t = utcnow()

    delays = []
    for _ in range(3):
        assert w.run_once(now=t) == 1
        (row,) = events("test.echo")
        if row.failed_at is None:
            delays.append((row.next_attempt_at - t).total_seconds())
            assert w.run_once(now=t) == 0
            t = row.next_attempt_at
    assert 8 <= delays[0] <= 12
    assert 16 <= delays[1] <= 24
    assert row.failed_at is not None
    assert row.done_at is None
    assert row.attempts == 3
    assert "RuntimeError: boom" in row.last_error
    assert w.run_once(now=t + timedelta(days=2)) == 0


def test_retry_later_honours_the_handlers_delay(app):
    plan["test.echo"] = [RetryLater("busy", after=120)]
    enqueue("test.echo", {"n": 1})
    db.session.commit()
    t = utcnow()
    w = worker(app)

    w.run_once(now=t)
    (row,) = events("test.echo")
    assert row.attempts == 1
    assert row.next_attempt_at == t + timedelta(seconds=120)
    assert row.last_error.startswith("RetryLater: busy")
    assert w.run_once(now=t + timedelta(seconds=119)) == 0
    assert w.run_once(now=t + timedelta(seconds=121)) == 1
    assert len(handled()) == 2
    assert events("test.echo")[0].done_at is not None


def test_a_failed_handler_writes_nothing(app):
    plan["test.chain"] = [RuntimeError("after writing")]
    enqueue("test.chain", {"n": 1})
    db.session.commit()
    t = utcnow()
    w = worker(app)

    w.run_once(now=t)
    assert events("test.echo") == []
    w.run_once(now=t + timedelta(hours=1))
    assert [e.payload for e in events("test.echo")] == [{"from": 1}]


def test_reschedule_moves_the_event_without_counting_an_attempt(app):
    enqueue("test.later", {})
    db.session.commit()
    t = utcnow()
    later = t + timedelta(hours=1)
    # Stand-in for a notice moved later: the handler says "not before `later`".
    plan["test.later"] = [Reschedule(later)]
    w = worker(app)

    w.run_once(now=t)
    (row,) = events("test.later")
    assert row.attempts == 0
    assert row.run_at == later
    assert row.next_attempt_at == later
    assert row.done_at is None
    assert w.run_once(now=later - timedelta(seconds=1)) == 0
    assert w.run_once(now=later) == 1
    assert events("test.later")[0].done_at is not None


def test_unknown_kind_is_retried_then_kept_with_its_error(app):
    db.session.add(OutboxEvent(kind="test.nobody", payload={}))
    db.session.commit()
    worker(app).run_once()
    (row,) = events("test.nobody")
    assert row.attempts == 1
    assert "No handler" in row.last_error
    assert row.done_at is None


def test_a_crashed_worker_leaves_a_lease_and_the_rest_runs_after_it(app):
    enqueue_many("test.echo", [{"n": n} for n in range(10)])
    db.session.commit()
    # The fourth handler "kills" the worker: a BaseException is not caught, as a SIGKILL would not be.
    plan["test.echo"] = [None, None, None, KeyboardInterrupt()]
    t = utcnow()
    crashing = worker(app, lease_seconds=60)
    with pytest.raises(KeyboardInterrupt):
        crashing.run_once(now=t)
    assert [p["n"] for p in handled()] == [0, 1, 2, 3]
    assert sum(e.done_at is not None for e in events()) == 3

    restarted = worker(app, lease_seconds=60)
    assert restarted.run_once(now=t + timedelta(seconds=30)) == 0
    assert restarted.run_until_idle(now=t + timedelta(seconds=61)) == 7
    # Event 3 ran twice (at-least-once); none was lost.
    assert Counter(p["n"] for p in handled()) == {n: 2 if n == 3 else 1 for n in range(10)}
    assert all(e.done_at is not None for e in events())


def test_a_worker_that_lost_its_lease_does_not_mark_the_event(app):
    @handler("test.stolen")
    def _stolen(payload):
        # Meanwhile, another worker took the event over (our lease ran out).
        with db.engine.begin() as conn:
            conn.execute(sa.update(OutboxEvent).values(locked_by="thief"))
        enqueue("test.echo", {"side": "effect"})

    enqueue("test.stolen", {})
    db.session.commit()
    worker(app).run_once()
    (row,) = events("test.stolen")
    assert row.done_at is None
    assert row.locked_by == "thief"
    assert events("test.echo") == []


def test_a_keyed_event_is_replaced_while_pending(app):
    t = utcnow()
    enqueue("test.echo", {"v": 1}, run_at=t + timedelta(hours=2), key="thing:1")
    db.session.commit()
    enqueue("test.echo", {"v": 2}, run_at=t + timedelta(hours=1), key="thing:1")
    enqueue("test.echo", {"v": 9}, run_at=t + timedelta(hours=1), key="thing:2")
    db.session.commit()
    rows = events("test.echo")
    assert [(r.dedupe_key, r.payload) for r in rows] == [("thing:1", {"v": 2}), ("thing:2", {"v": 9})]
    assert rows[0].run_at == t + timedelta(hours=1)

    worker(app).run_until_idle(now=t + timedelta(hours=1, seconds=1))
    # Once done, the key is free again.
    enqueue("test.echo", {"v": 3}, key="thing:1")
    db.session.commit()
    assert len(events("test.echo")) == 3


def test_a_batch_writes_its_events_when_it_ends_as_one_by_one_would(app, count_queries):
    t = utcnow()
    enqueue("test.echo", {"v": 1}, key="thing:1")
    db.session.commit()
    with count_queries() as written, batched():
        for n in range(5):
            enqueue("test.echo", {"n": n})
        enqueue("test.echo", {"v": 2}, run_at=t + timedelta(hours=1), key="thing:1")
        enqueue("test.echo", {"v": 3}, run_at=t + timedelta(hours=2), key="thing:1")  # the later one stays
        enqueue("test.echo", {"v": 9}, key="thing:2")
        assert written == []  # nothing is written inside the block
    assert len(written) == 2  # the plain rows together, the keyed ones together
    db.session.commit()
    rows = events("test.echo")
    assert sorted(r.payload["n"] for r in rows if "n" in r.payload) == [0, 1, 2, 3, 4]
    keyed = {r.dedupe_key: r for r in rows if r.dedupe_key}
    assert {k: r.payload for k, r in keyed.items()} == {"thing:1": {"v": 3}, "thing:2": {"v": 9}}
    assert keyed["thing:1"].run_at == t + timedelta(hours=2)
    assert worker(app).run_until_idle(now=t + timedelta(hours=3)) == 7


def test_an_error_inside_a_batch_writes_none_of_its_events(app):
    def refused():
        with batched():
            enqueue("test.echo", {"n": 1})
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        refused()
    db.session.commit()
    assert events("test.echo") == []
    enqueue("test.echo", {"n": 2})  # and enqueue writes at once again afterwards
    db.session.commit()
    assert [r.payload for r in events("test.echo")] == [{"n": 2}]


def test_periodic_jobs_run_once_per_interval_across_workers(app):
    ticks = []
    every(600, name="test.tick")(lambda: ticks.append(1))
    try:
        t = utcnow()
        a, b = worker(app, periodic=True), worker(app, periodic=True)
        a.run_until_idle(now=t)
        b.run_until_idle(now=t)
        assert len(ticks) == 1
        a.run_until_idle(now=t + timedelta(seconds=599))
        assert len(ticks) == 1
        b.run_until_idle(now=t + timedelta(seconds=601))
        a.run_until_idle(now=t + timedelta(seconds=602))
        assert len(ticks) == 2
        pending = [e for e in events(PERIODIC_KIND) if e.pending and e.payload["name"] == "test.tick"]
        assert len(pending) == 1
        assert pending[0].run_at == t + timedelta(seconds=1201)
    finally:
        PERIODIC.pop("test.tick")


def test_several_workers_share_the_table_and_run_each_event_once(app):
    enqueue_many("test.echo", [{"n": n} for n in range(300)])
    db.session.commit()
    workers = [Worker(app, concurrency=4, batch_size=25, periodic=False) for _ in range(3)]
    threads = [threading.Thread(target=w.run_until_idle) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(p["n"] for p in handled()) == list(range(300))
    assert all(e.done_at is not None and e.attempts == 1 for e in events("test.echo"))


def test_finished_events_are_purged_after_the_keep_period(app):
    enqueue_many("test.echo", [{"n": n} for n in range(3)])
    db.session.commit()
    t = utcnow()
    worker(app).run_until_idle(now=t)
    plan["test.echo"] = [RuntimeError("x")]
    enqueue("test.echo", {"n": "failing"})
    db.session.commit()
    worker(app, max_attempts=1).run_once(now=t)

    assert purge_done(t - timedelta(days=1)) == 0
    assert purge_done(t + timedelta(seconds=1)) == 3
    assert [e.payload for e in events("test.echo")] == [{"n": "failing"}]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("120", 120.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_reads_seconds_and_http_dates(header, expected):
    assert retry_after_seconds(header) == expected


def test_the_development_thread_drains_the_outbox_until_stopped(app, monkeypatch):
    from app.outbox.worker import start_in_process

    monkeypatch.setitem(app.config, "OUTBOX_POLL_SECONDS", 5.0)
    w = start_in_process(app)
    try:
        assert start_in_process(app) is w
        enqueue("test.echo", {"n": 1})
        db.session.commit()
        # The commit wakes the idle thread at once instead of after its 5 s nap.
        for _ in range(200):
            if handled():
                break
            threading.Event().wait(0.01)
        assert handled() == [{"n": 1}]
    finally:
        w.stop()
        w.thread.join(10)
        app.extensions.pop("outbox_worker")
    assert not w.thread.is_alive()

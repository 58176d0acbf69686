"""The pool pings a connection only after it sat idle, and replaces one whose server side went away."""

import pytest
import sqlalchemy as sa

from app.core import db as core_db
from app.extensions import db
from tests.conftest import BACKEND

IDLE = 10


@pytest.fixture
def engine():
    """An engine of its own, one pooled connection, set up as the app's is: a connection killed here must
    not be left in the app's pool for a later test."""
    engine = sa.create_engine(db.engine.url, pool_size=1, max_overflow=0)
    core_db.ping_when_idle(engine, IDLE)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine, monkeypatch):
    seen = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(
        engine.dialect, "do_ping", lambda dbapi_conn: seen.append(dbapi_conn) or ping(dbapi_conn)
    )
    return seen


def idle_for(monkeypatch, seconds: float) -> None:
    later = core_db.monotonic() + seconds
    monkeypatch.setattr(core_db, "monotonic", lambda: later)


def backend_id(conn) -> object:
    if conn.dialect.name == "postgresql":
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    return id(conn.connection.dbapi_connection)


def test_only_a_connection_that_sat_idle_is_pinged(engine, pings, monkeypatch):
    for _ in range(2):
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    assert pings == []

    idle_for(monkeypatch, IDLE + 1)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    assert len(pings) == 1


@pytest.mark.skipif(BACKEND != "postgresql", reason="needs a server that can drop a connection")
def test_a_connection_the_server_dropped_while_idle_is_replaced(engine, pings, monkeypatch):
    with engine.connect() as conn:
        dropped = backend_id(conn)
    with db.engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})

    idle_for(monkeypatch, IDLE + 1)
    with engine.connect() as conn:
        assert backend_id(conn) != dropped
    assert pings


GEVENT_WAITS = """
from gevent import monkey; monkey.patch_all()
import sys, gevent, psycopg, sqlalchemy as sa
from psycopg import waiting
from app.core.db import gevent_psycopg_waits
assert gevent_psycopg_waits() and waiting.wait.__name__ == "wait_gevent"
engine = sa.create_engine(sys.argv[1], pool_size=4, max_overflow=0)
def query(i):
    with engine.connect() as conn:
        for _ in range(5):
            assert conn.execute(sa.text("SELECT pg_sleep(0.01), :i"), {"i": i}).one()[1] == i
started = __import__("time").perf_counter()
gevent.joinall([gevent.spawn(query, i) for i in range(8)], raise_error=True)
elapsed = __import__("time").perf_counter() - started
assert elapsed < 0.4, elapsed  # 8 x 5 sleeps of 10 ms on 4 connections at once: about 0.1 s, 0.4 s serially
with engine.connect() as conn:
    pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with engine.connect() as other:
        other.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    try:
        conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        assert exc.connection_invalidated, exc
    else:
        raise AssertionError("a killed connection answered")
print("ok")
"""


@pytest.mark.skipif(BACKEND != "postgresql", reason="psycopg's waits are for PostgreSQL")
def test_under_gevent_psycopg_waits_on_the_hub_and_a_dead_connection_is_still_a_disconnect(app):
    """Queries of several greenlets overlap (no wait blocks the process), and a connection whose server
    went away raises psycopg's error, so SQLAlchemy drops it from the pool."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    url = db.engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-c", GEVENT_WAITS, url], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"

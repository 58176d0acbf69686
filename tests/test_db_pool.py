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

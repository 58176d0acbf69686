"""The pool pings a connection only after it sat idle, and replaces one whose server side went away."""

import pytest
import sqlalchemy as sa

from app.core import db as core_db
from app.extensions import db
from tests.conftest import BACKEND


@pytest.fixture
def pings(monkeypatch):
    seen = []
    ping = db.engine.dialect.do_ping
    monkeypatch.setattr(
        db.engine.dialect, "do_ping", lambda dbapi_conn: seen.append(dbapi_conn) or ping(dbapi_conn)
    )
    return seen


def idle_for(monkeypatch, seconds: float) -> None:
    later = core_db.monotonic() + seconds
    monkeypatch.setattr(core_db, "monotonic", lambda: later)


def backend_id(conn) -> object:
    if conn.dialect.name == "postgresql":
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    return id(conn.connection.dbapi_connection)


def test_only_a_connection_that_sat_idle_is_pinged(app, pings, monkeypatch):
    with db.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    with db.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    assert pings == []

    idle_for(monkeypatch, app.config["DB_PING_IDLE_SECONDS"] + 1)
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    assert len(pings) == 1


@pytest.mark.skipif(BACKEND != "postgresql", reason="needs a server that can drop a connection")
def test_a_connection_the_server_dropped_while_idle_is_replaced(app, pings, monkeypatch):
    with db.engine.connect() as conn:
        dropped = backend_id(conn)
    killer = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    killer.dispose()

    idle_for(monkeypatch, app.config["DB_PING_IDLE_SECONDS"] + 1)
    with db.engine.connect() as conn:
        assert backend_id(conn) != dropped
    assert pings

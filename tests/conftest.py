"""Shared fixtures: one app per run on a real database, emptied after every test."""

import os
import tempfile
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db, limiter
from config import TestingConfig

# Fixtures shared across folders: the local push service and the SMS backend (tests/push, chat, e2e).
pytest_plugins = ["tests.push.fixtures"]

# make test runs the suite once on SQLite and, with TEST_DATABASE_URL set, once more with
# LINLI_TEST_BACKEND=postgresql on PostgreSQL (and Redis from TEST_REDIS_URL).
BACKEND = os.environ.get("LINLI_TEST_BACKEND", "sqlite")


def _test_config() -> type[TestingConfig]:
    if BACKEND == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        redis_url = os.environ.get("TEST_REDIS_URL") or None
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='linli-test-')}/test.sqlite"
        redis_url = None

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = redis_url
        RATELIMIT_STORAGE_URI = redis_url or "memory://"

    return Config


@pytest.fixture(scope="session")
def app():
    app = create_app(_test_config())
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
        limiter.reset()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(sa.text(f"DELETE FROM {name}"))


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    """Every test keeps the images it uploads in a directory of its own, never in the checkout's instance/."""
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", path)
    return path


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world():
    """A small district: see tests/factories.World for who and what is in it."""
    from tests.factories import World

    return World.build()


@pytest.fixture
def auth(client):
    """auth(user) -> Authorization header for a fresh login of `user`."""
    from tests.factories import auth_header

    return auth_header


@pytest.fixture
def count_queries():
    """with count_queries() as statements: ...; then len(statements) is how many SQL statements ran."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def _count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", _count)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", _count)

    return counting

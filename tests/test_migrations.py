"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and undo cleanly."""

import os
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.extensions import db, migrate

BACKEND = os.environ.get("LINLI_TEST_BACKEND", "sqlite")


def _sqlite_scratch():
    path = Path(tempfile.mkdtemp(prefix="linli-migr-")) / "migr.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
    path.unlink(missing_ok=True)


def _postgresql_scratch():
    # A database of its own, so the suite's tables (in TEST_DATABASE_URL) are neither seen nor touched.
    base = sa.make_url(os.environ["TEST_DATABASE_URL"])
    name = f"linli_migr_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = sa.create_engine(base.set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_engine(request):
    if request.param == "postgresql" and BACKEND != "postgresql":
        pytest.skip("PostgreSQL pass only (LINLI_TEST_BACKEND=postgresql with TEST_DATABASE_URL)")
    yield from (_sqlite_scratch() if request.param == "sqlite" else _postgresql_scratch())


def _alembic(engine, action: str, target: str) -> None:
    cfg = migrate.get_config()
    cfg.attributes["configure_logger"] = False
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, target)


def _schema_diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_form_one_line_from_0001():
    script = ScriptDirectory.from_config(migrate.get_config())
    assert len(script.get_heads()) == 1
    assert script.get_bases() == ["0001"]


def test_upgrade_to_head_matches_models(scratch_engine):
    _alembic(scratch_engine, "upgrade", "head")

    assert _schema_diff(scratch_engine) == []
    assert _tables(scratch_engine) == set(db.metadata.tables)


def test_downgrade_to_base_then_upgrade_again(scratch_engine):
    _alembic(scratch_engine, "upgrade", "head")
    _alembic(scratch_engine, "downgrade", "base")
    assert _tables(scratch_engine) == set()

    _alembic(scratch_engine, "upgrade", "head")
    assert _schema_diff(scratch_engine) == []

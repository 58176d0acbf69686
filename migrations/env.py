"""Alembic environment: runs migrations against the app's database with the models' metadata."""

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

from app.core.db import NAMING_CONVENTION, UTCDateTime

config = context.config
# Tests run migrations programmatically with their own logging; only the CLI configures it from the ini.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


def get_metadata():
    metadata = target_db.metadata
    # Named constraints are what let batch mode (SQLite) and later migrations find and drop them.
    if metadata.naming_convention != NAMING_CONVENTION:
        raise RuntimeError("db.metadata lost its constraint naming convention (app/core/db.py)")
    return metadata


def render_item(type_, obj, autogen_context):
    """Migrations must not import app code that may change later: write our types as plain SQLAlchemy."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    # sa.true()/sa.false() would be frozen as SQLite's 1/0, which PostgreSQL refuses for a boolean.
    if type_ == "server_default" and isinstance(getattr(obj, "arg", None), sa.sql.elements.True_):
        return "sa.true()"
    if type_ == "server_default" and isinstance(getattr(obj, "arg", None), sa.sql.elements.False_):
        return "sa.false()"
    return False


def _configure_args() -> dict:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("render_as_batch", True)
    args["compare_type"] = True
    args.setdefault("render_item", render_item)
    return args


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`flask db upgrade --sql`) without a database connection."""
    url = get_engine().url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True, **_configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(_context, _revision, directives):
        # `flask db migrate` with no model change writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    args = _configure_args()
    if args.get("process_revision_directives") is None:
        args["process_revision_directives"] = process_revision_directives
    # tests/test_migrations.py hands in its own connection to a scratch database.
    shared = config.attributes.get("connection")
    if shared is not None:
        _run(shared, args)
        return
    with get_engine().connect() as connection:
        _run(connection, args)


def _run(connection, args: dict) -> None:
    context.configure(connection=connection, target_metadata=get_metadata(), **args)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

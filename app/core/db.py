"""The declarative base, its constraint naming convention, timezone-aware UTC timestamps, and how the app
talks to its pool: the idle check, the bare read of the sign-in check, psycopg's waits under gevent, rows
sent to PostgreSQL as one JSON parameter."""

from datetime import UTC, datetime
from time import monotonic

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def insert_for(bind: sa.Engine | sa.Connection):
    """The dialect's `insert`, whose ON CONFLICT clauses PostgreSQL and SQLite both understand."""
    return pg_insert if bind.dialect.name == "postgresql" else sqlite_insert


def json_recordset(table: sa.Table, param: str):
    """PostgreSQL: jsonb_populate_recordset(NULL::<table>, CAST(:param AS JSONB)), a row of the table's type
    per element of one JSON array parameter (json_rows), each field read as its column's type: a statement
    that is the same for any number of rows, whose rows cost psycopg one string to send. Its alternatives
    cost per value in Python: an array parameter per column (psycopg dumps each element) or executemany (each
    row's parameters, and a pipeline). Select its columns by name (`.c[name]`)."""
    arg = sa.cast(sa.bindparam(param, type_=sa.String), JSONB)
    return sa.func.jsonb_populate_recordset(sa.literal_column(f"NULL::{table.name}"), arg).table_valued(
        *table.c.keys()
    )


def json_rows(rows: list[dict]) -> str:
    """The rows for a json_recordset: timestamps in ISO 8601 with their zone (a naive one is refused, as
    UTCDateTime refuses it), enums as their values."""
    return orjson.dumps(rows, default=_aware_iso, option=_JSON_ROWS).decode()


_JSON_ROWS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _aware_iso(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("Naive datetimes are ambiguous; pass an aware datetime.")
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores UTC and always returns aware datetimes, also on SQLite which keeps no zone."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Naive datetimes are ambiguous; pass an aware datetime.")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def str_enum(enum_cls, length: int = 32) -> sa.Enum:
    """StrEnums are stored as their values in a plain string column, so adding one needs no DDL."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


def ping_when_idle(engine: sa.Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it sat idle for more than `idle_seconds`, and replace
    it if the server went away meanwhile (a restart, a firewall's idle timeout). `pool_pre_ping` pinged on
    every checkout: a round trip on every request, for connections that were in use a moment ago."""

    @sa.event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or monotonic() - idle_since <= idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError() from exc  # the pool drops it and checks out another
        if not alive:
            raise sa.exc.DisconnectionError()


class PreparedRead:
    """A SELECT compiled once per dialect and run on a bare pooled DBAPI connection, outside any transaction.

    For the one statement every signed-in request runs (app.auth.principal): going through a Session and a
    Connection cost more than the statement itself. The pool (with its idle ping), the compiler and the
    column types' conversions are still SQLAlchemy's; on PostgreSQL the read runs in autocommit, one round
    trip instead of BEGIN, the statement and the pool's ROLLBACK. It sees only committed rows, as a read at
    the start of a request would anyway. The engine's cursor events fire, so statement counters see it.
    """

    def __init__(self, statement: sa.Select):
        self.statement = statement
        self._compiled: dict[str, tuple] = {}

    def _prepare(self, dialect: sa.Dialect) -> tuple:
        compiled = self.statement.compile(dialect=dialect)
        names = compiled.bind_names  # BindParameter -> its name in the SQL
        free = {name for bind, name in names.items() if bind.value is None and not bind.callable}
        defaults = compiled.construct_params(dict.fromkeys(free))
        convert = {}
        for bind, name in names.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None and name not in free:
                defaults[name] = processor(defaults[name])
            elif processor is not None:
                convert[name] = processor
        order = compiled.positiontup if compiled.positional else None
        columns = self.statement.selected_columns
        results = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        prepared = (str(compiled), defaults, convert, order, results if any(results) else None)
        self._compiled[dialect.name] = prepared
        return prepared

    def all(self, engine: sa.Engine, **params) -> list[tuple]:
        dialect = engine.dialect
        sql, defaults, convert, order, results = self._compiled.get(dialect.name) or self._prepare(dialect)
        values = defaults | {name: convert[name](v) if name in convert else v for name, v in params.items()}
        args = tuple(values[name] for name in order) if order is not None else values
        events = engine.dispatch
        connection = engine.raw_connection()
        autocommit = dialect.name == "postgresql"
        try:
            if autocommit:
                connection.driver_connection.autocommit = True
            cursor = connection.cursor()
            if events.before_cursor_execute:
                events.before_cursor_execute(None, cursor, sql, args, None, False)
            cursor.execute(sql, args)
            rows = cursor.fetchall()
            if events.after_cursor_execute:
                events.after_cursor_execute(None, cursor, sql, args, None, False)
            cursor.close()
            if autocommit:
                connection.driver_connection.autocommit = False
        except BaseException:
            connection.invalidate()  # in an unknown state (or gone): the pool opens a fresh one
            raise
        finally:
            connection.close()
        if results is None:
            return rows
        return [
            tuple(value if to is None else to(value) for to, value in zip(results, row, strict=True))
            for row in rows
        ]


def gevent_psycopg_waits() -> bool:
    """Under gevent (monkey-patched), let psycopg wait for its socket with one io watcher on the hub.

    psycopg already sees the patching and waits cooperatively, with `wait_poll` over gevent's emulation of
    select.poll: a poll object, a watcher, a result and a timeout for every wait, several waits per query.
    This waits on the hub directly (about 20-30 % less CPU per round trip, bench/README.md). Returns whether
    it is in use: not without gevent's patching, where a wait must block the thread, nor when
    PSYCOPG_WAIT_FUNC names one of psycopg's own."""
    import os
    import sys

    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select") or os.environ.get("PSYCOPG_WAIT_FUNC"):
        return False
    import psycopg
    from gevent.hub import get_hub
    from psycopg import waiting
    from psycopg.waiting import Ready, Wait

    events = {Wait.R: 1, Wait.W: 2, Wait.RW: 3}  # libev/libuv READ, WRITE
    ready = {Wait.R: Ready.R, Wait.W: Ready.W, Wait.RW: Ready.RW}

    def wait_gevent(gen, fileno: int, interval: float | None = None):
        # psycopg's generators tolerate a spurious readiness (their libpq calls do not block), so an RW wait
        # may answer both on either event.
        hub = get_hub()
        try:
            state = next(gen)
            while True:
                try:
                    watcher = hub.loop.io(fileno, events[state])
                except OSError as exc:  # the socket is gone: psycopg's own error, so the pool drops it
                    raise psycopg.OperationalError("connection socket closed") from exc
                try:
                    hub.wait(watcher)
                finally:
                    watcher.close()
                state = gen.send(ready[state])
        except StopIteration as done:
            return done.value

    waiting.wait = wait_gevent
    return True

"""Inserts that may lose a race on a unique constraint (idempotency keys, one rating, one "me too")."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from app.extensions import db


@contextmanager
def first_write_guard() -> Iterator[None]:
    """Run the transaction's first write, which may collide with a unique constraint; IntegrityError is
    re-raised for the caller to read the winner's row.

    PostgreSQL gets a savepoint. SQLite does not: pysqlite starts its transaction only at the first DML,
    so a savepoint opened before it is the outermost one, and releasing it commits. There the write runs
    in the transaction itself and a collision rolls that (otherwise empty) transaction back.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        with session.begin_nested():
            yield
        return
    try:
        yield
        session.flush()
    except IntegrityError:
        session.rollback()
        raise

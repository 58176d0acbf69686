"""Helpers for the audit tests: counting SQL statements a request issues."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.extensions import db


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

"""Keyset pagination: opaque cursors over a fixed sort order, so deep pages cost what page 1 costs."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from app.core.errors import BadRequestError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageArgs(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None)


@dataclass(frozen=True)
class SortKey:
    """One column of the sort order; `descending` sorts newest or largest first."""

    column: sa.ColumnElement
    attr: str
    descending: bool = True


def _encode_value(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value):
    if isinstance(value, dict) and "dt" in value:
        return datetime.fromisoformat(value["dt"])
    return value


def encode_cursor(row, keys: list[SortKey]) -> str:
    values = [_encode_value(getattr(row, key.attr)) for key in keys]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _check_type(value, key: SortKey) -> None:
    """A tampered cursor must be a 400, not a database error: each value must fit its column."""
    if value is None:
        return
    column_type = key.column.type
    # A TypeDecorator reports `object`; the type it wraps knows better.
    column_type = getattr(column_type, "impl_instance", column_type)
    try:
        expected = str if isinstance(column_type, sa.Enum) else column_type.python_type
    except NotImplementedError:
        return
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ValueError
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError


def decode_cursor(cursor: str, keys: list[SortKey]) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        decoded = [_decode_value(v) for v in values]
        for value, key in zip(decoded, keys, strict=True):
            _check_type(value, key)
        return decoded
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequestError("The cursor is invalid.", code="invalid_cursor") from exc


def _after(keys: list[SortKey], values: list) -> sa.ColumnElement[bool]:
    # Bound parameters, because SQLAlchemy refuses `column < True` written with a bare boolean.
    params = [sa.bindparam(None, v, type_=k.column.type) for k, v in zip(keys, values, strict=True)]
    return _beyond(keys, params)


def _beyond(keys: list[SortKey], params: list) -> sa.ColumnElement[bool]:
    """Rows strictly after `params` in the sort order, spelled out so SQLite and PostgreSQL agree."""
    key, value = keys[0], params[0]
    beyond = key.column < value if key.descending else key.column > value
    if len(keys) == 1:
        return beyond
    # The redundant bound on the first key lets an index on (…, key, …) seek straight to the cursor; with the
    # OR alone PostgreSQL scanned every row before it, so page 500 cost 500 pages (bench/bench_reports.py).
    within = key.column <= value if key.descending else key.column >= value
    return sa.and_(within, sa.or_(beyond, sa.and_(key.column == value, _beyond(keys[1:], params[1:]))))


def order_by(keys: list[SortKey]) -> list[sa.ColumnElement]:
    return [k.column.desc() if k.descending else k.column.asc() for k in keys]


def page_query(stmt: sa.Select, keys: list[SortKey], *, limit: int, cursor: str | None) -> sa.Select:
    """`stmt` narrowed to the rows after `cursor`, in order, with one row beyond `limit` to tell whether
    another page follows. For callers that wrap the page in a larger query (see `cut_page`)."""
    if cursor:
        stmt = stmt.where(_after(keys, decode_cursor(cursor, keys)))
    return stmt.order_by(*order_by(keys)).limit(limit + 1)


def cut_page(rows: list, keys: list[SortKey], *, limit: int) -> tuple[list, str | None]:
    """The rows of a `page_query` (objects or Core rows with the keys' attributes) and the next cursor."""
    next_cursor = encode_cursor(rows[limit - 1], keys) if len(rows) > limit else None
    return rows[:limit], next_cursor


def keyset_page(stmt: sa.Select, keys: list[SortKey], *, after: bool) -> sa.Select:
    """`page_query` for a statement built once and run many times: the cursor's values and the limit are
    named bound parameters, filled in by `keyset_params`. Building a statement costs more than running it
    on a hot path such as the notices feed."""
    if after:
        stmt = stmt.where(_beyond(keys, [sa.bindparam(f"after_{k.attr}", type_=k.column.type) for k in keys]))
    return stmt.order_by(*order_by(keys)).limit(sa.bindparam("page_limit", type_=sa.Integer))


def keyset_params(keys: list[SortKey], *, limit: int, cursor: str | None) -> dict:
    """The parameters of a `keyset_page(..., after=bool(cursor))` statement."""
    params = {"page_limit": limit + 1}
    if cursor:
        params |= {f"after_{k.attr}": v for k, v in zip(keys, decode_cursor(cursor, keys), strict=True)}
    return params


def paginate(session, stmt: sa.Select, keys: list[SortKey], *, limit: int, cursor: str | None):
    """Returns (rows, next_cursor); `keys` must end in a unique column so the order is total."""
    rows = list(session.scalars(page_query(stmt, keys, limit=limit, cursor=cursor)).unique())
    return cut_page(rows, keys, limit=limit)

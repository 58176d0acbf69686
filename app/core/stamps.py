"""Change stamps: one per kind of data, replaced in the same transaction as any write to it.

A process may keep a cache of something slow to compute and trust it while the stamp it was built under is
still current: reading a stamp is one row by primary key, and every process sees the same one. Writes are
seen through the ORM (a `before_flush` hook), so nothing has to remember to change a stamp by hand; Core
statements that write watched tables bypass the hook and must call `bump` themselves.

A stamp is a random number rather than a count: a database emptied or restored under a running process
(the test suite empties its tables after every test) must not bring back a value that process has seen.
"""

import secrets
from collections import defaultdict
from functools import cache

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db


class ChangeStamp(db.Model):
    __tablename__ = "change_stamps"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    stamp: Mapped[int] = mapped_column(sa.BigInteger)


# model class -> {stamp name: the attributes whose change counts (None: any change)}
_WATCHED: dict[type, dict[str, tuple[str, ...] | None]] = defaultdict(dict)


def watch(name: str, model: type, *, fields: tuple[str, ...] | None = None) -> None:
    """Change stamp `name` whenever a `model` row is added, deleted, or changed (in `fields`, if given)."""
    _WATCHED[model][name] = fields


@cache
def _current_statement() -> sa.Select:
    return sa.select(ChangeStamp.stamp).where(ChangeStamp.name == sa.bindparam("name"))


def columns() -> list[sa.ScalarSelect]:
    """Every watched stamp as a column, for a statement every request runs anyway (the sign-in check) to
    read them on its way: `remember` what it read, and `current` answers without a query of its own."""
    return [
        sa.select(ChangeStamp.stamp).where(ChangeStamp.name == name).scalar_subquery().label(f"stamp_{name}")
        for name in names()
    ]


def names() -> list[str]:
    return sorted({name for by_name in _WATCHED.values() for name in by_name})


def remember(values: dict[str, int | None]) -> None:
    g._change_stamps = values


def current(name: str) -> int | None:
    """The stamp as this request sees it; None before the first write, when nothing may be cached."""
    known = g.get("_change_stamps") if has_app_context() else None
    if known is not None and name in known:
        return known[name]
    return db.session.connection().execute(_current_statement(), {"name": name}).scalar()


def bump(connection: sa.Connection, names) -> None:
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for name in sorted(names):  # a fixed order, so two writers never wait on each other's rows
        stamp = secrets.randbits(62) + 1
        stmt = insert(ChangeStamp).values(name=name, stamp=stamp)
        connection.execute(
            stmt.on_conflict_do_update(index_elements=[ChangeStamp.name], set_={"stamp": stamp})
        )


def _changed(session: Session, obj, fields: tuple[str, ...] | None) -> bool:
    if fields is None:
        return session.is_modified(obj, include_collections=False)
    state = sa.inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


@sa.event.listens_for(Session, "before_flush")
def _change_stamps(session: Session, _flush_context, _instances) -> None:
    if not _WATCHED:
        return
    changed: set[str] = set()
    for obj in (*session.new, *session.deleted):
        changed.update(_WATCHED.get(type(obj), ()))
    for obj in session.dirty:
        for name, fields in _WATCHED.get(type(obj), {}).items():
            if name not in changed and _changed(session, obj, fields):
                changed.add(name)
    if changed:
        bump(session.connection(), changed)
        if has_app_context() and "_change_stamps" in g:
            g._change_stamps = {}  # this request changed them: ask again

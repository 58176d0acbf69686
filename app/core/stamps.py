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
from collections.abc import Callable
from functools import cache

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import insert_for
from app.extensions import db


class ChangeStamp(db.Model):
    __tablename__ = "change_stamps"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    stamp: Mapped[int] = mapped_column(sa.BigInteger)


# model class -> {stamp name: the attributes whose change counts (None: any change)}
_WATCHED: dict[type, dict[str, tuple[str, ...] | None]] = defaultdict(dict)


# model class -> {per-user stamp name: how to find the user a row belongs to}
_PER_USER: dict[type, dict[str, Callable[[object], int]]] = defaultdict(dict)


def watch(name: str, model: type, *, fields: tuple[str, ...] | None = None) -> None:
    """Change stamp `name` whenever a `model` row is added, deleted, or changed (in `fields`, if given)."""
    _WATCHED[model][name] = fields


def watch_per_user(name: str, model: type, user_of: Callable[[object], int]) -> None:
    """Change the stamp `name` of user `user_of(row)` whenever a `model` row is added or deleted. Core
    statements writing `model` must `bump(connection, [user_stamp(name, user_id)])` themselves."""
    _PER_USER[model][name] = user_of


def user_stamp(name: str, user_id: int) -> str:
    return f"{name}:{user_id}"


@cache
def _current_statement() -> sa.Select:
    return sa.select(ChangeStamp.stamp).where(ChangeStamp.name == sa.bindparam("name"))


def columns(user_id: sa.ColumnElement[int]) -> list[sa.Label]:
    """Every watched stamp, and `user_id`'s own stamps, as columns for a statement every request runs anyway
    (the sign-in check): `remember` what it read, and `current` answers without a query of its own."""
    shared = [(name, sa.literal(name)) for name in names()]
    own = [(name, sa.literal(name + ":") + sa.cast(user_id, sa.String)) for name in user_names()]
    return [
        sa.select(ChangeStamp.stamp).where(ChangeStamp.name == key).scalar_subquery().label(f"stamp_{name}")
        for name, key in (*shared, *own)
    ]


def names() -> list[str]:
    return sorted({name for by_name in _WATCHED.values() for name in by_name})


def user_names() -> list[str]:
    return sorted({name for by_name in _PER_USER.values() for name in by_name})


def remember(user_id: int, values) -> None:
    """Keep for this request the stamps a `columns(user_id)` statement read, in their order."""
    keys = [*names(), *(user_stamp(name, user_id) for name in user_names())]
    g._change_stamps = dict(zip(keys, values, strict=True))


def current(name: str) -> int | None:
    """The stamp as this request sees it; None before the first write, when nothing may be cached."""
    known = g.get("_change_stamps") if has_app_context() else None
    if known is not None and name in known:
        return known[name]
    return db.session.connection().execute(_current_statement(), {"name": name}).scalar()


def bump(connection: sa.Connection, names) -> None:
    insert = insert_for(connection)
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
    if not _WATCHED and not _PER_USER:
        return
    changed: set[str] = set()
    for obj in (*session.new, *session.deleted):
        changed.update(_WATCHED.get(type(obj), ()))
        changed.update(
            user_stamp(name, user_of(obj)) for name, user_of in _PER_USER.get(type(obj), {}).items()
        )
    for obj in session.dirty:
        for name, fields in _WATCHED.get(type(obj), {}).items():
            if name not in changed and _changed(session, obj, fields):
                changed.add(name)
    if changed:
        bump(session.connection(), changed)
        if has_app_context() and "_change_stamps" in g:
            g._change_stamps = {}  # this request changed them: ask again

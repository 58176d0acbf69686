"""Side effects (socket emits, pushes) queued during a request and run only after its commit."""

from collections.abc import Callable
from typing import Any

from flask import Flask, g

from app.extensions import db


def defer(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    g.setdefault("_after_commit", []).append((fn, args, kwargs))


def taken() -> list[tuple]:
    """What was deferred since the last commit or take, no longer pending: for a caller that commits the work
    of several (app.chat.writer), to run each one's share after the commit or drop it on a rollback."""
    return g.pop("_after_commit", [])


def commit() -> None:
    """Commit the request's one transaction, then run what was deferred; a rollback drops them."""
    db.session.commit()
    for fn, args, kwargs in taken():
        fn(*args, **kwargs)


def init_app(app: Flask) -> None:
    @app.teardown_request
    def _drop_unrun(_exc):
        g.pop("_after_commit", None)

"""Push rules: who may register which endpoint, notification switches, and the `notify_*` calls other domains
make in their own transaction. Functions here flush but never commit; nothing here talks to a push service
(that happens in the worker, see delivery.py)."""

import ipaddress
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Required, TypedDict, Unpack
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.core.db import insert_for, utcnow
from app.core.errors import NotFoundError, UnprocessableError
from app.extensions import db
from app.outbox import enqueue
from app.push.models import NotificationSetting, PushKind, PushSubscription

# Events (app/outbox) this package handles; delivery.py and fallback.py register them.
NOTICE_PUBLISHED = "push.notice_published"
FANOUT = "push.fanout"
DELIVER = "push.deliver"
FALLBACK = "push.fallback"

HIGH_URGENCY = frozenset({PushKind.NOTICE_URGENT, PushKind.CHAT_REPLY, PushKind.STAFF_DEADLINE})
HOUR = 3600
# How long a push service keeps trying to reach an offline device; past it the news is stale.
DEFAULT_TTL = {
    PushKind.NOTICE: 72 * HOUR,
    PushKind.NOTICE_URGENT: 24 * HOUR,
    PushKind.REPORT_UPDATE: 7 * 24 * HOUR,
    PushKind.CHAT_REPLY: 24 * HOUR,
    PushKind.POLL: 24 * HOUR,
    PushKind.CONSULTATION_OUTCOME: 7 * 24 * HOUR,
    PushKind.STAFF_NEW_REPORT: 24 * HOUR,
    PushKind.STAFF_DEADLINE: 4 * HOUR,
    PushKind.STAFF_NEW_CONVERSATION: 24 * HOUR,
}
BODY_MAX = 1000
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


# -- subscriptions -------------------------------------------------------------------------------------------


def _bad_endpoint(message: str) -> UnprocessableError:
    return UnprocessableError(fields={"endpoint": [message]})


def check_endpoint(endpoint: str) -> None:
    """Only https URLs of public hosts: the worker POSTs to whatever is stored, so a private address would
    let anyone make the server call into its own network. Loopback (http or https) only with
    PUSH_ALLOW_LOOPBACK, for the test receiver."""
    try:
        url = urlsplit(endpoint.strip())
        host = (url.hostname or "").lower()
        url.port  # noqa: B018  (raises on a malformed port)
    except ValueError as exc:
        raise _bad_endpoint("Is not a valid URL.") from exc
    if not host or url.username or url.password or url.fragment:
        raise _bad_endpoint("Is not a valid push service URL.")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    loopback = host in LOOPBACK_NAMES or host.endswith(".localhost") or (ip is not None and ip.is_loopback)
    if loopback:
        if not current_app.config["PUSH_ALLOW_LOOPBACK"]:
            raise _bad_endpoint("Loopback push endpoints are not accepted here.")
        if url.scheme not in ("http", "https"):
            raise _bad_endpoint("Must be an http(s) URL.")
        return
    if url.scheme != "https":
        raise _bad_endpoint("Must be an https URL.")
    if ip is not None and not ip.is_global:
        raise _bad_endpoint("Must be a public push service, not a private address.")
    if "." not in host:
        raise _bad_endpoint("Must be a public push service host.")


def subscribe(
    *, by: User, endpoint: str, keys: dict, user_agent: str | None = None, **_ignored
) -> tuple[PushSubscription, bool]:
    """Register this device, or refresh it: the same endpoint is one row (returns it and whether it is new).
    A browser signed in as someone else now belongs to the new user: its notifications follow who is there."""
    endpoint = endpoint.strip()
    check_endpoint(endpoint)
    by_endpoint = sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    created = (
        db.session.scalar(sa.select(PushSubscription.id).where(PushSubscription.endpoint == endpoint)) is None
    )
    fields = {
        "user_id": by.id,
        "p256dh": keys["p256dh"],
        "auth": keys["auth"],
        "user_agent": (user_agent or "")[:255] or None,
        "failure_count": 0,
    }
    # An upsert, so the same device subscribing twice at once still ends as one row.
    stmt = insert_for(db.session.get_bind())(PushSubscription).values(
        endpoint=endpoint, created_at=utcnow(), **fields
    )
    db.session.execute(stmt.on_conflict_do_update(index_elements=[PushSubscription.endpoint], set_=fields))
    sub = db.session.scalar(by_endpoint.execution_options(populate_existing=True))
    _keep_newest_devices(by)
    return sub, created


def _keep_newest_devices(user: User) -> None:
    limit = current_app.config["PUSH_MAX_SUBSCRIPTIONS_PER_USER"]
    stale = db.session.scalars(
        sa.select(PushSubscription.id)
        .where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        .offset(limit)
    ).all()
    if stale:
        db.session.execute(sa.delete(PushSubscription).where(PushSubscription.id.in_(stale)))


def unsubscribe(*, by: User, endpoint: str) -> None:
    """Someone else's endpoint is not found, exactly like an unknown one."""
    sub = db.session.scalar(
        sa.select(PushSubscription).where(
            PushSubscription.endpoint == endpoint.strip(), PushSubscription.user_id == by.id
        )
    )
    if sub is None:
        raise NotFoundError("Subscription not found.")
    db.session.delete(sub)
    db.session.flush()


# -- settings ------------------------------------------------------------------------------------------------


def get_settings(user: User) -> dict[str, bool]:
    row = db.session.get(NotificationSetting, user.id)
    return row.as_dict() if row else {kind.value: True for kind in PushKind}


def update_settings(*, by: User, changes: dict[str, bool]) -> dict[str, bool]:
    row = db.session.get(NotificationSetting, by.id)
    if row is None:
        row = NotificationSetting(user_id=by.id, **{kind.value: True for kind in PushKind})
        db.session.add(row)
    for name, value in changes.items():
        setattr(row, PushKind(name).value, bool(value))
    db.session.flush()
    return row.as_dict()


# -- notifying: the calls other domains make -----------------------------------------------------------------


def notify_notice(notice) -> None:
    """Push a notice to its readers when it is published: now, or at its publish_at if scheduled. Call it in
    the transaction that creates the notice (and again if publish_at changes: the pending push moves).
    A notice is pushed once; withdrawn or expired by then, it is not pushed."""
    enqueue(NOTICE_PUBLISHED, {"notice_id": notice.id}, run_at=notice.publish_at, key=f"notice:{notice.id}")


class MessageArgs(TypedDict, total=False):
    """What every notify_* call says about its message; `tag` collapses notifications about one thing (say
    "report-42"), `url` is the PWA path to open, `run_at` delays the whole fan-out."""

    title: Required[str]
    body: Required[str]
    url: Required[str]
    tag: Required[str]
    ref: str | None
    ttl: int | None
    run_at: datetime | None


def notify_users(user_ids: Iterable[int], kind: PushKind | str, **message: Unpack[MessageArgs]) -> None:
    """Notify these users (push to each device, or the fallback channel), after the caller's commit."""
    ids = sorted({int(i) for i in user_ids})
    if ids:
        _fan_out({"users": ids}, kind, **message)


def notify_region(region_id: int, kind: PushKind | str, **message: Unpack[MessageArgs]) -> None:
    """Notify every active resident living in the region or beneath it (a poll opening, an outcome).
    Staff who serve the region are not in this audience (the notices feed's rule)."""
    _fan_out({"region_id": region_id}, kind, **message)


def _fan_out(audience: dict, kind: PushKind | str, *, run_at: datetime | None = None, **fields) -> None:
    """The fan-out both notify_* share: one outbox event the worker expands chunk by chunk (delivery.py)."""
    message = message_fields(PushKind(kind), **fields)
    enqueue(FANOUT, {"message": message, "audience": audience}, run_at=run_at)


def message_fields(
    kind: PushKind,
    *,
    title: str,
    body: str,
    url: str,
    tag: str,
    ref: str | None = None,
    ttl: int | None = None,
) -> dict:
    return {
        "kind": kind.value,
        "ref": ref,
        "title": title.strip()[:120],
        "body": preview(body, BODY_MAX),
        "url": url[:512],
        "tag": tag[:64],
        "urgency": "high" if kind in HIGH_URGENCY else "normal",
        "ttl": int(ttl if ttl is not None else DEFAULT_TTL[kind]),
    }


def preview(text: str, limit: int) -> str:
    """Whitespace collapsed, cut at `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def notice_ttl(notice, at: datetime, kind: PushKind) -> int:
    """A notice's push stops being worth delivering when the notice expires."""
    ttl = DEFAULT_TTL[kind]
    if notice.expires_at is not None:
        ttl = min(ttl, int((notice.expires_at - at).total_seconds()))
    return max(ttl, 60)


def fallback_kinds() -> frozenset[PushKind]:
    setting = current_app.config["PUSH_FALLBACK_KINDS"].strip().lower()
    if setting == "all":
        return frozenset(PushKind)
    if setting in ("", "none"):
        return frozenset()
    return frozenset(PushKind(name.strip()) for name in setting.split(",") if name.strip())


def is_stale(at: datetime, ttl: int, now: datetime | None = None) -> bool:
    return (now or utcnow()) > at + timedelta(seconds=ttl)

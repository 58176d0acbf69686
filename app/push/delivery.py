"""The worker side of push: expanding an event into deliveries (in chunks), and sending each one with
pywebpush (VAPID, aes128gcm, TTL, Urgency, Topic). Runs only inside outbox handlers, never on a request."""

import base64
import hashlib
import json
import logging
import re
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from flask import current_app
from pywebpush import WebPusher, WebPushException

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import db
from app.notices.models import Notice
from app.outbox import Reschedule, RetryLater, deadline, enqueue, enqueue_many, every, handler, now
from app.outbox.worker import retry_after_seconds
from app.push import service
from app.push.models import NotificationSetting, PushKind, PushMessage, PushSubscription
from app.push.vapid import keys
from app.regions.models import Region

log = logging.getLogger(__name__)

# Push services accept 4096 bytes of encrypted body; aes128gcm adds 86 (header) + 16 (tag) + 1 (padding).
MAX_PLAINTEXT = 3800
# Messages are kept this long: their `ref` is what keeps a cause from being pushed twice.
KEEP_MESSAGES_DAYS = 30
# A subscription the push service refuses this many times in a row (401/403/400) is dropped.
MAX_FAILURES = 5
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
_http = threading.local()
VAPID_VALID_SECONDS = 12 * 3600
VAPID_REUSE_SECONDS = 3600
_vapid_cache: dict[tuple[int, str], tuple[str, float]] = {}
_vapid_lock = threading.Lock()


# -- audience and fan-out ------------------------------------------------------------------------------------


def resident_audience(region: Region) -> sa.Select:
    """Active residents living in `region` or beneath it: the notices feed's own rule, not a copy of it."""
    from app.notices.service import _audience

    return _audience(region)


def _audience_chunk(audience: dict, after: int, size: int) -> list[int]:
    if "users" in audience:
        return [uid for uid in audience["users"] if uid > after][:size]
    region = db.session.get(Region, audience["region_id"])
    if region is None:
        return []
    found = resident_audience(region).subquery()
    return list(
        db.session.scalars(
            sa.select(found.c.user_id).where(found.c.user_id > after).order_by(found.c.user_id).limit(size)
        )
    )


def fan_out(message: PushMessage, audience: dict, after: int = 0) -> None:
    """Queue one chunk of the audience: delivery events for the subscriptions of every user who wants this
    kind (PUSH_DELIVERY_BATCH per event), an SMS for those with none, and the event for the next chunk, so
    a large audience never sits in one transaction and a crash repeats at most one chunk."""
    size = current_app.config["PUSH_FANOUT_CHUNK"]
    chunk = _audience_chunk(audience, after, size)
    if not chunk:
        return
    kind = PushKind(message.kind)
    switch = getattr(NotificationSetting, kind.value)
    wanting = set(
        db.session.scalars(
            sa.select(User.id)
            .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
            .where(User.id.in_(chunk), User.is_active, sa.or_(NotificationSetting.user_id.is_(None), switch))
        )
    )
    subscribed: set[int] = set()
    sub_ids: list[int] = []
    for sub_id, user_id in db.session.execute(
        sa.select(PushSubscription.id, PushSubscription.user_id)
        .where(PushSubscription.user_id.in_(wanting))
        .order_by(PushSubscription.id)
    ):
        subscribed.add(user_id)
        sub_ids.append(sub_id)
    per_event = current_app.config["PUSH_DELIVERY_BATCH"]
    enqueue_many(
        service.DELIVER,
        [
            {"message_id": message.id, "subscription_ids": sub_ids[i : i + per_event]}
            for i in range(0, len(sub_ids), per_event)
        ],
    )
    if kind in service.fallback_kinds():
        enqueue_many(
            service.FALLBACK,
            [{"message_id": message.id, "user_id": uid} for uid in sorted(wanting - subscribed)],
        )
    if len(chunk) == size:
        enqueue(service.FANOUT, {"message_id": message.id, "audience": audience, "after": chunk[-1]})


def _create_message(fields: dict) -> PushMessage:
    message = PushMessage(**{**fields, "kind": PushKind(fields["kind"]), "created_at": now()})
    db.session.add(message)
    db.session.flush()
    return message


@handler(service.FANOUT)
def _fan_out_event(payload: dict) -> None:
    if "message_id" in payload:
        message = db.session.get(PushMessage, payload["message_id"])
        if message is None:
            return
    else:
        fields = payload["message"]
        if fields.get("ref") and _already_pushed(fields["ref"]):
            return
        message = _create_message(fields)
    fan_out(message, payload["audience"], payload.get("after", 0))


def _already_pushed(ref: str) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(PushMessage.ref == ref))) or False


@handler(service.NOTICE_PUBLISHED)
def _notice_published(payload: dict) -> None:
    notice = db.session.get(Notice, payload["notice_id"])
    if notice is None or notice.withdrawn_at is not None:
        return
    at = now()
    if notice.publish_at > at:
        # Moved later after this event was written; publishing moves with it.
        raise Reschedule(notice.publish_at)
    if notice.expires_at is not None and notice.expires_at <= at:
        return
    ref = f"notice:{notice.id}"
    if _already_pushed(ref):
        return
    kind = PushKind.NOTICE_URGENT if notice.category == "urgent" else PushKind.NOTICE
    fields = service.message_fields(
        kind,
        title=notice.title,
        body=notice.body,
        url=f"/notices/{notice.id}",
        tag=f"notice-{notice.id}",
        ref=ref,
        ttl=service.notice_ttl(notice, at, kind),
    )
    fan_out(_create_message(fields), {"region_id": notice.region_id})


# -- one delivery --------------------------------------------------------------------------------------------


def payload_json(message: PushMessage) -> str:
    """{title, body, url, tag, kind} as compact UTF-8 JSON, the body shortened until it fits one push."""
    data = {
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "tag": message.tag,
        "kind": PushKind(message.kind).value,
    }

    def encode(body: str) -> str:
        return json.dumps({**data, "body": body}, ensure_ascii=False, separators=(",", ":"))

    text = encode(message.body)
    if len(text.encode()) <= MAX_PLAINTEXT:
        return text
    low, high = 0, len(message.body)
    while low < high:
        mid = (low + high + 1) // 2
        if len(encode(message.body[:mid] + "…").encode()) <= MAX_PLAINTEXT:
            low = mid
        else:
            high = mid - 1
    return encode(message.body[:low] + "…")


def topic(tag: str) -> str:
    """RFC 8030 Topic (≤ 32 base64url chars): a newer message with the same topic replaces a queued one."""
    if _TOPIC.fullmatch(tag):
        return tag
    return base64.urlsafe_b64encode(hashlib.sha256(tag.encode()).digest()).decode()[:32]


def _session() -> requests.Session:
    # One keep-alive session per worker thread: requests.Session is not meant to be shared across threads.
    session = getattr(_http, "session", None)
    if session is None:
        session = _http.session = requests.Session()
    return session


def vapid_authorization(endpoint: str) -> str:
    """The VAPID Authorization header for the push service of `endpoint`: signed for that origin (`aud`),
    valid 12 h, reused for an hour. Signing costs as much as encrypting, and every push of a fan-out to one
    service would sign the same claims. Each signature gets a fresh claims dict: pywebpush and py_vapid
    write into the dict they are given (PITFALLS.md), so a shared one would carry one service's `aud` to
    the next."""
    url = urlsplit(endpoint)
    aud = f"{url.scheme}://{url.netloc}"
    vapid = keys().vapid
    cache_key = (id(vapid), aud)
    clock = time.time()
    with _vapid_lock:
        cached = _vapid_cache.get(cache_key)
    if cached and cached[1] > clock:
        return cached[0]
    claims = {"sub": current_app.config["VAPID_SUBJECT"], "aud": aud, "exp": int(clock) + VAPID_VALID_SECONDS}
    header = vapid.sign(claims)["Authorization"]
    with _vapid_lock:
        _vapid_cache[cache_key] = (header, clock + VAPID_REUSE_SECONDS)
    return header


def send(sub: PushSubscription, message: PushMessage) -> requests.Response:
    """One aes128gcm-encrypted POST to the subscription's push service (pywebpush's WebPusher); raises
    WebPushException on a status above 202, as pywebpush.webpush() does."""
    response = WebPusher(sub.info(), requests_session=_session()).send(
        payload_json(message),
        headers={
            "Authorization": vapid_authorization(sub.endpoint),
            "Urgency": message.urgency,
            "Topic": topic(message.tag),
        },
        ttl=message.ttl,
        content_encoding="aes128gcm",
        timeout=current_app.config["PUSH_TIMEOUT_SECONDS"],
    )
    if response.status_code > 202:
        raise WebPushException(f"Push failed: {response.status_code} {response.reason}", response=response)
    return response


@handler(service.DELIVER)
def _deliver(payload: dict) -> None:
    """Push one message to a few subscriptions. A transient failure of a one-subscription event is retried by
    the outbox (backoff, Retry-After, give-up); in a larger event each failed subscription is split off into
    an event of its own, so the ones that went through are not sent again."""
    message = db.session.get(PushMessage, payload["message_id"])
    if message is None:
        return
    ids = payload["subscription_ids"]
    subs = db.session.scalars(
        sa.select(PushSubscription).where(PushSubscription.id.in_(ids)).order_by(PushSubscription.id)
    ).all()
    if service.is_stale(message.created_at, message.ttl, now()):
        log.info("Push %s expired before it reached %d subscriptions", message.id, len(subs))
        return
    timeout = current_app.config["PUSH_TIMEOUT_SECONDS"]
    lease_end = deadline()
    delivered: list[int] = []
    retry: list[tuple[int, RetryLater]] = []
    for index, sub in enumerate(subs):
        if lease_end is not None and (lease_end - utcnow()).total_seconds() < timeout:
            # Not enough lease left for another slow push: hand the rest on rather than outlive the lease.
            rest = [s.id for s in subs[index:]]
            enqueue(service.DELIVER, {"message_id": message.id, "subscription_ids": rest})
            break
        try:
            send(sub, message)
        except requests.RequestException as exc:
            retry.append((sub.id, RetryLater(f"push service unreachable: {exc}")))
        except WebPushException as exc:
            later = _refused(sub, message, exc)
            if later is not None:
                retry.append((sub.id, later))
        else:
            delivered.append(sub.id)
    if delivered:
        db.session.execute(
            sa.update(PushSubscription)
            .where(PushSubscription.id.in_(delivered))
            .values(last_success_at=now(), failure_count=0)
            .execution_options(synchronize_session=False)
        )
    if retry and len(ids) == 1:
        raise retry[0][1]
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    for sub_id, exc in retry:
        log.info("Push %s to subscription %s will be retried: %s", message.id, sub_id, exc)
        run_at = now() + timedelta(seconds=exc.after if exc.after is not None else base)
        enqueue(service.DELIVER, {"message_id": message.id, "subscription_ids": [sub_id]}, run_at=run_at)


def _refused(sub: PushSubscription, message: PushMessage, exc: WebPushException) -> RetryLater | None:
    """What a refusal means: gone (404/410) removes the subscription, busy (429/5xx) is retried later
    (returned), anything else drops this push and counts against the subscription."""
    status = exc.status_code
    host = sub.endpoint.split("/")[2] if "//" in sub.endpoint else "?"
    if status in (404, 410):
        log.info("Push subscription %s is gone (%s from %s); removing it", sub.id, status, host)
        db.session.delete(sub)
    elif status is not None and (status == 429 or status >= 500):
        return RetryLater(f"push service answered {status}", after=retry_after_seconds(exc.retry_after))
    elif status == 413:
        log.error("Push %s was too large for %s; dropped", message.id, host)
    else:
        sub.failure_count += 1
        log.warning(
            "Push %s to subscription %s refused (%s from %s): %s; dropped",
            message.id,
            sub.id,
            status,
            host,
            exc.message[:200],
        )
        if sub.failure_count >= MAX_FAILURES:
            log.warning("Removing push subscription %s after %d refusals", sub.id, sub.failure_count)
            db.session.delete(sub)
    return None


@every(24 * 3600, name="push.purge_messages")
def purge_messages() -> None:
    """Old messages go; their deliveries gave up or finished long ago (a retry lasts a day at most)."""
    db.session.execute(
        sa.delete(PushMessage)
        .where(PushMessage.created_at < now() - timedelta(days=KEEP_MESSAGES_DAYS))
        .execution_options(synchronize_session=False)
    )

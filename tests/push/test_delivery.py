"""Push delivery end to end: notices and direct notifications go through the outbox and the worker to a
real local push service that checks VAPID and decrypts; retries, pruning, settings and the SMS fallback."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.notices.models import Notice
from app.outbox.models import OutboxEvent
from app.outbox.queue import PERIODIC_KIND
from app.push import delivery, service
from app.push.models import PushKind, PushSubscription
from tests.push.receiver import PushReceiver

URL = "/api/v1/push/subscriptions"


def subscribe(client, auth, user, receiver) -> str:
    sub = receiver.new_subscription()
    res = client.post(URL, json=sub.json(), headers=auth(user))
    assert res.status_code == 201
    return sub.endpoint


def publish(
    world, *, region=None, title="停水通知", body="明天 9:00-12:00 停水，请提前储水。", **extra
) -> Notice:
    """A notice written straight to the table plus the push hook, as the notices service does."""
    notice = Notice(
        region=region or world.c1, author=world.worker, title=title, body=body, publish_at=utcnow(), **extra
    )
    db.session.add(notice)
    db.session.flush()
    service.notify_notice(notice)
    db.session.commit()
    return notice


def pending(kind: str | None = None) -> list[OutboxEvent]:
    db.session.expire_all()
    stmt = sa.select(OutboxEvent).where(
        OutboxEvent.done_at.is_(None), OutboxEvent.failed_at.is_(None), OutboxEvent.kind != PERIODIC_KIND
    )
    if kind:
        stmt = stmt.where(OutboxEvent.kind == kind)
    return list(db.session.scalars(stmt))


def subscription(endpoint: str) -> PushSubscription | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint))


def test_a_published_notice_reaches_a_subscribed_resident(client, world, auth, receiver, worker, sms):
    endpoint = subscribe(client, auth, world.resident, receiver)
    outsider = subscribe(client, auth, world.outsider, receiver)
    notice = publish(world)

    # Publishing only wrote to the outbox; nothing was sent on the request path.
    assert receiver.deliveries == []
    assert [e.kind for e in pending()] == [service.NOTICE_PUBLISHED]
    worker.run_until_idle()

    assert receiver.errors() == []
    (got,) = receiver.for_endpoint(endpoint)
    assert got.status == 201
    assert got.message == {
        "title": "停水通知",
        "body": "明天 9:00-12:00 停水，请提前储水。",
        "url": f"/notices/{notice.id}",
        "tag": f"notice-{notice.id}",
        "kind": "notice",
    }
    assert got.headers["urgency"] == "normal"
    assert got.headers["topic"] == f"notice-{notice.id}"
    assert 0 < int(got.headers["ttl"]) <= 72 * 3600
    assert got.claims["aud"] == receiver.origin
    assert receiver.for_endpoint(outsider) == []
    assert subscription(endpoint).last_success_at is not None
    # resident2 lives in the community too but has no subscription: the fallback channel got it.
    assert [phone for phone, _ in sms.sent] == [world.resident2.phone]
    assert "停水通知" in sms.sent[0][1]
    assert pending() == []


def test_an_urgent_notice_goes_at_high_urgency(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    publish(world, title="台风红色预警", category="urgent")
    worker.run_until_idle()

    (got,) = receiver.for_endpoint(endpoint)
    assert got.headers["urgency"] == "high"
    assert got.message["kind"] == "notice_urgent"


def test_a_grid_notice_reaches_only_that_grids_residents(client, world, auth, receiver, worker, sms):
    in_grid = subscribe(client, auth, world.resident, receiver)
    other_grid = subscribe(client, auth, world.resident2, receiver)
    publish(world, region=world.g1)
    worker.run_until_idle()

    assert len(receiver.for_endpoint(in_grid)) == 1
    assert receiver.for_endpoint(other_grid) == []
    assert sms.sent == []


def test_every_device_of_a_user_gets_it(client, world, auth, receiver, worker):
    phone, laptop = (
        subscribe(client, auth, world.resident, receiver),
        subscribe(client, auth, world.resident, receiver),
    )
    publish(world, region=world.g1)
    worker.run_until_idle()
    assert len(receiver.for_endpoint(phone)) == 1
    assert len(receiver.for_endpoint(laptop)) == 1


def test_a_scheduled_notice_arrives_only_after_its_publish_at(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    t = utcnow()
    notice = Notice(
        region=world.g1,
        author=world.worker,
        title="周末义诊",
        body="周六上午在社区中心。",
        publish_at=t + timedelta(hours=2),
    )
    db.session.add(notice)
    db.session.flush()
    service.notify_notice(notice)
    db.session.commit()

    assert worker.run_until_idle(now=t + timedelta(hours=1)) == 0
    assert receiver.deliveries == []
    worker.run_until_idle(now=t + timedelta(hours=2, seconds=1))
    (got,) = receiver.for_endpoint(endpoint)
    assert got.message["title"] == "周末义诊"


def test_a_rescheduled_notice_moves_its_push(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    t = utcnow()
    notice = Notice(
        region=world.g1, author=world.worker, title="改期", body="b", publish_at=t + timedelta(hours=1)
    )
    db.session.add(notice)
    db.session.flush()
    service.notify_notice(notice)
    db.session.commit()
    # Moved later without telling push: the event notices at run time and waits.
    notice.publish_at = t + timedelta(hours=3)
    db.session.commit()
    worker.run_until_idle(now=t + timedelta(hours=1, seconds=1))
    assert receiver.deliveries == []
    # Moved earlier through the hook: the one pending event moves, no second one appears.
    notice.publish_at = t + timedelta(hours=2)
    service.notify_notice(notice)
    db.session.commit()
    assert len(pending(service.NOTICE_PUBLISHED)) == 1

    worker.run_until_idle(now=t + timedelta(hours=2, seconds=1))
    assert len(receiver.for_endpoint(endpoint)) == 1
    worker.run_until_idle(now=t + timedelta(hours=4))
    assert len(receiver.for_endpoint(endpoint)) == 1


def test_a_notice_withdrawn_before_its_time_is_not_pushed(client, world, auth, receiver, worker):
    subscribe(client, auth, world.resident, receiver)
    t = utcnow()
    notice = Notice(
        region=world.g1, author=world.worker, title="x", body="y", publish_at=t + timedelta(hours=1)
    )
    db.session.add(notice)
    db.session.flush()
    service.notify_notice(notice)
    db.session.commit()
    notice.withdrawn_at = t
    db.session.commit()

    worker.run_until_idle(now=t + timedelta(hours=2))
    assert receiver.deliveries == []
    assert pending() == []


def test_a_notice_is_pushed_once_even_if_its_event_runs_twice(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    notice = publish(world, region=world.g1)
    worker.run_until_idle()
    # A duplicate event (at-least-once upstream) finds the notice already pushed.
    db.session.add(OutboxEvent(kind=service.NOTICE_PUBLISHED, payload={"notice_id": notice.id}))
    db.session.commit()
    worker.run_until_idle()
    assert len(receiver.for_endpoint(endpoint)) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_pruned(client, world, auth, receiver, worker, status):
    endpoint = subscribe(client, auth, world.resident, receiver)
    receiver.answer(endpoint, status)
    publish(world, region=world.g1)
    worker.run_until_idle()

    assert [d.status for d in receiver.for_endpoint(endpoint)] == [status]
    assert subscription(endpoint) is None
    assert pending() == []


@pytest.mark.parametrize(("status", "retry_after"), [(503, "30"), (429, "30"), (500, None)])
def test_a_busy_push_service_is_retried_honouring_retry_after(
    app, client, world, auth, receiver, worker, status, retry_after
):
    endpoint = subscribe(client, auth, world.resident, receiver)
    receiver.answer(endpoint, status, {"Retry-After": retry_after} if retry_after else {})
    publish(world, region=world.g1)
    t = utcnow()
    worker.run_until_idle(now=t)

    assert [d.status for d in receiver.for_endpoint(endpoint)] == [status]
    (event,) = pending(service.DELIVER)
    assert event.attempts == 1
    assert f"answered {status}" in event.last_error
    wait = (event.next_attempt_at - t).total_seconds()
    if retry_after:
        assert wait == pytest.approx(30, abs=1)
    else:
        assert (
            0.8 * app.config["OUTBOX_BACKOFF_SECONDS"] <= wait <= 1.2 * app.config["OUTBOX_BACKOFF_SECONDS"]
        )
    assert worker.run_until_idle(now=t + timedelta(seconds=wait - 2)) == 0

    worker.run_until_idle(now=t + timedelta(seconds=wait + 1))
    assert [d.status for d in receiver.for_endpoint(endpoint)] == [status, 201]
    assert receiver.for_endpoint(endpoint)[1].message["title"] == "停水通知"
    assert pending() == []


@pytest.mark.parametrize("status", [400, 403])
def test_other_refusals_are_dropped_and_counted(client, world, auth, receiver, worker, status):
    endpoint = subscribe(client, auth, world.resident, receiver)
    receiver.answer(endpoint, status)
    publish(world, region=world.g1)
    worker.run_until_idle(now=utcnow() + timedelta(days=1))

    assert [d.status for d in receiver.for_endpoint(endpoint)] == [status]
    assert subscription(endpoint).failure_count == 1
    assert pending() == []


def test_a_subscription_refused_again_and_again_is_removed(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    for n in range(delivery.MAX_FAILURES):
        receiver.answer(endpoint, 403)
        publish(world, region=world.g1, title=f"n{n}")
        worker.run_until_idle()
    assert subscription(endpoint) is None


def test_a_switched_off_kind_sends_nothing_at_all(client, world, auth, receiver, worker, sms):
    endpoint = subscribe(client, auth, world.resident, receiver)
    res = client.patch(
        "/api/v1/me/notification-settings", json={"notice": False}, headers=auth(world.resident)
    )
    assert res.status_code == 200
    client.patch("/api/v1/me/notification-settings", json={"notice": False}, headers=auth(world.resident2))
    publish(world)
    worker.run_until_idle()

    assert receiver.for_endpoint(endpoint) == []
    assert sms.sent == []
    # The urgent switch is separate.
    publish(world, category="urgent", title="紧急")
    worker.run_until_idle()
    assert len(receiver.for_endpoint(endpoint)) == 1


def test_users_without_push_get_the_fallback_sms(app, world, worker, sms, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://linli.example.cn")
    notice = publish(world, region=world.g1, body="详情" * 200)
    worker.run_until_idle()

    ((phone, text),) = sms.sent
    assert phone == world.resident.phone
    assert text.startswith("【邻里】停水通知：详情")
    assert text.endswith(f" https://linli.example.cn/notices/{notice.id}")
    assert len(text) <= 140


def test_fallback_can_be_limited_to_some_kinds(app, world, worker, sms, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_FALLBACK_KINDS", "notice_urgent, report_update")
    publish(world, region=world.g1)
    worker.run_until_idle()
    assert sms.sent == []
    publish(world, region=world.g1, category="urgent")
    worker.run_until_idle()
    assert len(sms.sent) == 1


def test_direct_notifications_reach_the_named_users(client, world, auth, receiver, worker, sms):
    endpoint = subscribe(client, auth, world.resident, receiver)
    service.notify_users(
        [world.resident.id, world.resident.id, world.worker.id],
        PushKind.REPORT_UPDATE,
        title="您的报事已受理",
        body="网格员将在 1 小时内联系您。",
        url="/reports/42",
        tag="report-42",
        ref="report:42:accepted",
    )
    db.session.commit()
    worker.run_until_idle()

    (got,) = receiver.for_endpoint(endpoint)
    assert got.message == {
        "title": "您的报事已受理",
        "body": "网格员将在 1 小时内联系您。",
        "url": "/reports/42",
        "tag": "report-42",
        "kind": "report_update",
    }
    assert got.headers["topic"] == "report-42"
    assert [phone for phone, _ in sms.sent] == [world.worker.phone]


def test_a_region_notification_reaches_its_residents(client, world, auth, receiver, worker):
    here = subscribe(client, auth, world.resident, receiver)
    there = subscribe(client, auth, world.outsider, receiver)
    service.notify_region(
        world.c1.id, PushKind.POLL, title="投票开始", body="电梯加装", url="/polls/3", tag="poll-3"
    )
    db.session.commit()
    worker.run_until_idle()
    assert len(receiver.for_endpoint(here)) == 1
    assert receiver.for_endpoint(there) == []


def test_the_payload_stays_under_4kb(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    publish(world, region=world.g1, title="长" * 120, body="很长的正文。" * 2000)
    worker.run_until_idle()

    (got,) = receiver.for_endpoint(endpoint)
    assert receiver.errors() == []
    assert got.body_size <= 4096
    assert got.message["body"].endswith("…")
    assert got.message["title"] == "长" * 120


def test_fan_out_runs_in_chunks(app, client, world, auth, receiver, worker, monkeypatch):
    from tests.factories import UserFactory, member

    monkeypatch.setitem(app.config, "PUSH_FANOUT_CHUNK", 2)
    residents = [world.resident]
    for _ in range(4):
        user = UserFactory()
        member(user, world.g1)
        residents.append(user)
    db.session.commit()
    endpoints = [subscribe(client, auth, user, receiver) for user in residents]
    publish(world, region=world.g1)
    worker.run_until_idle()

    assert all(len(receiver.for_endpoint(e)) == 1 for e in endpoints)
    fanouts = db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.kind == service.FANOUT)).all()
    assert [e.payload["after"] for e in fanouts] == sorted(e.payload["after"] for e in fanouts)
    assert len(fanouts) == 2


def test_each_push_service_gets_its_own_audience(client, world, auth, receiver, worker):
    """pywebpush writes `aud` into the claims dict it is given (PITFALLS.md): a shared dict would carry the
    first service's origin to the second."""
    other = PushReceiver(vapid_public_key=receiver.vapid_public_key).start()
    try:
        first = subscribe(client, auth, world.resident, receiver)
        second = subscribe(client, auth, world.resident, other)
        publish(world, region=world.g1)
        publish(world, region=world.g1, title="第二条")
        worker.run_until_idle()
        assert receiver.errors() == []
        assert other.errors() == []
        assert {d.claims["aud"] for d in receiver.for_endpoint(first)} == {receiver.origin}
        assert {d.claims["aud"] for d in other.for_endpoint(second)} == {other.origin}
        assert len(other.for_endpoint(second)) == 2
    finally:
        other.stop()


def test_a_worker_killed_mid_batch_delivers_the_rest_after_its_lease(
    app, client, world, auth, receiver, monkeypatch
):
    """The worker dies (an uncaught BaseException: like a SIGKILL it cleans nothing up) in the middle of its
    second delivery event: its claimed rows stay leased, and a restarted worker delivers all the rest. Only
    the event in progress is sent again; the finished one is not."""
    from app.outbox.worker import Worker
    from tests.factories import UserFactory, member

    monkeypatch.setitem(app.config, "PUSH_DELIVERY_BATCH", 4)
    users = [world.resident]
    for _ in range(9):
        user = UserFactory()
        member(user, world.g1)
        users.append(user)
    db.session.commit()
    endpoints = [subscribe(client, auth, user, receiver) for user in users]
    publish(world, region=world.g1)

    real_send, sent = delivery.send, []

    def send_then_die(sub, message):
        response = real_send(sub, message)
        sent.append(sub.endpoint)
        if len(sent) == 5:
            raise SystemExit("killed")
        return response

    monkeypatch.setattr(delivery, "send", send_then_die)
    t = utcnow()
    crashing = Worker(app, concurrency=1, lease_seconds=60, periodic=False)
    crashing.run_once(now=t)  # the fan-out: three delivery events of 4, 4 and 2
    assert len(pending(service.DELIVER)) == 3
    with pytest.raises(SystemExit):
        crashing.run_once(now=t)
    assert len(receiver.accepted()) == 5

    monkeypatch.setattr(delivery, "send", real_send)
    restarted = Worker(app, concurrency=4, lease_seconds=60, periodic=False)
    assert restarted.run_until_idle(now=t + timedelta(seconds=30)) == 0
    restarted.run_until_idle(now=t + timedelta(seconds=61))

    counts = [len(receiver.for_endpoint(e)) for e in endpoints]
    # The fifth went twice (the tag lets the browser collapse it); every one arrived.
    assert counts == [1, 1, 1, 1, 2, 1, 1, 1, 1, 1]
    assert receiver.errors() == []
    assert pending() == []


def test_in_one_delivery_event_each_outcome_is_handled_on_its_own(app, client, world, auth, receiver, worker):
    from tests.factories import UserFactory, member

    users = [world.resident, *(UserFactory() for _ in range(2))]
    for user in users[1:]:
        member(user, world.g1)
    db.session.commit()
    gone, busy, fine = (subscribe(client, auth, user, receiver) for user in users)
    receiver.answer(gone, 410)
    receiver.answer(busy, 503, {"Retry-After": "30"})
    publish(world, region=world.g1)
    t = utcnow()
    worker.run_until_idle(now=t)

    assert subscription(gone) is None
    assert subscription(fine).last_success_at is not None
    (retry,) = pending(service.DELIVER)
    assert retry.payload["subscription_ids"] == [subscription(busy).id]
    assert retry.next_attempt_at == t + timedelta(seconds=30)
    worker.run_until_idle(now=t + timedelta(seconds=31))
    assert [d.status for d in receiver.for_endpoint(busy)] == [503, 201]
    assert [d.status for d in receiver.for_endpoint(fine)] == [201]
    assert pending() == []


def test_a_slow_delivery_event_hands_on_the_rest_before_its_lease_ends(
    app, client, world, auth, receiver, monkeypatch
):
    from app.outbox.worker import LEASE_MARGIN, Worker
    from tests.factories import UserFactory, member

    users = [world.resident, *(UserFactory() for _ in range(5))]
    for user in users[1:]:
        member(user, world.g1)
    db.session.commit()
    endpoints = [subscribe(client, auth, user, receiver) for user in users]
    publish(world, region=world.g1)
    # Each push takes 0.4 s and may take up to 1 s; the lease leaves 2 s for the event's six pushes.
    receiver.delay = 0.4
    monkeypatch.setitem(app.config, "PUSH_TIMEOUT_SECONDS", 1.0)
    slow = Worker(app, concurrency=1, lease_seconds=LEASE_MARGIN.total_seconds() + 2, periodic=False)
    slow.run_until_idle()

    assert [len(receiver.for_endpoint(e)) for e in endpoints] == [1] * 6
    deliveries = db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.kind == service.DELIVER)).all()
    assert len(deliveries) >= 2
    assert all(e.done_at is not None for e in deliveries)


def test_a_notice_posted_through_the_api_is_pushed_after_the_request(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    res = client.post(
        "/api/v1/notices",
        json={"title": "电梯维保", "body": "3 栋电梯周三停用。", "region_id": world.g1.id},
        headers=auth(world.worker),
    )
    assert res.status_code == 201
    notice_id = res.get_json()["id"]
    assert len(pending(service.NOTICE_PUBLISHED)) == 1
    assert receiver.deliveries == []

    worker.run_until_idle()
    (got,) = receiver.for_endpoint(endpoint)
    assert got.message["title"] == "电梯维保"
    assert got.message["url"] == f"/notices/{notice_id}"


def test_a_notice_scheduled_through_the_api_is_pushed_at_its_new_time(client, world, auth, receiver, worker):
    endpoint = subscribe(client, auth, world.resident, receiver)
    later = (utcnow() + timedelta(days=2)).isoformat()
    res = client.post(
        "/api/v1/notices",
        json={"title": "消防演练", "body": "周六上午演练。", "region_id": world.c1.id, "publish_at": later},
        headers=auth(world.worker),
    )
    assert res.status_code == 201
    notice_id = res.get_json()["id"]
    worker.run_until_idle()
    assert receiver.for_endpoint(endpoint) == []

    # Brought forward to now: the one pending push moves with it and goes out.
    now = utcnow().isoformat()
    res = client.patch(f"/api/v1/notices/{notice_id}", json={"publish_at": now}, headers=auth(world.worker))
    assert res.status_code == 200
    assert len(pending(service.NOTICE_PUBLISHED)) == 1
    worker.run_until_idle()
    (got,) = receiver.for_endpoint(endpoint)
    assert got.message["title"] == "消防演练"


def test_the_vapid_header_is_signed_per_push_service_and_reused_for_it(receiver):
    other = PushReceiver()
    try:
        mine = delivery.vapid_authorization(f"{receiver.origin}/push/a")
        assert delivery.vapid_authorization(f"{receiver.origin}/push/b") == mine
        theirs = delivery.vapid_authorization(f"{other.origin}/push/a")
        assert theirs != mine
        errors: list[str] = []
        assert receiver._verify_vapid(mine, errors)["aud"] == receiver.origin
        assert other._verify_vapid(theirs, errors)["aud"] == other.origin
        assert errors == []
    finally:
        other.server.server_close()


def test_old_messages_are_purged_by_a_daily_job(world, worker):
    from app.outbox.queue import PERIODIC
    from app.outbox.worker import Worker
    from app.push.models import PushMessage

    assert "push.purge_messages" in PERIODIC
    publish(world, region=world.g1, title="旧")
    t = utcnow()
    worker.run_until_idle(now=t)
    publish(world, region=world.g1, title="新")
    worker.run_until_idle(now=t + timedelta(days=delivery.KEEP_MESSAGES_DAYS))

    Worker(worker.app, concurrency=1).run_until_idle(
        now=t + timedelta(days=delivery.KEEP_MESSAGES_DAYS, hours=1)
    )
    assert db.session.scalars(sa.select(PushMessage.title)).all() == ["新"]

"""Benchmark: web push fan-out of one notice to 10,000 subscriptions, and the publishing request's p95.

Starts the local push service of the tests (tests/push/receiver.py) in its own process: it verifies the
VAPID header and decrypts every push. Seeds a district whose community A has N residents with one push
subscription each and whose community B has none, in a temporary SQLite database (or --database-url, an
empty scratch database whose tables are dropped first). Then:

1. Publishing: POST /api/v1/notices through the whole Flask stack (test client, no worker running),
   alternating a notice for A (N subscribers) and one for B (none); prints both p95s and their ratio
   (target ≤ 1.2: publishing only writes one outbox row, whatever the audience).
2. Fan-out: one notice for A drained by the outbox worker (fan-out chunks, then delivery events of
   PUSH_DELIVERY_BATCH subscriptions) against the receiver; prints deliveries/s and total time, next to
   the bare stack: the same pushes sent by pywebpush from a thread pool with no database or outbox (half
   of them before the fan-out and half after, as the machine's load drifts).

    .venv/bin/python bench/bench_push.py [--subscribers 10000] [--requests 300] [--concurrency 8]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 1.2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300, help="publishing requests per audience")
    parser.add_argument("--concurrency", type=int, default=8, help="worker threads (OUTBOX_CONCURRENCY)")
    parser.add_argument("--batch-size", type=int, default=200, help="events a worker claims at a time")
    parser.add_argument("--database-url", default=None, help="a scratch database (default: temporary SQLite)")
    return parser.parse_args()


def start_receiver(count: int, vapid_key: str, workdir: Path) -> tuple[subprocess.Popen, str, list[dict]]:
    out = workdir / "subscriptions.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.push.receiver",
            "--subscriptions",
            str(count),
            "--out",
            str(out),
            "--vapid-key",
            vapid_key,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    origin = process.stdout.readline().strip()
    return process, origin, json.loads(out.read_text())


def receiver_stats(origin: str) -> dict:
    with urllib.request.urlopen(f"{origin}/stats", timeout=10) as res:
        return json.load(res)


def wait_accepted(origin: str, count: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        stats = receiver_stats(origin)
        if stats["accepted"] >= count or time.monotonic() > deadline:
            return stats
        time.sleep(0.05)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def build_app(args, workdir: Path):
    from app import create_app
    from config import TestingConfig

    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite'}"

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        RATELIMIT_ENABLED = False
        SMS_BACKEND = "memory"
        OUTBOX_CONCURRENCY = args.concurrency
        OUTBOX_BATCH_SIZE = args.batch_size
        PUSH_TIMEOUT_SECONDS = 30.0

    return create_app(BenchConfig)


def seed(subscriptions: list[dict]):
    """Community A: one resident per subscription; community B: nobody. A street worker posts to both."""
    import sqlalchemy as sa

    from app.auth.models import User
    from app.core.permissions import Role
    from app.extensions import db
    from app.push.models import PushSubscription
    from app.regions.models import Level, Membership, MembershipStatus
    from app.regions.service import create_region
    from tests.factories import UserFactory, auth_header, member

    district = create_region(name="宝安区", level=Level.DISTRICT)
    street = create_region(name="新安街道", level=Level.STREET, parent=district)
    busy = create_region(name="海裕社区", level=Level.COMMUNITY, parent=street)
    quiet = create_region(name="灵芝社区", level=Level.COMMUNITY, parent=street)
    worker = UserFactory(name="街道工作人员")
    member(worker, street, Role.STREET_STAFF)
    db.session.commit()
    headers = auth_header(worker)

    n = len(subscriptions)
    db.session.execute(
        sa.insert(User),
        [{"phone": f"138{i:08d}", "name": f"居民{i}", "password_hash": "-"} for i in range(n)],
    )
    ids = db.session.scalars(sa.select(User.id).where(User.phone.like("138%")).order_by(User.id)).all()
    db.session.execute(
        sa.insert(Membership),
        [
            {"user_id": uid, "region_id": busy.id, "role": Role.RESIDENT, "status": MembershipStatus.ACTIVE}
            for uid in ids
        ],
    )
    db.session.execute(
        sa.insert(PushSubscription),
        [
            {
                "user_id": uid,
                "endpoint": s["endpoint"],
                "p256dh": s["keys"]["p256dh"],
                "auth": s["keys"]["auth"],
            }
            for uid, s in zip(ids, subscriptions, strict=True)
        ],
    )
    db.session.commit()
    return headers, busy.id, quiet.id


def ensure_hook() -> str:
    """Until app/notices/service.py calls push itself, wrap its create_notice with the one-line hook."""
    import inspect

    from app.notices import service as notices
    from app.push.service import notify_notice

    if "notify_notice" in inspect.getsource(notices):
        return "the notices service's own hook"
    original = notices.create_notice

    def create_notice(**kwargs):
        notice = original(**kwargs)
        notify_notice(notice)
        return notice

    notices.create_notice = create_notice
    return "a wrapper adding the hook (not yet in app/notices/service.py)"


def measure_publishing(client, headers, busy_id, quiet_id, requests: int) -> tuple[list[float], list[float]]:
    times: dict[int, list[float]] = {busy_id: [], quiet_id: []}
    for i in range(requests * 2 + 20):
        region = busy_id if i % 2 else quiet_id
        start = time.perf_counter()
        res = client.post(
            "/api/v1/notices",
            json={"title": f"通知 {i}", "body": "明天上午停水。", "region_id": region},
            headers=headers,
        )
        elapsed = time.perf_counter() - start
        assert res.status_code == 201, res.get_json()
        if i >= 20:  # warm-up
            times[region].append(elapsed)
    return times[busy_id], times[quiet_id]


def bare_stack(app, subscriptions: list[dict], concurrency: int) -> float:
    """pywebpush alone: the same encrypted, VAPID-signed pushes from a thread pool, no database."""
    from app.push.delivery import send
    from app.push.models import PushKind, PushMessage, PushSubscription

    message = PushMessage(
        kind=PushKind.NOTICE,
        title="基线",
        body="明天上午停水。",
        url="/notices/0",
        tag="notice-0",
        urgency="normal",
        ttl=3600,
    )
    subs = [
        PushSubscription(endpoint=s["endpoint"], p256dh=s["keys"]["p256dh"], auth=s["keys"]["auth"])
        for s in subscriptions
    ]

    def push(chunk):
        with app.app_context():
            for sub in chunk:
                send(sub, message)

    chunks = [subs[i::concurrency] for i in range(concurrency)]
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(push, chunks))
    return time.perf_counter() - start


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-push-"))
    os.environ.setdefault("INSTANCE_PATH", str(workdir))
    app = build_app(args, workdir)

    import sqlalchemy as sa

    from app.extensions import db
    from app.outbox.models import OutboxEvent
    from app.outbox.worker import Worker
    from app.push.models import PushMessage
    from app.push.vapid import keys

    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
        vapid_key = keys().public_key
    receiver, origin, subscriptions = start_receiver(args.subscribers, vapid_key, workdir)
    try:
        with app.app_context():
            headers, busy_id, quiet_id = seed(subscriptions)
            hook = ensure_hook()
            client = app.test_client()
            with_subs, without = measure_publishing(client, headers, busy_id, quiet_id, args.requests)
            # Publishing left one outbox row per notice and nothing else.
            rows = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent))
            db.session.execute(sa.delete(OutboxEvent))
            db.session.commit()

            res = client.post(
                "/api/v1/notices",
                json={"title": "停水通知", "body": "明天上午停水。", "region_id": busy_id},
                headers=headers,
            )
            assert res.status_code == 201
            # The bare stack runs half before and half after the fan-out: this machine's load drifts.
            half = len(subscriptions) // 2
            bare = bare_stack(app, subscriptions[:half], args.concurrency)
            worker = Worker(app, concurrency=args.concurrency, batch_size=args.batch_size, periodic=False)
            start = time.perf_counter()
            events = worker.run_until_idle()
            fan_out = time.perf_counter() - start
            stats = wait_accepted(origin, args.subscribers + half)
            stats["accepted"] -= half
            worker.close()
            messages = db.session.scalar(sa.select(sa.func.count()).select_from(PushMessage))

            bare += bare_stack(app, subscriptions[half:], args.concurrency)
            bare_stats = wait_accepted(origin, 2 * args.subscribers)
    finally:
        receiver.terminate()
        try:
            receiver.wait(10)
        except subprocess.TimeoutExpired:
            receiver.kill()

    n = args.subscribers
    print(
        f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}; hook: {hook}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"publishing p95, notice to {n:,} subscribers: {p95(with_subs) * 1000:.2f} ms "
        f"(median {statistics.median(with_subs) * 1000:.2f} ms, {len(with_subs)} requests)"
    )
    print(
        f"publishing p95, notice to no subscribers:   {p95(without) * 1000:.2f} ms "
        f"(median {statistics.median(without) * 1000:.2f} ms, {len(without)} requests)"
    )
    ratio = p95(with_subs) / p95(without)
    print(
        f"ratio: {ratio:.2f} (target ≤ {TARGET}) {'OK' if ratio <= TARGET else 'ABOVE TARGET'}; "
        f"outbox rows written by {2 * args.requests + 20} publishes: {rows}"
    )
    print(
        f"fan-out: {stats['accepted'] if stats else 0:,} of {n:,} pushes accepted by the receiver in "
        f"{fan_out:.2f} s = {n / fan_out:,.0f} deliveries/s ({events:,} outbox events, "
        f"{args.concurrency} threads, {messages} message row); receiver errors: {stats['errors'] or 'none'}"
    )
    print(
        f"bare stack (pywebpush from {args.concurrency} threads, no outbox): {bare:.2f} s = "
        f"{n / bare:,.0f} pushes/s; outbox throughput ratio {bare / fan_out:.2f}; "
        f"receiver errors: {bare_stats['errors'] or 'none'}"
    )


if __name__ == "__main__":
    main()

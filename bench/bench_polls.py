"""Benchmark: tallying 10,000 ballots of an owners' vote on PostgreSQL (target ≤ 200 ms), and 1,000 voters
sending their ballots at once through a real HTTP server (exactly 1,000 stored; duplicates answered 409,
nothing else).

Uses the PostgreSQL database at BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/
linli_bench_polls, created if missing). ITS TABLES ARE DROPPED AND CREATED AGAIN at the start of each run.

1. Tally: a community with 10,000 owner parties (one unit each, areas 50–150 m²), an owners' poll whose
   frozen roll holds them all, and 10,000 ballots appended to a valid hash chain (bulk-inserted; the chain
   is computed exactly as app/polls/chain.py does). Times `service.recount` (every ballot counted again:
   grouped in SQL, then the exact-fraction art. 278 tally), `service.compute_result` (the running totals)
   and `GET /api/v1/polls/<id>/results` through the Flask test client, p50 over --samples runs, beside
   `SELECT 1` and `GET /healthz` as the bare stack.
2. Concurrency: 1,000 residents on a person poll's roll. The app is served by Werkzeug's threaded server on
   a free local port; --threads client threads post 1,000 ballots (one per voter) plus --duplicates
   repeats from random voters, all at once. Prints the status counts, the ballots stored, the chain check,
   and requests/s.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/linli_bench_polls \\
        .venv/bin/python bench/bench_polls.py [--ballots 10000] [--voters 1000] [--samples 15]
"""

import argparse
import json
import logging
import os
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--voters", type=int, default=1_000)
    parser.add_argument("--duplicates", type=int, default=200, help="repeat ballots from random voters")
    parser.add_argument("--threads", type=int, default=64, help="client threads sending at once")
    parser.add_argument("--samples", type=int, default=15)
    return parser.parse_args()


def database_url() -> sa.URL:
    default = "postgresql+psycopg://postgres@127.0.0.1:5432/linli_bench_polls"
    url = sa.make_url(os.environ.get("BENCH_DATABASE_URL", default))
    if not url.drivername.startswith("postgresql"):
        sys.exit("bench_polls needs PostgreSQL (BENCH_DATABASE_URL)")
    try:
        sa.create_engine(url).connect().close()
    except sa.exc.OperationalError:
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
    return url


def make_app(url: sa.URL):
    from app import create_app
    from config import TestingConfig

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url.render_as_string(hide_password=False)
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 20, "max_overflow": 20}  # noqa: RUF012
        RATELIMIT_ENABLED = False

    return create_app(BenchConfig)


def p50(fn, samples: int) -> float:
    fn()  # warm
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def setup_world():
    from app.auth.models import User
    from app.core.permissions import Role
    from app.extensions import db
    from app.regions.models import Level, Membership, MembershipStatus
    from app.regions.service import create_region

    d = create_region(name="宝安区", level=Level.DISTRICT)
    s = create_region(name="新安街道", level=Level.STREET, parent=d)
    c = create_region(name="海裕社区", level=Level.COMMUNITY, parent=s)
    committee = User(phone="13800000003", name="委员", password_hash="x")
    db.session.add(committee)
    db.session.flush()
    db.session.add(Membership(user=committee, region=c, role=Role.COMMITTEE, status=MembershipStatus.ACTIVE))
    db.session.commit()
    return c, committee


def build_tally_poll(community, committee, n: int):
    """n owner parties on the roll of an owners' poll and n ballots on a valid chain, bulk-inserted."""
    from app.core.db import utcnow
    from app.extensions import db
    from app.polls import chain
    from app.polls.models import (
        Counting,
        Poll,
        PollBallot,
        PollOption,
        PollStatus,
        PollVoter,
        ResultsVisibility,
        RollEntry,
        Secrecy,
    )
    from app.regions.models import Unit
    from app.regions.ownership import Owner, UnitOwner

    rng = random.Random(7)
    areas = [Decimal(rng.randint(5000, 15000)) / 100 for _ in range(n)]
    db.session.execute(
        sa.insert(Unit), [{"community_id": community.id, "building": str(i // 100), "entrance": "1",
                           "room": str(i), "floor_area": a} for i, a in enumerate(areas)]
    )  # fmt: skip
    db.session.execute(
        sa.insert(Owner), [{"community_id": community.id, "name": f"业主{i}"} for i in range(n)]
    )
    unit_ids = db.session.scalars(sa.select(Unit.id).order_by(Unit.id)).all()
    owner_ids = db.session.scalars(sa.select(Owner.id).order_by(Owner.id)).all()
    db.session.execute(
        sa.insert(UnitOwner),
        [{"unit_id": u, "owner_id": o} for u, o in zip(unit_ids, owner_ids, strict=True)],
    )
    now = utcnow()
    poll = Poll(region=community, created_by=committee, title="是否同意更换电梯", counting=Counting.OWNERS,
                status=PollStatus.OPEN, opens_at=now, opened_at=now, closes_at=now + timedelta(days=1),
                results=ResultsVisibility.LIVE, secrecy=Secrecy.NAMED)  # fmt: skip
    poll.options = [PollOption(position=0, label="同意", approves=True), PollOption(position=1, label="反对"),
                    PollOption(position=2, label="弃权")]  # fmt: skip
    db.session.add(poll)
    db.session.flush()
    entries = list(zip(owner_ids, areas, strict=True))
    db.session.execute(sa.insert(RollEntry), [{"poll_id": poll.id, "voter_key": k, "area": a, "label": ""}
                                              for k, a in entries])  # fmt: skip
    poll.roll_fingerprint = chain.roll_fingerprint(entries)
    poll.roll_heads, poll.roll_area = n, sum(areas, Decimal(0))
    head = chain.genesis(poll.id, poll.roll_fingerprint)
    option_ids = [o.id for o in poll.options]
    ballots, voters = [], []
    for seq, (key, area) in enumerate(entries, start=1):
        choice = [option_ids[0 if rng.random() < 0.7 else rng.choice((1, 2))]]
        nonce = chain.new_nonce()
        digest = chain.digest(poll.id, choice, area, nonce)
        receipt = chain.receipt(poll.id, seq, digest)
        link = chain.link(head, seq, receipt, digest)
        ballots.append({"poll_id": poll.id, "seq": seq, "receipt": receipt, "choices": choice, "area": area,
                        "channel": "app", "voter_key": key, "digest": digest, "nonce": nonce,
                        "prev_hash": head, "hash": link})  # fmt: skip
        voters.append({"poll_id": poll.id, "voter_key": key, "channel": "app"})
        # The running totals cast_ballot keeps under the poll's lock.
        option = next(o for o in poll.options if o.id == choice[0])
        option.count += 1
        option.area += area
        poll.turnout_area += area
        if option.approves:
            poll.approve_heads += 1
            poll.approve_area += area
        head = link
    db.session.execute(sa.insert(PollVoter), voters)
    db.session.execute(sa.insert(PollBallot), ballots)
    poll.ballot_count, poll.chain_head = n, head
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return poll.id


def tally_bench(app, args) -> None:
    from app.auth.service import start_session
    from app.extensions import db
    from app.polls import service
    from app.polls.models import Poll

    with app.app_context():
        community, committee = setup_world()
        start = time.perf_counter()
        poll_id = build_tally_poll(community, committee, args.ballots)
        print(
            f"built {args.ballots:,} owners, roll and chained ballots in {time.perf_counter() - start:.1f} s"
        )
        token = start_session(committee)["access_token"]
        db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        client = app.test_client()

        def tally():
            db.session.expire_all()
            return service.recount(db.session.get(Poll, poll_id))

        def totals():
            db.session.expire_all()
            return service.compute_result(db.session.get(Poll, poll_id))

        result = tally()
        select1 = p50(lambda: db.session.execute(sa.text("SELECT 1")), args.samples)
        tally_ms = p50(tally, args.samples)
        totals_ms = p50(totals, args.samples)
        assert totals() == result, "running totals and recount disagree"
        body = client.get(f"/api/v1/polls/{poll_id}/results", headers=headers).get_json()
        assert body["turnout"]["heads"] == args.ballots, body
        http_ms = p50(lambda: client.get(f"/api/v1/polls/{poll_id}/results", headers=headers), args.samples)
        health = p50(lambda: client.get("/healthz"), args.samples)
    print(f"\nTally of {args.ballots:,} owners' ballots (PostgreSQL), p50 of {args.samples}:")
    print(f"  SELECT 1 (bare database)              {select1:8.2f} ms")
    verdict = "OK" if tally_ms <= 200 else "MISSED"
    print(f"  service.recount (all ballots, SQL)    {tally_ms:8.2f} ms   target ≤ 200 ms: {verdict}")
    print(f"  service.compute_result (totals)       {totals_ms:8.2f} ms   (what /results serves)")
    print(f"  GET /healthz (bare stack)             {health:8.2f} ms")
    print(f"  GET /api/v1/polls/<id>/results        {http_ms:8.2f} ms   ({http_ms / health:.0f}x /healthz)")
    print(f"  turnout {result['turnout']}, quorum_met={result['quorum_met']}, passed={result['passed']}")


def concurrency_bench(app, args) -> None:
    from werkzeug.serving import make_server

    from app.auth.models import User
    from app.auth.service import start_session
    from app.core.permissions import Role
    from app.extensions import db
    from app.polls import chain
    from app.polls.models import Poll, PollBallot
    from app.regions.models import Level, Membership, MembershipStatus, Region

    with app.app_context():
        community = db.session.scalar(sa.select(Region).where(Region.level == Level.COMMUNITY))
        committee = db.session.scalar(sa.select(User).where(User.phone == "13800000003"))
        people = [
            {"phone": f"139{i:08d}", "name": f"居民{i}", "password_hash": "x"} for i in range(args.voters)
        ]
        db.session.execute(sa.insert(User), people)
        users = db.session.scalars(sa.select(User).where(User.phone.like("139%")).order_by(User.id)).all()
        active = MembershipStatus.ACTIVE
        rows = [
            {"user_id": u.id, "region_id": community.id, "role": Role.RESIDENT, "status": active}
            for u in users
        ]
        db.session.execute(sa.insert(Membership), rows)
        db.session.commit()
        community_id = community.id
        committee_token = start_session(committee)["access_token"]
        tokens = [start_session(u)["access_token"] for u in users]
        db.session.commit()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/api/v1"

    def post(path, body, token):
        request = urllib.request.Request(
            base + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    try:
        closes = (time.time() + 86400) * 1000
        status, poll = post("/polls", {"region_id": community_id, "title": "并发投票", "closes_at":
                            time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(closes / 1000)),
                            "options": [{"label": "同意"}, {"label": "反对"}]}, committee_token)  # fmt: skip
        assert status == 201, poll
        assert poll["roll"]["heads"] == args.voters, poll["roll"]
        rng = random.Random(11)
        jobs = [(t, rng.choice(poll["options"])["id"]) for t in tokens]
        jobs += [(rng.choice(tokens), poll["options"][0]["id"]) for _ in range(args.duplicates)]
        rng.shuffle(jobs)
        gate = threading.Barrier(args.threads)

        def send(job):
            token, option = job
            return post(f"/polls/{poll['id']}/ballots", {"option_ids": [option]}, token)

        def warm_then_wait(_):
            gate.wait()

        start = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(warm_then_wait, range(args.threads)))  # every thread up before the first send
            start = time.perf_counter()
            outcomes = list(pool.map(send, jobs))
        elapsed = time.perf_counter() - start
    finally:
        server.shutdown()
        thread.join(timeout=10)

    codes = Counter(
        (status, (body.get("error") or {}).get("code") if status != 201 else "created")
        for status, body in outcomes
    )
    with app.app_context():
        stored = db.session.scalar(
            sa.select(sa.func.count()).select_from(PollBallot).where(PollBallot.poll_id == poll["id"])
        )
        rows = db.session.execute(
            sa.select(PollBallot.seq, PollBallot.receipt, PollBallot.digest, PollBallot.hash)
            .where(PollBallot.poll_id == poll["id"]).order_by(PollBallot.seq)
        ).all()  # fmt: skip
        p = db.session.get(Poll, poll["id"])
        head = chain.genesis(p.id, p.roll_fingerprint)
        for seq, receipt, digest, link in rows:
            head = chain.link(head, seq, receipt, digest)
            assert head == link
        chain_ok = head == p.chain_head and [r.seq for r in rows] == list(range(1, len(rows) + 1))
    total = len(jobs)
    sent = f"{args.voters:,} voters + {args.duplicates} repeats"
    print(f"\n{total:,} ballot requests ({sent}) from {args.threads} threads at once:")
    for (status, code), count in sorted(codes.items()):
        print(f"  {status} {code:<16} {count:6,}")
    others = {k: v for k, v in codes.items() if k not in {(201, "created"), (409, "already_voted")}}
    ok = stored == args.voters and codes[(201, "created")] == args.voters and not others and chain_ok
    print(f"  stored {stored:,} ballots (expected {args.voters:,}); chain intact: {chain_ok}; "
          f"{total / elapsed:,.0f} requests/s over {elapsed:.1f} s   {'OK' if ok else 'FAILED'}")  # fmt: skip


def main() -> None:
    args = parse_args()
    url = database_url()
    app = make_app(url)
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
    tally_bench(app, args)
    concurrency_bench(app, args)


if __name__ == "__main__":
    main()

"""Benchmark: a community's report list, page 500 against page 1, over 1,000,000 reports in PostgreSQL; and
locating points in a district's grids (the in-process STRtree index against the SQL lookup of
GET /regions/locate), both measured in the same run.

Builds a scratch PostgreSQL database (dropped and created again each run; by default `linli_bench_reports`
on the server of BENCH_DATABASE_URL, else postgresql+psycopg://postgres@127.0.0.1:5432), a district of
10 streets x 10 communities x 10 grids (1,000 square grids), and 1,000,000 reports inserted by one
INSERT … SELECT over generate_series: 5 % in the measured community (50,000 rows, so page 500 of 20 lies
mid-list), the rest spread over the other 99. Then, through the real app (Flask test client, a community
worker's token), it times `GET /api/v1/reports?scope=community&limit=20` on page 1 and on page 500
(cursor taken from the row before it) and prints the p50 of each and their ratio (target ≤ 1.5), beside
`GET /healthz` as the bare-stack figure. Last it times 100,000 lookups through the grid index (target
≥ 5,000/s) and 2,000 through the SQL lookup, and prints both rates and their ratio.

    .venv/bin/python bench/bench_reports.py [--reports 1000000] [--samples 200] [--keep]
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STREETS, COMMUNITIES, GRIDS = 10, 10, 10
CELL = 0.004  # a grid is a square about 400 m across
WEST, SOUTH = 113.80, 22.50
TARGET_SHARE = 20  # every 20th report lies in the measured community
PAGE = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200, help="requests timed per page (default 200)")
    parser.add_argument("--lookups", type=int, default=100_000, help="index lookups timed (default 100,000)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    return parser.parse_args()


def scratch_url() -> sa.URL:
    base = sa.make_url(os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/x"))
    return base.set(database="linli_bench_reports")


def recreate(url: sa.URL) -> None:
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def drop(url: sa.URL) -> None:
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def make_app(url: sa.URL):
    from app import create_app
    from config import TestingConfig

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url.render_as_string(hide_password=False)
        RATELIMIT_ENABLED = False

    return create_app(BenchConfig)


def square(col: int, row: int) -> dict:
    lng, lat = WEST + col * CELL, SOUTH + row * CELL
    ring = [[lng, lat], [lng + CELL, lat], [lng + CELL, lat + CELL], [lng, lat + CELL], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def build_district():
    """10 streets in a row of columns, 10 communities each, 10 grids each: a 100 x 10 field of squares."""
    from app.extensions import db
    from app.regions.models import Level
    from app.regions.service import create_region

    district = create_region(name="基准区", level=Level.DISTRICT)
    grids = []  # (grid id, community id, col, row)
    communities = []
    for s in range(STREETS):
        street = create_region(name=f"街道{s}", level=Level.STREET, parent=district)
        for c in range(COMMUNITIES):
            community = create_region(name=f"社区{s}-{c}", level=Level.COMMUNITY, parent=street)
            communities.append(community)
            for g in range(GRIDS):
                col, row = s * COMMUNITIES + c, g
                grid = create_region(name=f"网格{s}-{c}-{g}", level=Level.GRID, parent=community,
                                     boundary=square(col, row))  # fmt: skip
                grids.append((grid.id, community.id, col, row))
    db.session.commit()
    return district, communities, grids


def insert_reports(n: int, target_community_id: int, reporter_id: int) -> float:
    """One INSERT … SELECT over generate_series; returns the seconds it took (index maintenance included)."""
    from app.extensions import db

    started = time.perf_counter()
    db.session.execute(
        sa.text(
            """
            INSERT INTO reports (
                category_id, type, description, lat, lng, photo_ids, anonymous, public, channel, reporter_id,
                grid_id, community_id, region_id, status, created_at, updated_at,
                dispatch_minutes, contact_minutes, resolve_minutes, dispatch_due, contact_due, resolve_due,
                extension_minutes, warning, resolution_round, redo_count, supervised, me_too_count, version)
            SELECT cat.id, 'complaint', '楼下垃圾堆放 #' || g, bg.lat, bg.lng, '[]', false, true, 'app',
                   :reporter, bg.grid_id, bg.community_id, bg.grid_id,
                   (ARRAY['submitted','accepted','in_progress','resolved','closed'])[1 + g % 5],
                   ts, ts, 120, 1440, 10080, ts + interval '2 hours', ts + interval '1 day',
                   ts + interval '7 days', 0, 'none', 0, 0, false, 0, 1
            FROM generate_series(1, :n) AS g
            CROSS JOIN LATERAL (SELECT now() - (g * interval '30 seconds') AS ts) t
            JOIN bench_grids bg ON bg.idx = CASE WHEN g % :share = 0
                                                 THEN (SELECT min(idx) FROM bench_grids
                                                       WHERE community_id = :target) + (g / :share) % 10
                                                 ELSE g % 1000 END
            JOIN report_categories cat ON cat.code = 'env.garbage'
            """
        ),
        {"n": n, "share": TARGET_SHARE, "target": target_community_id, "reporter": reporter_id},
    )
    db.session.commit()
    db.session.execute(sa.text("ANALYZE reports"))
    db.session.commit()
    return time.perf_counter() - started


def p50(fn, samples: int) -> float:
    fn()  # warm
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main() -> None:
    args = parse_args()
    url = scratch_url()
    print(f"Scratch database: {url.render_as_string()}")
    recreate(url)
    app = make_app(url)
    try:
        with app.app_context():
            run(app, args)
    finally:
        from app.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if not args.keep:
            drop(url)


def run(app, args) -> None:
    from app.core.pagination import encode_cursor
    from app.core.permissions import Role
    from app.extensions import db
    from app.regions import service as regions
    from app.regions.locator import grid_index, locate_grid
    from app.regions.models import Membership, MembershipStatus
    from app.reports.categories import seed_categories
    from app.reports.models import Report
    from app.reports.queries import NEWEST
    from tests.factories import UserFactory, auth_header

    db.create_all()
    seed_categories()
    started = time.perf_counter()
    _district, communities, grids = build_district()
    target = communities[len(communities) // 2]
    worker, reporter = UserFactory(name="社区工作者"), UserFactory(name="居民")
    db.session.add(
        Membership(user=worker, region=target, role=Role.COMMUNITY_WORKER, status=MembershipStatus.ACTIVE)
    )
    db.session.execute(
        sa.text(
            "CREATE TABLE bench_grids (idx int PRIMARY KEY, grid_id int, community_id int, lat float, lng float)"  # noqa: E501
        )
    )
    db.session.execute(
        sa.text("INSERT INTO bench_grids VALUES (:idx, :grid_id, :community_id, :lat, :lng)"),
        [
            {"idx": i, "grid_id": gid, "community_id": cid, "lat": SOUTH + (row + 0.5) * CELL,
             "lng": WEST + (col + 0.5) * CELL}
            for i, (gid, cid, col, row) in enumerate(grids)
        ],
    )  # fmt: skip
    db.session.commit()
    took = time.perf_counter() - started
    print(f"District: {len(communities)} communities, {len(grids)} grids ({took:.1f} s)")

    seconds = insert_reports(args.reports, target.id, reporter.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Report))
    mine = db.session.scalar(
        sa.select(sa.func.count()).select_from(Report).where(Report.community_id == target.id)
    )
    rate = total / seconds
    print(f"Reports: {total:,} inserted in {seconds:.1f} s ({rate:,.0f}/s); {mine:,} in the community")

    # --- page 1 against page 500 ---------------------------------------------------------------------------
    client = app.test_client()
    headers = auth_header(worker)
    params = {"scope": "community", "limit": PAGE}
    first = client.get("/api/v1/reports", query_string=params, headers=headers)
    assert first.status_code == 200, first.get_json()
    assert len(first.get_json()["data"]) == PAGE
    before_500 = db.session.scalar(
        sa.select(Report).where(Report.community_id == target.id)
        .order_by(Report.created_at.desc(), Report.id.desc()).offset(499 * PAGE - 1).limit(1)
    )  # fmt: skip
    cursor = encode_cursor(before_500, NEWEST)
    page_500 = client.get("/api/v1/reports", query_string={**params, "cursor": cursor}, headers=headers)
    assert page_500.status_code == 200
    assert len(page_500.get_json()["data"]) == PAGE
    expected_first = 499 * PAGE + 1  # the 9,981st row of the community
    print(
        f"Page 500 starts at row {expected_first:,} of {mine:,} (id {page_500.get_json()['data'][0]['id']})"
    )

    health = p50(lambda: client.get("/healthz"), args.samples)
    one = p50(lambda: client.get("/api/v1/reports", query_string=params, headers=headers), args.samples)
    five_hundred = p50(
        lambda: client.get("/api/v1/reports", query_string={**params, "cursor": cursor}, headers=headers),
        args.samples,
    )
    print(f"\nGET /healthz (bare stack)                 p50 {health:7.2f} ms")
    print(f"GET /api/v1/reports?scope=community page 1   p50 {one:7.2f} ms")
    print(f"GET /api/v1/reports?scope=community page 500 p50 {five_hundred:7.2f} ms")
    ratio = five_hundred / one
    print(f"ratio page 500 / page 1 = {ratio:.2f}  (target ≤ 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")
    print(f"ratio page 1 / bare stack = {one / health:.1f}")
    # The statement the list runs for page 500 (keyset condition as app/core/pagination.py writes it).
    from app.core.pagination import _after

    values = [before_500.created_at, before_500.id]
    page_sql = (
        sa.select(Report.id)
        .where(Report.community_id.in_([target.id]), _after(NEWEST, values))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(PAGE + 1)
        .compile(db.engine, compile_kwargs={"literal_binds": True})
    )
    plan = db.session.execute(sa.text(f"EXPLAIN (ANALYZE, BUFFERS) {page_sql}")).scalars().all()
    print("Plan of page 500:\n  " + "\n  ".join(plan[:5]))

    # --- locating points -----------------------------------------------------------------------------------
    rng = random.Random(7)
    span_lng, span_lat = STREETS * COMMUNITIES * CELL, GRIDS * CELL
    points = [(SOUTH + rng.random() * span_lat, WEST + rng.random() * span_lng) for _ in range(args.lookups)]
    grid_index()  # built once, as after the first request of a process
    started = time.perf_counter()
    hits = sum(1 for lat, lng in points if locate_grid(lat, lng) is not None)
    index_rate = len(points) / (time.perf_counter() - started)
    sql_points = points[:2000]
    started = time.perf_counter()
    for lat, lng in sql_points:
        regions.locate(lat, lng)
    sql_rate = len(sql_points) / (time.perf_counter() - started)
    verdict = "met" if index_rate >= 5000 else "NOT met"
    print(
        f"\nLocate (STRtree index, {len(grids):,} grids): {index_rate:>10,.0f} lookups/s "
        f"({hits:,} of {len(points):,} inside a grid)  target ≥ 5,000: {verdict}"
    )
    print(f"Locate (SQL bbox + shapely, GET /regions/locate's rule): {sql_rate:>10,.0f} lookups/s")
    print(f"ratio index / SQL = {index_rate / sql_rate:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()

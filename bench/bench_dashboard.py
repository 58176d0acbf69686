"""Benchmark: the dashboard's district month summary over 1,000,000 reports with their timelines and ratings
in PostgreSQL (target ≤ 500 ms p50), and the CSV export's peak memory for about 1,000 rows against about
1,000,000 (target: within 50 MB of each other), beside GET /healthz as the bare stack of the same run.

Builds a scratch PostgreSQL database (dropped and created again each run; `linli_bench_dashboard` on the
server of BENCH_DATABASE_URL, else postgresql+psycopg://postgres@127.0.0.1:5432), the district of
bench_reports.py (10 streets x 10 communities x 10 grids), and N reports over the past 364 days, one every
31.5 s, inserted by INSERT … SELECT over generate_series: nine in ten signed for, most contacted and resolved,
reports older than 36 days closed (open ones carry yellow/red warnings), one in ten rejected, some redone and
supervised; a rating for every closed report; and a timeline of 2–6 events per report (submit, route,
accept, contact, resolve, close). Then, through the real app (Flask test client, an admin's token) it times
`GET /api/v1/dashboard/summary` for the district and the last full local month, and streams
`GET /api/v1/exports/reports.csv` in two child processes (a ~1,000-row and a ~1,000,000-row export), each
printing its rows, bytes, seconds and peak resident memory (ru_maxrss).

    .venv/bin/python bench/bench_dashboard.py [--reports 1000000] [--samples 15] [--keep]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_reports as base  # noqa: E402  (the district builder and scratch-database helpers)

SECONDS_APART = 31.5  # 1,000,000 reports span 364 days


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=15, help="summaries timed (default 15)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by --keep; no build")
    parser.add_argument("--no-export", action="store_true", help="time the summary only (no CSV exports)")
    parser.add_argument("--export-child", help=argparse.SUPPRESS)  # JSON: run one export and report
    return parser.parse_args()


def scratch_url() -> sa.URL:
    default = "postgresql+psycopg://postgres@127.0.0.1:5432/x"
    return sa.make_url(os.environ.get("BENCH_DATABASE_URL", default)).set(database="linli_bench_dashboard")


REPORTS_SQL = """
INSERT INTO reports (
    category_id, type, description, lat, lng, photo_ids, anonymous, public, channel, reporter_id,
    grid_id, community_id, region_id, status, created_at, updated_at, accepted_at, contacted_at, resolved_at,
    closed_at, dispatch_minutes, contact_minutes, resolve_minutes, dispatch_due, contact_due, resolve_due,
    extension_minutes, due_kind, due_at, warning, resolution_round, redo_count, supervised, me_too_count,
    rated_at, rated_resolved, rated_satisfaction, version)
SELECT cat.id, 'complaint', '楼下垃圾堆放 #' || g, bg.lat, bg.lng, '[]', false, g % 7 <> 0, 'app', :reporter,
       bg.grid_id, bg.community_id, bg.grid_id, st.status, ts, ts,
       CASE WHEN st.status NOT IN ('submitted', 'rejected') THEN ts + (g % 7) * interval '25 minutes' END,
       CASE WHEN st.status IN ('in_progress', 'resolved', 'closed')
            THEN ts + (g % 11) * interval '3 hours' END,
       CASE WHEN st.status IN ('resolved', 'closed') THEN ts + (g % 13) * interval '14 hours' END,
       CASE WHEN st.status = 'closed' THEN ts + (g % 13) * interval '14 hours' + interval '1 day'
            WHEN st.status = 'rejected' THEN ts + interval '1 hour' END,
       120, 1440, 10080, ts + interval '2 hours', ts + interval '1 day', ts + interval '7 days',
       0,
       CASE st.status WHEN 'submitted' THEN 'dispatch' WHEN 'accepted' THEN 'contact'
                      WHEN 'in_progress' THEN 'resolve' END,
       CASE st.status WHEN 'submitted' THEN ts + interval '2 hours' WHEN 'accepted' THEN ts + interval '1 day'
                      WHEN 'in_progress' THEN ts + interval '7 days' END,
       CASE WHEN st.status IN ('submitted', 'accepted', 'in_progress')
            THEN (ARRAY['none', 'yellow', 'red'])[1 + g % 3] ELSE 'none' END,
       CASE WHEN st.status IN ('resolved', 'closed') THEN 1 ELSE 0 END,
       CASE WHEN g % 17 = 0 THEN 1 ELSE 0 END, g % 51 = 0, 0,
       -- every closed report was rated when it closed; the rating itself is copied from these below
       CASE WHEN st.status = 'closed' THEN ts + (g % 13) * interval '14 hours' + interval '1 day' END,
       CASE WHEN st.status = 'closed' THEN g % 6 <> 0 END,
       CASE WHEN st.status = 'closed' THEN 1 + g % 5 END,
       1
FROM generate_series(1, :n) AS g
CROSS JOIN LATERAL (SELECT now() - (g * interval '31.5 seconds') AS ts) t
CROSS JOIN LATERAL (
    SELECT CASE WHEN g % 10 = 9 THEN 'rejected'
                WHEN g % 10 IN (0, 1, 2) AND g > :recent THEN 'closed'
                ELSE (ARRAY['submitted', 'accepted', 'in_progress', 'resolved', 'closed', 'closed',
                            'closed', 'closed', 'closed'])[1 + g % 10] END AS status) st
JOIN bench_grids bg ON bg.idx = g % 1000
JOIN report_categories cat ON cat.code = 'env.garbage'
"""

RATINGS_SQL = """
INSERT INTO report_ratings (report_id, round, user_id, resolved, satisfaction, comment, created_at)
SELECT id, 1, :reporter, rated_resolved, rated_satisfaction, NULL, rated_at
FROM reports WHERE rated_at IS NOT NULL
"""

# One row per step the report went through; data and photo lists as the app writes them.
EVENTS_SQL = """
INSERT INTO report_events (report_id, action, actor_id, status, note, photo_ids, data, created_at)
SELECT r.id, e.action, :reporter, r.status, NULL, '[]', NULL, e.at
FROM reports r
CROSS JOIN LATERAL (VALUES ('submit', r.created_at), ('route', r.created_at), ('accept', r.accepted_at),
                           ('contact', r.contacted_at), ('resolve', r.resolved_at),
                           ('close', r.closed_at)) AS e(action, at)
WHERE e.at IS NOT NULL
"""


def timed(sql: str, params: dict) -> float:
    from app.extensions import db

    started = time.perf_counter()
    db.session.execute(sa.text(sql), params)
    db.session.commit()
    return time.perf_counter() - started


def p50(fn, samples: int) -> tuple[float, list[float]]:
    fn()  # warm
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), timings


def last_full_month() -> tuple[str, str]:
    today = _local_today()
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1).isoformat(), last.isoformat()


def _local_today() -> date:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()


def main() -> None:
    args = parse_args()
    url = scratch_url()
    if args.export_child:
        return export_child(url, json.loads(args.export_child))
    print(f"Scratch database: {url.render_as_string()}")
    if not args.reuse:
        base.recreate(url)
    app = base.make_app(url)
    try:
        with app.app_context():
            run(app, url, args)
    finally:
        from app.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if not (args.keep or args.reuse):
            base.drop(url)
    return None


def run(app, url, args) -> None:
    from app.core.permissions import Role
    from app.extensions import db
    from app.regions.models import Membership, MembershipStatus
    from app.reports.categories import seed_categories
    from app.reports.models import Report, ReportEvent, ReportRating
    from tests.factories import UserFactory

    if args.reuse:
        from app.auth.models import User
        from app.regions.models import Level, Region

        admin = db.session.scalar(sa.select(User).where(User.name == "管理员"))
        district = db.session.scalar(sa.select(Region).where(Region.level == Level.DISTRICT))
        communities = list(db.session.scalars(sa.select(Region).where(Region.level == Level.COMMUNITY)
                                              .order_by(Region.id)))  # fmt: skip
        return measure(app, url, args, admin, district, communities)
    db.create_all()
    seed_categories()
    district, communities, grids = base.build_district()
    admin, reporter = UserFactory(name="管理员"), UserFactory(name="居民")
    db.session.add(Membership(user=admin, region=district, role=Role.ADMIN, status=MembershipStatus.ACTIVE))
    db.session.execute(sa.text(
        "CREATE TABLE bench_grids (idx int PRIMARY KEY, grid_id int, community_id int, lat float, lng float)"
    ))  # fmt: skip
    db.session.execute(
        sa.text("INSERT INTO bench_grids VALUES (:idx, :grid_id, :community_id, :lat, :lng)"),
        [{"idx": i, "grid_id": gid, "community_id": cid, "lat": base.SOUTH + (row + 0.5) * base.CELL,
          "lng": base.WEST + (col + 0.5) * base.CELL} for i, (gid, cid, col, row) in enumerate(grids)],
    )  # fmt: skip
    db.session.commit()

    recent = int(36 * 86400 / SECONDS_APART)
    params = {"n": args.reports, "recent": recent, "reporter": reporter.id}
    took = timed(REPORTS_SQL, params)
    took_ratings = timed(RATINGS_SQL, params)
    took_events = timed(EVENTS_SQL, params)
    timed("ANALYZE reports; ANALYZE report_ratings; ANALYZE report_events", {})
    count = {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
             for m in (Report, ReportRating, ReportEvent)}  # fmt: skip
    print(f"Reports {count['reports']:,} ({took:.0f} s), ratings {count['report_ratings']:,} "
          f"({took_ratings:.0f} s), timeline events {count['report_events']:,} "
          f"({took_events:.0f} s)")  # fmt: skip
    measure(app, url, args, admin, district, communities)


def measure(app, url, args, admin, district, communities) -> None:
    from tests.factories import auth_header

    client = app.test_client()
    headers = auth_header(admin)
    first, last = last_full_month()
    query = {"region_id": district.id, "from": first, "to": last}
    answer = client.get("/api/v1/dashboard/summary", query_string=query, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    rates = body["rates"]
    print(f"District {first}..{last}: {body['counts']['submitted']:,} submitted, "
          f"response {rates['response']['numerator']:,}/{rates['response']['denominator']:,}, "
          f"resolution {rates['resolution']['numerator']:,}/{rates['resolution']['denominator']:,}, "
          f"satisfaction {rates['satisfaction']['numerator']:,}/{rates['satisfaction']['denominator']:,}, "
          f"open now {body['counts']['open_now']:,}, {len(body['children'])} streets")  # fmt: skip

    health, _ = p50(lambda: client.get("/healthz"), args.samples)
    summary, samples = p50(
        lambda: client.get("/api/v1/dashboard/summary", query_string=query, headers=headers), args.samples
    )
    community = {"region_id": communities[0].id, "from": first, "to": last}
    one_community, _ = p50(
        lambda: client.get("/api/v1/dashboard/summary", query_string=community, headers=headers), args.samples
    )
    print(f"\nGET /healthz (bare stack)                         p50 {health:8.2f} ms")
    print(f"GET /api/v1/dashboard/summary, district, a month    p50 {summary:8.2f} ms "
          f"(min {min(samples):.0f}, max {max(samples):.0f})")  # fmt: skip
    print(f"GET /api/v1/dashboard/summary, community, a month   p50 {one_community:8.2f} ms")
    verdict = "met" if summary <= 500 else "NOT met"
    print(f"district month summary p50 {summary:.0f} ms (target ≤ 500 ms: {verdict}); "
          f"ratio to the bare stack {summary / health:.0f}")  # fmt: skip

    sql_breakdown(client, query, headers)
    if args.no_export:
        return

    # --- the export's memory: one child process per size, so each peak is its own -------------------------
    token = headers["Authorization"]
    today = _local_today()
    small = {"region_id": communities[0].id, "from": (today - timedelta(days=35)).isoformat(),
             "to": today.isoformat()}  # fmt: skip
    year = (today - timedelta(days=365)).isoformat()
    large = {"region_id": district.id, "from": year, "to": today.isoformat()}
    results = []
    for query in (small, large):
        child = subprocess.run(
            [sys.executable, __file__, "--export-child", json.dumps({"query": query, "auth": token})],
            capture_output=True, text=True, check=True, env={**os.environ, "BENCH_DATABASE_URL": str(
                url.render_as_string(hide_password=False))},
        )  # fmt: skip
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    for r in results:
        rate = r["rows"] / max(r["seconds"], 1e-9)
        print(f"CSV export {r['rows']:>9,} rows, {r['bytes'] / 1e6:7.1f} MB in {r['seconds']:6.1f} s "
              f"({rate:,.0f} rows/s): peak RSS {r['peak_mb']:.0f} MB")  # fmt: skip
    gap = results[1]["peak_mb"] - results[0]["peak_mb"]
    print(f"peak memory {results[1]['rows']:,} rows - {results[0]['rows']:,} rows = {gap:.0f} MB "
          f"(target within 50 MB: {'met' if abs(gap) <= 50 else 'NOT met'})")  # fmt: skip


def sql_breakdown(client, query: dict, headers: dict) -> None:
    """The database time of each statement of one district month summary (the median of three requests)."""
    from app.extensions import db

    runs: list[list[tuple[float, str]]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        took = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
        runs[-1].append((took, " ".join(statement.split())[:90]))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    sa.event.listen(db.engine, "after_cursor_execute", after)
    try:
        for _ in range(3):
            runs.append([])
            client.get("/api/v1/dashboard/summary", query_string=query, headers=headers)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
        sa.event.remove(db.engine, "after_cursor_execute", after)
    totals = sorted(sum(t for t, _ in run) for run in runs)
    print(f"\nSQL of one district month summary: {len(runs[0])} statements, {totals[1]:.0f} ms in the "
          f"database (median of 3); the slowest:")  # fmt: skip
    slowest = sorted(range(len(runs[0])), key=lambda i: -statistics.median(r[i][0] for r in runs))[:6]
    for i in slowest:
        print(f"  {statistics.median(r[i][0] for r in runs):7.1f} ms  {runs[0][i][1]}")


def export_child(url: sa.URL, job: dict) -> None:
    """Streams one export through the real app and reports rows, bytes, seconds and peak RSS as JSON."""
    app = base.make_app(url)
    with app.app_context():
        client = app.test_client()
        started = time.perf_counter()
        response = client.get("/api/v1/exports/reports.csv", query_string=job["query"],
                              headers={"Authorization": job["auth"]}, buffered=False)  # fmt: skip
        assert response.status_code == 200
        size = lines = 0
        for chunk in response.response:
            size += len(chunk)
            lines += chunk.count(b"\n")
        response.close()
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": lines - 1, "bytes": size, "seconds": seconds, "peak_mb": peak_mb}))


if __name__ == "__main__":
    main()

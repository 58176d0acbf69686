"""Benchmark: an authenticated notices list against a bare Flask "hello", both under gunicorn, same run.

Seeds 10,000 notices over a demo-like district into a temporary SQLite database (or DATABASE_URL, which
must then be an empty scratch database, or pass --reset to drop its tables first), starts the real app
and a bare Flask app with gunicorn (2 sync workers each, loopback, free ports), loads each for a bounded
time with wrk (or a keep-alive thread-pool client when wrk is missing) and prints both figures and the
ratio. The target is a ratio of at least 0.5. Run from the project root:

    .venv/bin/python bench/bench_notices.py [--duration 10] [--connections 8] [--limit 20]
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent  # gunicorn from the virtualenv running this script
NOTICES = 10_000
TARGET = 0.5
BODY_SENTENCE = "本周六上午九点在社区党群服务中心召开居民议事会，欢迎参加。"

HELLO_APP = """from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per target (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="the duration is split over rounds (default 2)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--limit", type=int, default=20, help="page size of the notices request (default 20)")
    parser.add_argument("--python-client", action="store_true", help="use the thread-pool client, not wrk")
    parser.add_argument("--reset", action="store_true", help="drop the tables of DATABASE_URL before seeding")
    parser.add_argument(
        "--breakdown", action="store_true", help="also measure /healthz and /api/v1/me of the real app"
    )
    return parser.parse_args()


def vapid_pair() -> tuple[str, str]:
    """Production refuses to start without a VAPID key pair; a throwaway one will do here."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return pem, base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- seeding -------------------------------------------------------------------------------------------


def seed(env: dict, *, reset: bool) -> str:
    """Create the schema and the data in-process; return an access token of the resident."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import sqlalchemy as sa

    from app import create_app
    from app.auth import service as auth_service
    from app.auth.models import User
    from app.core import stamps
    from app.core.db import utcnow
    from app.core.permissions import Role
    from app.extensions import db
    from app.notices.models import Notice, NoticeRead
    from app.regions.models import Level, Membership, MembershipStatus, Unit
    from app.regions.service import create_region
    from config import ProductionConfig

    app = create_app(ProductionConfig)
    with app.app_context():
        existing = sa.inspect(db.engine).get_table_names()
        if existing and not reset:
            sys.exit(f"{env['DATABASE_URL']} already has tables; use an empty database or pass --reset.")
        db.drop_all()
        db.create_all()

        district = create_region(name="宝安区", level=Level.DISTRICT)
        streets = [
            create_region(name=name, level=Level.STREET, parent=district) for name in ("新安街道", "西乡街道")
        ]
        communities = [
            create_region(name="海裕社区", level=Level.COMMUNITY, parent=streets[0]),
            create_region(name="灵芝社区", level=Level.COMMUNITY, parent=streets[0]),
            create_region(name="固戍社区", level=Level.COMMUNITY, parent=streets[1]),
        ]
        grids = [
            create_region(name=f"{c.name}第{i + 1}网格", level=Level.GRID, parent=c)
            for c, n in zip(communities, (3, 2, 4), strict=True)
            for i in range(n)
        ]
        regions = [district, *streets, *communities, *grids]

        password_hash = auth_service.hash_password("demo12345")
        worker = User(phone="13800000001", name="社区工作者", password_hash=password_hash)
        resident = User(phone="13900000001", name="居民一", password_hash=password_hash)
        db.session.add_all([worker, resident])
        db.session.flush()
        unit = Unit(
            community_id=communities[0].id,
            grid_id=grids[0].id,
            building="1",
            entrance="1",
            room="101",
            floor_area=88,
        )
        db.session.add(unit)
        db.session.flush()
        db.session.add_all(
            [
                Membership(
                    user_id=worker.id,
                    region_id=communities[0].id,
                    role=Role.COMMUNITY_WORKER,
                    status=MembershipStatus.ACTIVE,
                ),
                Membership(
                    user_id=resident.id,
                    region_id=communities[0].id,
                    role=Role.RESIDENT,
                    status=MembershipStatus.ACTIVE,
                    unit_id=unit.id,
                ),
            ]
        )

        rng = random.Random(2)
        now = utcnow()
        rows = []
        for i in range(NOTICES):
            publish_at = now - timedelta(minutes=rng.randint(1, 365 * 24 * 60))
            roll = rng.random()
            rows.append(
                {
                    "region_id": rng.choice(regions).id,
                    "author_id": worker.id,
                    "title": f"通知 {i}：小区停水、消防演练与议事会安排",
                    "body": "各位居民：" + BODY_SENTENCE * rng.randint(1, 6),
                    "category": rng.choice(["general", "urgent", "event", "safety", "service", "policy"]),
                    "pinned": roll < 0.02,
                    "publish_at": now + timedelta(days=3) if 0.90 <= roll < 0.95 else publish_at,
                    "expires_at": publish_at + timedelta(days=1) if roll >= 0.95 else None,
                    "withdrawn_at": now if 0.88 <= roll < 0.90 else None,
                    "created_at": publish_at,
                    "updated_at": publish_at,
                }
            )
        db.session.execute(sa.insert(Notice), rows)
        stamps.bump(db.session.connection(), ["notices"])  # a bulk insert bypasses the ORM hook
        # The resident has read some of their notices (the newest ones among them), as a user of the app has.
        read = db.session.scalars(sa.select(Notice.id).order_by(Notice.publish_at.desc()).limit(300)).all()
        reads = [{"notice_id": n, "user_id": resident.id, "read_at": now} for n in read[::3]]
        db.session.execute(sa.insert(NoticeRead), reads)
        stamps.bump(db.session.connection(), [stamps.user_stamp("notice_reads", resident.id)])
        tokens = auth_service.start_session(resident)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens["access_token"]


# --- servers -------------------------------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(app_spec: str, *, chdir: Path, env: dict, port: int, ready_path: str):
    options = f"-w 2 -k sync -b 127.0.0.1:{port} --log-level warning".split()
    cmd = [str(VENV_BIN / "gunicorn"), *options, "--chdir", str(chdir), app_spec]
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        yield from _serve(proc, log, app_spec, f"http://127.0.0.1:{port}", ready_path)


@dataclass
class Server:
    url: str
    pid: int

    def worker_cpu_seconds(self) -> float | None:
        """CPU time used so far by the arbiter's workers (Linux /proc); None elsewhere."""
        try:
            entries = [e for e in os.listdir("/proc") if e.isdigit()]
        except OSError:
            return None
        ticks = 0
        for entry in entries:
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.pid:  # ppid; utime and stime follow at 11 and 12
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


def _serve(proc: subprocess.Popen, log, app_spec: str, url: str, ready_path: str):
    try:
        # The port opens before the workers have imported the app: wait for real answers from both.
        deadline, answers = time.monotonic() + 60, 0
        while answers < 4:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"gunicorn {app_spec} did not come up:\n{log.read()[-3000:]}")
            try:
                answers += fetch(url + ready_path, {}, timeout=2)[0] == 200
            except OSError:
                time.sleep(0.2)
        yield Server(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def fetch(url: str, headers: dict, timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read()


# --- load ----------------------------------------------------------------------------------------------


def load_wrk(url: str, headers: dict, *, seconds: int, connections: int) -> tuple[float, int]:
    """(requests per second, requests done)."""
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    if "Socket errors" in out:
        print(f"  note: {re.search(r'Socket errors.*', out).group(0)} on {url}")
    done = int(re.search(r"(\d+) requests in", out).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), done


def load_python(url: str, headers: dict, *, seconds: int, connections: int) -> tuple[float, int]:
    """Keep-alive where the server allows it (gunicorn's sync workers close after each response)."""
    target = urllib.parse.urlsplit(url)
    path = target.path + (f"?{target.query}" if target.query else "")
    stop = time.monotonic() + seconds
    done, failed, lock = [0], [0], threading.Lock()

    def worker():
        ok = bad = 0
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        while time.monotonic() < stop:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok, bad = (ok + 1, bad) if response.status == 200 else (ok, bad + 1)
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
        conn.close()
        with lock:
            done[0] += ok
            failed[0] += bad

    started = time.monotonic()
    with ThreadPoolExecutor(connections) as pool:
        for _ in range(connections):
            pool.submit(worker)
    if failed[0]:
        raise RuntimeError(f"{failed[0]} requests failed")
    return done[0] / (time.monotonic() - started), done[0]


def check_notices(url: str, headers: dict, limit: int) -> None:
    status, body = fetch(url, headers)
    page = json.loads(body)
    if status != 200 or len(page["data"]) != limit or not page["next_cursor"]:
        raise RuntimeError(f"unexpected notices answer: {status} {body[:300]!r}")


LABELS = {
    "hello": "bare Flask hello, GET /",
    "notices": "GET /api/v1/notices?limit={limit} (signed in)",
    "healthz": "real app, GET /healthz (no auth, no db)",
    "me": "real app, GET /api/v1/me (signed in)",
}


def report(
    runs: dict[str, list[tuple[float, float | None]]], args: argparse.Namespace, *, client: str
) -> None:
    print(
        f"load: {client}, {args.connections} connections, {args.rounds} x {args.duration // args.rounds} s "
        "per target, loopback; each server gunicorn -w 2 sync"
    )
    rps = {name: sum(r for r, _ in values) / len(values) for name, values in runs.items()}
    cpu = {}
    for name, values in runs.items():
        costs = [c for _, c in values if c is not None]
        cpu[name] = sum(costs) / len(costs) if costs else None
        label = LABELS[name].format(limit=args.limit)
        spread = ", ".join(f"{r:.0f}" for r, _ in values)
        cost = f"{cpu[name]:6.2f} ms CPU/request" if cpu[name] is not None else ""
        print(f"  {label:46s} {rps[name]:8.0f} req/s ({spread})  {cost}")
    ratio = rps["notices"] / rps["hello"]
    verdict = "meets" if ratio >= TARGET else "is BELOW"
    print(f"ratio notices / hello = {ratio:.3f} req/s ({verdict} the target of {TARGET})")
    if cpu["hello"] and cpu["notices"]:
        # Less sensitive to a busy machine than req/s: what each request costs its worker.
        print(f"cost ratio hello / notices = {cpu['hello'] / cpu['notices']:.3f} (worker CPU per request)")


def main() -> int:
    args = parse_args()
    per_run = max(1, args.duration // args.rounds)
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    load = load_wrk if use_wrk else load_python
    work = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    try:
        vapid_private, vapid_public = vapid_pair()
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RATELIMIT_STORAGE_URI")},
            "APP_ENV": "production",
            "SECRET_KEY": "bench-secret-key",
            "JWT_SECRET_KEY": "bench-jwt-secret-key-long-enough-for-hs256",
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite'}",
            "INSTANCE_PATH": str(work / "instance"),
            "VAPID_PRIVATE_KEY": vapid_private,
            "VAPID_PUBLIC_KEY": vapid_public,
            # As deployed: REST processes run threaded (gevent is for the socket processes), and the outbox
            # is drained by separate `flask worker` processes, not a thread inside each web worker.
            "SOCKETIO_ASYNC_MODE": "threading",
            "WORKER_IN_PROCESS": "0",
        }
        database = env["DATABASE_URL"].split("@")[-1]
        print(f"seeding {NOTICES:,} notices into {database} …", flush=True)
        token = seed(env, reset=args.reset)
        (work / "hello_app.py").write_text(HELLO_APP)

        auth = {"Authorization": f"Bearer {token}"}
        with (
            gunicorn("wsgi:app", chdir=ROOT, env=env, port=free_port(), ready_path="/healthz") as app_server,
            gunicorn("hello_app:app", chdir=work, env=env, port=free_port(), ready_path="/") as hello_server,
        ):
            app_url, hello_url = app_server.url, hello_server.url
            notices_url = f"{app_url}/api/v1/notices?limit={args.limit}"
            check_notices(notices_url, auth, args.limit)
            if fetch(hello_url + "/", {})[1] != b"Hello, World!":
                raise RuntimeError("the hello app answers something else")

            targets = {
                "hello": (hello_server, "/", {}),
                "notices": (app_server, notices_url[len(app_url) :], auth),
            }
            if args.breakdown:
                targets |= {"healthz": (app_server, "/healthz", {}), "me": (app_server, "/api/v1/me", auth)}
            for server, path, headers in targets.values():
                load(server.url + path, headers, seconds=args.warmup, connections=args.connections)
            # Alternate the order each round (ABBA…): the machine is shared, and drift should hit both.
            runs: dict[str, list[tuple[float, float | None]]] = {name: [] for name in targets}
            names = list(targets)
            for round_no in range(args.rounds):
                for name in names if round_no % 2 == 0 else names[::-1]:
                    server, path, headers = targets[name]
                    cpu_before = server.worker_cpu_seconds()
                    rps, done = load(
                        server.url + path, headers, seconds=per_run, connections=args.connections
                    )
                    cpu_after = server.worker_cpu_seconds()
                    cpu_ms = None if cpu_before is None else (cpu_after - cpu_before) * 1000 / max(done, 1)
                    runs[name].append((rps, cpu_ms))
        report(runs, args, client="wrk -t2" if use_wrk else "python thread pool")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: chat over websockets, resident–worker pairs exchanging a message a second, against a bare
python-socketio relay measured in the same run.

Seeds a community with one grid per pair (a grid worker and a resident with a unit in it, and their
conversation) in a temporary SQLite database (or --database-url, an empty scratch database whose tables are
dropped first). Starts the real app under `gunicorn -k gevent -w 1` (SOCKETIO_ASYNC_MODE=gevent) and then
the bare relay (bench/chat_echo_server.py) the same way, each pinned to CPU 0 when `taskset` exists; the
load generator (python-socketio AsyncClients, websocket transport, in this process) runs on the other CPU.
For each server:

1. Connects 2 × pairs clients and measures the worker's RSS before and after: memory per idle connection
   (target ≤ 150 kB).
2. For --duration seconds each pair sends one message a second, alternating resident and worker, each
   through `chat:send` with an ack; the other side's `chat:message` ends the send→receive latency.
   Prints p50 / p99 (target p99 ≤ 100 ms), lost (acked, never received by the partner) and duplicated
   (received twice) messages (targets 0 and 0).
3. Prints the server worker's CPU (utime+stime from /proc) per delivered message, and the ratio of the
   app's to the bare relay's (target ≤ 2.5).

    .venv/bin/python bench/bench_chat.py [--pairs 250] [--duration 20] [--database-url URL] [--rounds N]
                                         [--only app|bare]

The issue's full run is `--pairs 250 --duration 60`; the default keeps a run near a minute and a half. The
server's CPU per message moves by ±10 % from run to run on a quiet machine of this kind, the same build
included, so compare figures from several rounds (`--rounds 3` prints medians), and two builds of the app
against each other with `--only app`, run alternately.
"""

import argparse
import asyncio
import gc
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
# The bench's tokens must outlive the run.
os.environ.setdefault("ACCESS_TOKEN_MINUTES", "240")


# name -> (gunicorn app spec, a path that answers once it is up)
SERVERS = {
    "app": ("wsgi:app", "/healthz"),
    "bare": ("bench.chat_echo_server:app", "/socket.io/?EIO=4&transport=polling"),
}
# Counted over all rounds; every other figure is the median of the rounds'.
SUMMED = ("sent", "delivered", "lost", "duplicated", "errors")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=250)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per server")
    parser.add_argument("--database-url", default=None, help="a scratch database (default: temporary SQLite)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="app then bare, this many times; prints medians (default 1)"
    )
    parser.add_argument("--only", choices=SERVERS, help="one server alone (to compare two builds of the app)")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- seeding ------------------------------------------------------------------------------------------------


def seed(database_url: str, pairs: int) -> list[tuple[int, str, str]]:
    """(conversation id, resident token, worker token) per pair."""
    from app import create_app
    from app.auth.models import User
    from app.auth.service import start_session
    from app.chat.models import Conversation
    from app.core.permissions import Role
    from app.extensions import db
    from app.regions.models import Level, Membership, MembershipStatus, Unit
    from app.regions.service import create_region
    from config import TestingConfig

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(BenchConfig)
    out = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        district = create_region(name="宝安区", level=Level.DISTRICT)
        street = create_region(name="新安街道", level=Level.STREET, parent=district)
        community = create_region(name="海裕社区", level=Level.COMMUNITY, parent=street)
        db.session.flush()
        for n in range(pairs):
            grid = create_region(name=f"第{n + 1}网格", level=Level.GRID, parent=community)
            db.session.flush()
            unit = Unit(
                community_id=community.id, grid_id=grid.id, building=str(n), room="101", floor_area=80
            )
            worker = User(phone=f"1380{n:07d}", name=f"网格员{n}", password_hash="x")
            resident = User(phone=f"1390{n:07d}", name=f"居民{n}", password_hash="x")
            db.session.add_all([unit, worker, resident])
            db.session.flush()
            db.session.add_all([
                Membership(user_id=worker.id, region_id=grid.id, role=Role.GRID_WORKER,
                           status=MembershipStatus.ACTIVE),
                Membership(user_id=resident.id, region_id=community.id, role=Role.RESIDENT,
                           status=MembershipStatus.ACTIVE, unit_id=unit.id),
                Conversation(resident_id=resident.id, community_id=community.id, grid_id=grid.id),
            ])  # fmt: skip
        db.session.commit()
        convs = db.session.query(Conversation).order_by(Conversation.id).all()
        for conv in convs:
            worker_id = db.session.query(Membership.user_id).filter_by(region_id=conv.grid_id).scalar()
            resident_token = start_session(db.session.get(User, conv.resident_id))["access_token"]
            worker_token = start_session(db.session.get(User, worker_id))["access_token"]
            out.append((conv.id, resident_token, worker_token))
        db.session.commit()
        db.session.remove()
    return out


# --- servers ------------------------------------------------------------------------------------------------


class Server:
    def __init__(self, app_spec: str, env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [str(VENV_BIN / "gunicorn"), "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{self.port}",
               "--chdir", str(ROOT), app_spec]  # fmt: skip
        if shutil.which("taskset"):
            cmd = ["taskset", "-c", "0", *cmd]
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_up(self, path: str) -> None:
        import urllib.request

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + path, timeout=2):
                    return
            except OSError as exc:
                if getattr(exc, "code", None):  # an HTTP answer of any kind: the worker is up
                    return
                time.sleep(0.2)
        self.log.seek(0)
        raise RuntimeError(f"server did not come up:\n{self.log.read()[-3000:]}")

    def worker_pid(self) -> int:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.gunicorn_pid():
                return int(entry)
        raise RuntimeError("no gunicorn worker found")

    def gunicorn_pid(self) -> int:
        return self.proc.pid  # taskset execs gunicorn in place: the same pid

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.worker_pid()}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kb(self) -> int:
        with open(f"/proc/{self.worker_pid()}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()


# --- load ------------------------------------------------------------------------------------------------


async def run_load(url: str, pairs: list[tuple[int, dict, dict]], duration: float, server: Server) -> dict:
    """pairs: (conversation id, resident auth, worker auth). Returns the figures of one server."""
    import socketio

    sent: dict[str, float] = {}  # client_id -> send time
    received: dict[str, int] = {}
    latencies: list[float] = []
    errors = 0

    def on_message(data):
        key = data.get("client_id")
        if key not in sent:
            return  # our own echo, or a system message
        received[key] = received.get(key, 0) + 1
        if received[key] == 1:
            latencies.append(time.perf_counter() - sent[key])

    clients = []

    async def make(auth, own_ids):
        client = socketio.AsyncClient(reconnection=False)

        def handler(data):
            if data.get("client_id") not in own_ids:
                on_message(data)

        client.on("chat:message", handler)
        await client.connect(url, auth=auth, transports=["websocket"], wait_timeout=30)
        clients.append(client)
        return client

    rss_before = server.rss_kb()
    people = []
    for conv, resident_auth, worker_auth in pairs:
        mine_r, mine_w = set(), set()
        resident = await make(resident_auth, mine_r)
        worker = await make(worker_auth, mine_w)
        people.append((conv, (resident, mine_r), (worker, mine_w)))
    await asyncio.sleep(2)
    rss_after = server.rss_kb()
    # The clients' own full collections stopped this loop for up to 150 ms, growing with the run's
    # bookkeeping, and every reply then waiting showed as the server's latency. The clients' objects are kept
    # out of the collector's reach for the measured window; reference counting still frees the rest.
    gc.collect()
    gc.freeze()
    gc.disable()

    async def pair_loop(conv, sides, offset):
        nonlocal errors
        await asyncio.sleep(offset)
        end = time.perf_counter() + duration
        turn = 0
        while time.perf_counter() < end:
            client, own = sides[turn % 2]
            key = uuid.uuid4().hex
            own.add(key)
            started = time.perf_counter()
            sent[key] = started
            try:
                answer = await client.call(
                    "chat:send",
                    {"conversation_id": conv, "body": f"消息{turn}", "client_id": key},
                    timeout=10,
                )
                if "message" not in answer:
                    errors += 1
                    sent.pop(key, None)
            except Exception:  # noqa: BLE001  (a timeout counts as an error, not a crash)
                errors += 1
                sent.pop(key, None)
            turn += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))

    cpu_start, own_cpu_start = server.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(pair_loop(conv, (r, w), i / len(people)) for i, (conv, r, w) in enumerate(people)))
    await asyncio.sleep(2)  # the last deliveries
    elapsed = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_start
    own_cpu = time.process_time() - own_cpu_start
    gc.enable()
    gc.unfreeze()
    for client in clients:
        await client.disconnect()
    delivered = len(latencies)
    ordered = sorted(latencies)
    return {
        "sent": len(sent),
        "delivered": delivered,
        "lost": sum(1 for key in sent if key not in received),
        "duplicated": sum(1 for n in received.values() if n > 1),
        "errors": errors,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000 if ordered else float("nan"),
        "cpu_per_msg_ms": cpu / delivered * 1000 if delivered else float("nan"),
        "msgs_per_s": delivered / elapsed,
        # Near 100 %, the clients' own loop lags and its latencies are partly the load generator's.
        "client_cpu_pct": own_cpu / elapsed * 100,
        "rss_per_conn_kb": (rss_after - rss_before) / (2 * len(pairs)),
    }


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-chat-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite'}"
    print(f"Seeding {args.pairs} pairs in {database_url.split('@')[-1]} …", flush=True)
    seeded = seed(database_url, args.pairs)
    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "APP_ENV")}
    app_env = {
        **base_env,
        "APP_ENV": "development",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(workdir),
        "SOCKETIO_ASYNC_MODE": "gevent",
        "WORKER_IN_PROCESS": "false",
        "RATELIMIT_ENABLED": "false",
        "CHAT_WORKING_HOURS": "00:00-24:00",
        "CHAT_WORKING_DAYS": "1,2,3,4,5,6,7",
    }
    names = [args.only] if args.only else list(SERVERS)
    rounds: list[dict[str, dict]] = []
    for n in range(args.rounds):
        results = {}
        for name in names:
            spec, ready = SERVERS[name]
            server = Server(spec, app_env)
            try:
                server.wait_up(ready)
                if name == "app":
                    pairs = [(c, {"token": r}, {"token": w}) for c, r, w in seeded]
                else:
                    pairs = [(c, {"room": c}, {"room": c}) for c, _, _ in seeded]
                load = f"{2 * len(pairs)} clients, {args.duration:.0f} s of load"
                print(f"round {n + 1}/{args.rounds}, {name}: {load} …", flush=True)
                results[name] = asyncio.run(run_load(server.url, pairs, args.duration, server))
            finally:
                server.stop()
        rounds.append(results)
    shutil.rmtree(workdir, ignore_errors=True)
    report(rounds, names)


def report(rounds: list[dict[str, dict]], names: list[str]) -> None:
    titles = {"app": "app (Flask-SocketIO)", "bare": "bare python-socketio"}
    combined = {
        name: {
            key: sum(r[name][key] for r in rounds)
            if key in SUMMED
            else statistics.median(r[name][key] for r in rounds)
            for key in rounds[0][name]
        }
        for name in names
    }
    print()
    if len(rounds) > 1:
        print(f"{len(rounds)} rounds: counts are totals, every other figure the median of the rounds'.")
    print(f"{'':24}" + "".join(f" {titles[name]:>22}" for name in names))
    rows = [
        ("messages sent", "sent", "{:.0f}"),
        ("delivered", "delivered", "{:.0f}"),
        ("lost (target 0)", "lost", "{:.0f}"),
        ("duplicated (target 0)", "duplicated", "{:.0f}"),
        ("send errors", "errors", "{:.0f}"),
        ("latency p50 ms", "p50_ms", "{:.1f}"),
        ("latency p99 ms (≤ 100)", "p99_ms", "{:.1f}"),
        ("delivered msg/s", "msgs_per_s", "{:.0f}"),
        ("server CPU ms / msg", "cpu_per_msg_ms", "{:.3f}"),
        ("load generator CPU %", "client_cpu_pct", "{:.0f}"),
        ("RSS kB / idle conn (≤ 150)", "rss_per_conn_kb", "{:.1f}"),
    ]
    for label, key, fmt in rows:
        print(f"{label:24}" + "".join(f" {fmt.format(combined[name][key]):>22}" for name in names))
    if names == list(SERVERS):
        # Each round's app against the bare relay measured just after it, then their median.
        ratios = [r["app"]["cpu_per_msg_ms"] / r["bare"]["cpu_per_msg_ms"] for r in rounds]
        each = f" (rounds: {', '.join(f'{x:.2f}' for x in ratios)})" if len(ratios) > 1 else ""
        ratio = statistics.median(ratios)
        print(f"\nCPU per delivered message, app / bare: {ratio:.2f}{each} (target ≤ 2.5)")


if __name__ == "__main__":
    main()

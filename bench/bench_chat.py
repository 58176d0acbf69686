"""Benchmark: chat over websockets, resident–worker pairs exchanging a message a second, against a bare
python-socketio relay measured in the same run.

Seeds a community with one grid per pair (a grid worker and a resident with a unit in it, and their
conversation) in a temporary SQLite database (or --database-url, an empty scratch database whose tables are
dropped first). Starts the real app under `gunicorn -k gevent -w 1` (SOCKETIO_ASYNC_MODE=gevent) and the
bare relay (bench/chat_echo_server.py) the same way, both pinned to CPU 0 when `taskset` exists; the load
generator (python-socketio AsyncClients, websocket transport, in this process) runs on the other CPU.

1. Connects 2 × pairs clients to each server and measures its worker's RSS before and after: memory per
   idle connection (target ≤ 150 kB).
2. Loads the two servers in turn, a slice of --slice seconds each (the order flips every slice), until each
   has had --duration seconds: each pair sends one message a second, alternating resident and worker, each
   through `chat:send` with an ack; the other side's `chat:message` ends the send→receive latency. Prints
   p50 / p99 (target p99 ≤ 100 ms), lost (acked, never received by the partner) and duplicated (received
   twice) messages (targets 0 and 0).
3. Prints each server worker's CPU (utime+stime from /proc) per delivered message, and the ratio of the
   app's to the bare relay's (target ≤ 2.5), over the run and slice by slice.

    .venv/bin/python bench/bench_chat.py [--pairs 250] [--duration 60] [--slice 10] [--database-url URL]
                                         [--only app|bare] [--profile PATH]

The defaults are the issue's full run (250 pairs, 60 s per server). This machine's speed drifts by
±10-30 % within minutes, the same build included; measuring the two servers in interleaved slices lets the
drift move both alike. Compare two builds of the app with `--only app`, run alternately.
"""

import argparse
import asyncio
import gc
import os
import shutil
import signal
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=250)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per server, in all")
    parser.add_argument("--database-url", default=None, help="a scratch database (default: temporary SQLite)")
    parser.add_argument(
        "--slice", type=float, default=10.0, help="seconds of load per turn, the servers alternating (10)"
    )
    parser.add_argument("--only", choices=SERVERS, help="one server alone (to compare two builds of the app)")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="sample each server's CPU under load into PATH.app and PATH.bare (bench/gunicorn_profile.py)",
    )
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
    def __init__(self, app_spec: str, env: dict, profile: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.profile = profile
        cmd = [str(VENV_BIN / "gunicorn"), "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{self.port}",
               "--chdir", str(ROOT), app_spec]  # fmt: skip
        if profile:
            cmd[1:1] = ["-c", str(ROOT / "bench" / "gunicorn_profile.py")]
            env = {**env, "LINLI_PROFILE_OUT": profile}
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


class Fleet:
    """One server's connected clients and what they sent and heard, over all its slices of load."""

    def __init__(self, server: Server, pairs: list[tuple[int, dict, dict]]):
        self.server, self.pairs = server, pairs
        self.sent: dict[str, float] = {}  # client_id -> send time
        self.received: dict[str, int] = {}
        self.latencies: list[float] = []
        self.errors = 0
        self.cpu = self.own_cpu = self.elapsed = 0.0
        self.clients: list = []
        self.people: list = []
        self.rss_per_conn_kb = 0.0
        self.slices: list[tuple[float, int]] = []  # (server CPU seconds, delivered) per slice

    def on_message(self, data) -> None:
        key = data.get("client_id")
        if key not in self.sent:
            return  # a system message
        self.received[key] = self.received.get(key, 0) + 1
        if self.received[key] == 1:
            self.latencies.append(time.perf_counter() - self.sent[key])

    async def connect(self) -> None:
        import socketio

        async def make(auth, own_ids):
            client = socketio.AsyncClient(reconnection=False)

            def handler(data):
                if data.get("client_id") not in own_ids:
                    self.on_message(data)

            client.on("chat:message", handler)
            await client.connect(self.server.url, auth=auth, transports=["websocket"], wait_timeout=30)
            self.clients.append(client)
            return client

        rss_before = self.server.rss_kb()
        for conv, resident_auth, worker_auth in self.pairs:
            mine_r, mine_w = set(), set()
            resident = await make(resident_auth, mine_r)
            worker = await make(worker_auth, mine_w)
            self.people.append((conv, (resident, mine_r), (worker, mine_w)))
        await asyncio.sleep(2)
        self.rss_per_conn_kb = (self.server.rss_kb() - rss_before) / (2 * len(self.pairs))

    async def load(self, duration: float) -> None:
        """One slice: each pair sends a message a second for `duration` seconds; then the last deliveries."""

        async def pair_loop(conv, sides, offset):
            await asyncio.sleep(offset)
            end = time.perf_counter() + duration
            turn = 0
            while time.perf_counter() < end:
                client, own = sides[turn % 2]
                key = uuid.uuid4().hex
                own.add(key)
                started = time.perf_counter()
                self.sent[key] = started
                try:
                    answer = await client.call(
                        "chat:send",
                        {"conversation_id": conv, "body": f"消息{turn}", "client_id": key},
                        timeout=10,
                    )
                    if "message" not in answer:
                        self.errors += 1
                        self.sent.pop(key, None)
                except Exception:  # noqa: BLE001  (a timeout counts as an error, not a crash)
                    self.errors += 1
                    self.sent.pop(key, None)
                turn += 1
                await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))

        delivered = len(self.latencies)
        cpu_start, own_cpu_start = self.server.cpu_seconds(), time.process_time()
        started = time.perf_counter()
        n = len(self.people)
        await asyncio.gather(*(pair_loop(conv, (r, w), i / n) for i, (conv, r, w) in enumerate(self.people)))
        deadline = time.monotonic() + 2  # the last deliveries, bounded
        while len(self.latencies) < len(self.sent) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        cpu = self.server.cpu_seconds() - cpu_start
        self.cpu += cpu
        self.own_cpu += time.process_time() - own_cpu_start
        self.elapsed += time.perf_counter() - started
        self.slices.append((cpu, len(self.latencies) - delivered))

    async def disconnect(self) -> None:
        for client in self.clients:
            await client.disconnect()

    def figures(self) -> dict:
        delivered = len(self.latencies)
        ordered = sorted(self.latencies)
        return {
            "sent": len(self.sent),
            "delivered": delivered,
            "lost": sum(1 for key in self.sent if key not in self.received),
            "duplicated": sum(1 for n in self.received.values() if n > 1),
            "errors": self.errors,
            "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
            "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000 if ordered else float("nan"),
            "cpu_per_msg_ms": self.cpu / delivered * 1000 if delivered else float("nan"),
            "msgs_per_s": delivered / self.elapsed if self.elapsed else float("nan"),
            # Near 100 %, the clients' own loop lags and its latencies are partly the load generator's.
            "client_cpu_pct": self.own_cpu / self.elapsed * 100 if self.elapsed else float("nan"),
            "rss_per_conn_kb": self.rss_per_conn_kb,
        }


async def run(servers: dict[str, Server], pairs: dict[str, list], duration: float, slice_s: float) -> dict:
    """Connect every server's clients, then load the servers in turn, a slice each, until each has had
    `duration` seconds; the order flips every slice. Returns each one's Fleet."""
    fleets = {name: Fleet(server, pairs[name]) for name, server in servers.items()}
    for name, fleet in fleets.items():
        print(f"{name}: connecting {2 * len(fleet.pairs)} clients …", flush=True)
        await fleet.connect()
    # The clients' own full collections stopped this loop for up to 150 ms, growing with the run's
    # bookkeeping, and every reply then waiting showed as the server's latency. The clients' objects are kept
    # out of the collector's reach while measuring; reference counting still frees the rest.
    gc.collect()
    gc.freeze()
    gc.disable()
    for server in servers.values():
        if server.profile:
            os.kill(server.worker_pid(), signal.SIGUSR1)  # the profile starts with the load
    try:
        slices = max(1, round(duration / slice_s))
        order = list(fleets)
        for n in range(slices):
            for name in order if n % 2 == 0 else order[::-1]:
                print(f"slice {n + 1}/{slices}, {name}: {duration / slices:.0f} s of load …", flush=True)
                await fleets[name].load(duration / slices)
    finally:
        gc.enable()
        gc.unfreeze()
    for fleet in fleets.values():
        await fleet.disconnect()
    return fleets


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
    pairs = {
        "app": [(c, {"token": r}, {"token": w}) for c, r, w in seeded],
        "bare": [(c, {"room": c}, {"room": c}) for c, _, _ in seeded],
    }
    servers: dict[str, Server] = {}
    try:
        for name in names:
            spec, ready = SERVERS[name]
            servers[name] = Server(spec, app_env, args.profile and f"{args.profile}.{name}")
            servers[name].wait_up(ready)
        fleets = asyncio.run(run(servers, pairs, args.duration, args.slice))
    finally:
        for server in servers.values():
            server.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    report(fleets)


def report(fleets: dict[str, "Fleet"]) -> None:
    titles = {"app": "app (Flask-SocketIO)", "bare": "bare python-socketio"}
    names = list(fleets)
    figures = {name: fleet.figures() for name, fleet in fleets.items()}
    print()
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
        print(f"{label:24}" + "".join(f" {fmt.format(figures[name][key]):>22}" for name in names))
    if names == list(SERVERS):
        # Over the whole run, and slice by slice (each app slice against the bare one next to it): the
        # machine's drift moves both alike; the spread of the slices' ratios shows what noise is left.
        ratio = figures["app"]["cpu_per_msg_ms"] / figures["bare"]["cpu_per_msg_ms"]
        side_by_side = zip(fleets["app"].slices, fleets["bare"].slices, strict=True)
        each = [
            (app_cpu / app_n) / (bare_cpu / bare_n)
            for (app_cpu, app_n), (bare_cpu, bare_n) in side_by_side
            if app_n and bare_n and bare_cpu
        ]
        spread = f" (slices: {', '.join(f'{x:.2f}' for x in each)})" if len(each) > 1 else ""
        print(f"\nCPU per delivered message, app / bare: {ratio:.2f}{spread} (target ≤ 2.5)")


if __name__ == "__main__":
    main()

"""Settings for every environment, read from environment variables (see the README's table)."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_weights(name: str, default: tuple[float, float, float]) -> tuple[float, float, float]:
    """Three comma-separated non-negative numbers, e.g. "30,35,35"."""
    value = os.environ.get(name)
    if not value:
        return default
    parts = tuple(float(part) for part in value.split(","))
    if len(parts) != 3 or min(parts) < 0 or not sum(parts):
        raise ValueError(f"{name} needs three non-negative numbers, e.g. 30,35,35")
    return parts


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret-key-change-me")
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", "dev-jwt-secret-key-change-me-please")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'linli.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection idle longer than this is pinged before use (app.core.db.ping_when_idle).
    DB_PING_IDLE_SECONDS = env_int("DB_PING_IDLE_SECONDS", 10)
    # Connections a process keeps open to a server database (PostgreSQL), and how many more it may open for
    # a moment. SQLAlchemy's 5 + 10 overflow suits a thread per request; one gevent process serves hundreds
    # of sockets at once, and each overflow connection was closed again on return, so under chat load it
    # opened and closed PostgreSQL connections (a backend started each time) several times a second.
    DB_POOL_SIZE = env_int("DB_POOL_SIZE", 20)
    DB_MAX_OVERFLOW = env_int("DB_MAX_OVERFLOW", 10)
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # The embedded SQLite's PRAGMA synchronous. In WAL mode NORMAL never corrupts the database and loses no
    # commit when the process dies; only a power cut or an OS crash can take back the last commits before
    # a checkpoint. FULL adds an fsync to every commit: on this kind of disk about 0.2 ms of CPU, and a
    # pause of the whole gevent loop, per commit. PostgreSQL is unaffected.
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").upper()

    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=env_int("ACCESS_TOKEN_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=env_int("REFRESH_TOKEN_DAYS", 30))
    JWT_TOKEN_LOCATION = ["headers"]
    # Argon2id cost; production keeps the library's recommended defaults.
    PASSWORD_TIME_COST = env_int("PASSWORD_TIME_COST", 3)
    PASSWORD_MEMORY_COST = env_int("PASSWORD_MEMORY_COST", 65536)

    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 12 * 1024 * 1024)
    # Uploaded images (app/uploads): stored under instance/uploads, at most 10 MB each as sent.
    UPLOAD_DIR = INSTANCE_DIR / "uploads"
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    # Open311 GeoReport v2 (app/open311): the one jurisdiction this endpoint serves.
    OPEN311_JURISDICTION_ID = "baoan.gov.cn"

    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    AUTH_RATE_LIMIT_IP = os.environ.get("AUTH_RATE_LIMIT_IP", "30/minute;300/hour")
    AUTH_RATE_LIMIT_PHONE = os.environ.get("AUTH_RATE_LIMIT_PHONE", "5/minute;30/hour")
    WRITE_RATE_LIMIT = os.environ.get("WRITE_RATE_LIMIT", "120/minute")
    # Opinions, replies and abuse reports on consultations, per user: a person writes, a script floods.
    CONSULTATION_COMMENT_RATE_LIMIT = os.environ.get("CONSULTATION_COMMENT_RATE_LIMIT", "10/minute;60/hour")

    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")

    API_TITLE = "Linli API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_REDOC_PATH = "docs"
    OPENAPI_REDOC_URL = "https://cdn.jsdelivr.net/npm/redoc@2.5.0/bundles/redoc.standalone.js"

    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    # The Redis pub/sub channel of the Socket.IO message queue: processes of one deployment share it.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "flask-socketio")

    # Background work (app/outbox): `flask worker`, or a thread beside the web server in development.
    WORKER_IN_PROCESS = env_bool("WORKER_IN_PROCESS", False)
    OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 100)
    OUTBOX_CONCURRENCY = env_int("OUTBOX_CONCURRENCY", 8)
    OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)
    OUTBOX_POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_SECONDS", "1.0"))
    OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
    OUTBOX_BACKOFF_SECONDS = float(os.environ.get("OUTBOX_BACKOFF_SECONDS", "10"))
    OUTBOX_KEEP_DONE_DAYS = env_int("OUTBOX_KEEP_DONE_DAYS", 7)

    # Web push (app/push). Production takes the VAPID keys from the environment (base64url: the raw 32-byte
    # private key, the 65-byte uncompressed public point); elsewhere a key is generated once in instance/.
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY") or None
    VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY") or None
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:admin@linli.example.cn")
    # Plain-http endpoints on 127.0.0.1/localhost/[::1] (the test receiver); never in production.
    PUSH_ALLOW_LOOPBACK = env_bool("PUSH_ALLOW_LOOPBACK", False)
    PUSH_TIMEOUT_SECONDS = float(os.environ.get("PUSH_TIMEOUT_SECONDS", "10"))
    PUSH_FANOUT_CHUNK = env_int("PUSH_FANOUT_CHUNK", 500)
    # Subscriptions per delivery event: fewer outbox rows and commits; a crash may resend up to this many.
    PUSH_DELIVERY_BATCH = env_int("PUSH_DELIVERY_BATCH", 25)
    PUSH_MAX_SUBSCRIPTIONS_PER_USER = env_int("PUSH_MAX_SUBSCRIPTIONS_PER_USER", 10)
    # Kinds sent by SMS to users without a push subscription: "all", "none", or a comma list of kinds.
    PUSH_FALLBACK_KINDS = os.environ.get("PUSH_FALLBACK_KINDS", "all")
    # The fallback SMS sender: console (logs), memory (tests), or "package.module:Class".
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
    # Absolute base for links in SMS texts, e.g. https://linli.example.cn (empty: no link).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Map tiles for the PWA's maps, e.g. https://tiles.example.cn/{z}/{x}/{y}.png (empty: grids and reports
    # are drawn as vectors without a base map). The CSP's img-src then admits that host.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

    # Dashboard (app/dashboard): weights of the composite score, response/resolution/satisfaction (percent).
    DASHBOARD_WEIGHTS = env_weights("DASHBOARD_WEIGHTS", (30.0, 35.0, 35.0))
    # CSV exports stream whole periods: a few per minute per caller is plenty.
    EXPORT_RATE_LIMIT = os.environ.get("EXPORT_RATE_LIMIT", "10/minute")

    # Chat (app/chat): working hours in TIMEZONE (outside them an automatic reply), ISO weekdays (1 = Monday),
    # how long the grid worker has before the whole community sees a conversation, and how long a resident
    # has to read a reply before it is pushed to their phone.
    CHAT_WORKING_HOURS = os.environ.get("CHAT_WORKING_HOURS", "08:30-17:30")
    CHAT_WORKING_DAYS = os.environ.get("CHAT_WORKING_DAYS", "1,2,3,4,5")
    CHAT_SHARE_AFTER_SECONDS = env_int("CHAT_SHARE_AFTER_SECONDS", 600)
    CHAT_REPLY_PUSH_DELAY_SECONDS = env_int("CHAT_REPLY_PUSH_DELAY_SECONDS", 20)
    CHAT_SENDS_PER_MINUTE = env_int("CHAT_SENDS_PER_MINUTE", 60)
    # Re-check the logins of all of a process's chat connections in one query every AUTH_RECHECK_SECONDS / 2,
    # rather than one query per connection (app/chat/events.py). Tests call recheck_logins() themselves.
    CHAT_BATCH_RECHECK = env_bool("CHAT_BATCH_RECHECK", True)
    # While messages keep coming, the chat writer waits this long after the first of a batch for more to
    # share its commit (app/chat/writer.py); 0 writes each batch at once. A batch costs the same few
    # statements however many messages it holds: on PostgreSQL 25 ms against 15 ms is about 14 % less CPU
    # per message under load, for 8 ms more at the median (bench/README.md, ninth pass).
    CHAT_COMMIT_DELAY_MS = env_int("CHAT_COMMIT_DELAY_MS", 25)

    @classmethod
    def validate(cls) -> None:
        """Refuse to start with settings that would be unsafe; only production checks."""


class DevelopmentConfig(Config):
    DEBUG = False
    WORKER_IN_PROCESS = env_bool("WORKER_IN_PROCESS", True)


class TestingConfig(Config):
    TESTING = True
    # tests/conftest.py points these at a temporary SQLite file or at TEST_DATABASE_URL / TEST_REDIS_URL.
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    REDIS_URL = None
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_TIME_COST = 1
    PASSWORD_MEMORY_COST = 8192
    # Generous so a suite's many logins from 127.0.0.1 pass; limit tests tighten these.
    AUTH_RATE_LIMIT_IP = "10000/minute"
    AUTH_RATE_LIMIT_PHONE = "10000/minute"
    WRITE_RATE_LIMIT = "10000/minute"
    CONSULTATION_COMMENT_RATE_LIMIT = "10000/minute"
    EXPORT_RATE_LIMIT = "10000/minute"
    # Tests drive the outbox with Worker.run_once(); the push receiver listens on 127.0.0.1.
    WORKER_IN_PROCESS = False
    CHAT_BATCH_RECHECK = False
    # Pub/sub ignores Redis database numbers: a channel per test run keeps parallel runs apart.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL") or f"linli-test-{os.getpid()}"
    PUSH_ALLOW_LOOPBACK = True
    SMS_BACKEND = "memory"


class ProductionConfig(Config):
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
    PUSH_ALLOW_LOOPBACK = False

    @classmethod
    def validate(cls) -> None:
        required = ("SECRET_KEY", "JWT_SECRET_KEY", "DATABASE_URL", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY")
        missing = [name for name in required if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Production needs these environment variables: {', '.join(missing)}")


configs = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

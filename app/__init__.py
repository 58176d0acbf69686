"""The application factory: configuration, extensions, blueprints, socket handlers and CLI commands."""

import sqlalchemy as sa
from flask import Flask
from flask_smorest import Api

from app.core.db import gevent_psycopg_waits, ping_when_idle
from app.core.schemas import ErrorSchema
from app.core.socket_packets import JsonPacket
from app.extensions import NoCookieSessions, db, jwt, limiter, migrate, socketio
from config import Config, DevelopmentConfig


class LinliApi(Api):
    """flask-smorest documents errors in our envelope rather than its own."""

    ERROR_SCHEMA = ErrorSchema


def create_app(config_class: type[Config] = DevelopmentConfig) -> Flask:
    config_class.validate()
    app = Flask(__name__, instance_path=str(_instance_path()), static_folder=None)
    app.config.from_object(config_class)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.session_interface = NoCookieSessions()

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pool = {"pool_size": app.config["DB_POOL_SIZE"], "max_overflow": app.config["DB_MAX_OVERFLOW"]}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = pool | app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"), render_as_batch=True)
    jwt.init_app(app)
    limiter.init_app(app)
    _init_sqlite(app)
    with app.app_context():
        ping_when_idle(db.engine, app.config["DB_PING_IDLE_SECONDS"])
        if db.engine.dialect.name == "postgresql" and app.config["SOCKETIO_ASYNC_MODE"] == "gevent":
            gevent_psycopg_waits()

    from app import models  # noqa: F401  (every model registered before the mappers configure)
    from app.core import after_commit, auth, errors

    after_commit.init_app(app)
    auth.init_app(app)

    api = LinliApi(app)
    from app.audit.api import bp as audit_bp
    from app.auth.api import bp as auth_bp
    from app.chat.api import bp as chat_bp
    from app.consultations.api import bp as consultations_bp
    from app.dashboard.api import bp as dashboard_bp
    from app.notices.api import bp as notices_bp
    from app.open311.api import bp as open311_keys_bp
    from app.polls.api import bp as polls_bp
    from app.push.api import bp as push_bp
    from app.regions.api import bp as regions_bp
    from app.reports.api import bp as reports_bp
    from app.uploads.api import bp as uploads_bp

    for bp in (auth_bp, regions_bp, notices_bp, audit_bp, push_bp, reports_bp, uploads_bp, open311_keys_bp):
        api.register_blueprint(bp)
    api.register_blueprint(consultations_bp)
    api.register_blueprint(dashboard_bp)
    api.register_blueprint(polls_bp)
    api.register_blueprint(chat_bp)
    # After the Api: flask-smorest installs its own HTTP error handler, ours replaces it.
    errors.init_app(app)

    from app import health, pwa
    from app.open311 import georeport

    app.register_blueprint(health.bp)
    app.register_blueprint(pwa.bp)
    # GeoReport v2 answers in XML as well as JSON, so it is a plain Flask blueprint.
    app.register_blueprint(georeport.bp)

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        channel=app.config.get("SOCKETIO_CHANNEL", "flask-socketio"),
        async_handlers=False,
        serializer=JsonPacket,
    )

    from app import cli
    from app.chat import events as chat_events
    from app.outbox import worker

    chat_events.bind(app)  # the chat events, on the server init_app just made
    cli.init_app(app)
    worker.init_app(app)  # WORKER_IN_PROCESS: drain the outbox in a thread beside the web server
    return app


def _root():
    from config import BASE_DIR

    return BASE_DIR


def _instance_path():
    from config import INSTANCE_DIR

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return INSTANCE_DIR


def _init_sqlite(app: Flask) -> None:
    """SQLite in WAL mode with foreign keys on, so the embedded default behaves like a real database."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    synchronous = app.config["SQLITE_SYNCHRONOUS"]
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")

    with app.app_context():

        @sa.event.listens_for(db.engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.close()

"""Settings: production refuses unsafe defaults, development needs nothing set, the environment decides."""

import json
import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from config import BASE_DIR, ProductionConfig, TestingConfig

PRODUCTION_NEEDS = ("SECRET_KEY", "JWT_SECRET_KEY", "DATABASE_URL")
SETTINGS = (
    "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY",
    "JWT_ACCESS_TOKEN_EXPIRES",
    "REDIS_URL",
    "RATELIMIT_STORAGE_URI",
)


def _config_in_fresh_process(app_env: str, **env: str) -> dict:
    """config.py reads the environment at import, so each environment is checked in its own interpreter."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {*PRODUCTION_NEEDS, "INSTANCE_PATH", "REDIS_URL"}
    }
    code = (
        "import json, config\n"
        f"cls = config.configs[{app_env!r}]\n"
        f"print(json.dumps({{k: str(getattr(cls, k)) for k in {SETTINGS!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("missing", PRODUCTION_NEEDS)
def test_production_refuses_to_start_without(monkeypatch, missing):
    for name in PRODUCTION_NEEDS:
        monkeypatch.setenv(name, "postgresql+psycopg://db/linli" if name == "DATABASE_URL" else "s3cret" * 8)
    monkeypatch.delenv(missing)

    with pytest.raises(RuntimeError, match=missing):
        create_app(ProductionConfig)


def test_production_accepts_a_complete_environment(monkeypatch):
    for name in (*PRODUCTION_NEEDS, "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"):
        monkeypatch.setenv(name, "set")

    ProductionConfig.validate()


def test_production_wsgi_exits_with_the_missing_names():
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_NEEDS}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=BASE_DIR,
        env={**clean, "APP_ENV": "production"},
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "Production needs these environment variables" in result.stderr
    for name in PRODUCTION_NEEDS:
        assert name in result.stderr


def test_development_defaults_to_sqlite_in_instance():
    settings = _config_in_fresh_process("development")

    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{BASE_DIR / 'instance' / 'linli.sqlite'}"
    assert settings["REDIS_URL"] == "None"
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"


def test_environment_variables_pick_database_redis_and_token_lifetime():
    settings = _config_in_fresh_process(
        "development",
        DATABASE_URL="postgresql+psycopg://u@db/linli",
        REDIS_URL="redis://cache:6379/1",
        ACCESS_TOKEN_MINUTES="5",
        SECRET_KEY="from-env",
    )

    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/linli"
    assert settings["REDIS_URL"] == "redis://cache:6379/1"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/1"
    assert settings["JWT_ACCESS_TOKEN_EXPIRES"] == "0:05:00"
    assert settings["SECRET_KEY"] == "from-env"


def test_instance_path_moves_the_default_database(tmp_path):
    settings = _config_in_fresh_process("development", INSTANCE_PATH=str(tmp_path))

    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'linli.sqlite'}"


def _settings_read_by_the_code() -> set[str]:
    pattern = re.compile(
        r"""(?:environ(?:\.get)?[\[(]|getenv\(|env_bool\(|env_int\()\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    files = [BASE_DIR / "config.py", BASE_DIR / "wsgi.py", *sorted((BASE_DIR / "app").rglob("*.py"))]
    return {name for path in files for name in pattern.findall(path.read_text(encoding="utf-8"))}


def test_readme_lists_every_setting_and_starts_with_the_two_commands():
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    table_rows = {line.split("|")[1].strip(" `") for line in readme.splitlines() if line.startswith("| `")}

    assert _settings_read_by_the_code() - table_rows == set()
    assert [line.split()[:2] for line in readme.splitlines()[:2]] == [["make", "run"], ["make", "test"]]


@pytest.mark.parametrize(("setting", "expected"), [(None, 1), ("full", 2)])
def test_sqlite_commits_with_the_configured_synchronous(tmp_path, setting, expected):
    """NORMAL (1) unless SQLITE_SYNCHRONOUS says otherwise: in WAL mode no commit is lost when the process
    dies, and none costs an fsync."""

    class SqliteConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'sync.sqlite'}"

    if setting is not None:
        SqliteConfig.SQLITE_SYNCHRONOUS = setting.upper()
    app = create_app(SqliteConfig)
    with app.app_context():
        assert db.session.execute(sa.text("PRAGMA synchronous")).scalar() == expected
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        db.session.remove()
        db.engine.dispose()


def test_an_unknown_sqlite_synchronous_is_refused(tmp_path):
    class SqliteConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'sync.sqlite'}"
        SQLITE_SYNCHRONOUS = "SOMETIMES"

    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        create_app(SqliteConfig)

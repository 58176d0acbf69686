"""DESIGN.md §6 across the API: the spec and docs, health probes, and one error envelope for every failure."""

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_jwt_extended import create_access_token, decode_token
from openapi_spec_validator import validate

from app.auth.models import User
from app.auth.service import start_session
from app.extensions import db
from tests.factories import UserFactory

LOGIN = "/api/v1/auth/login"


def error_of(response) -> dict:
    assert response.is_json, response.data[:200]
    body = response.get_json()
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


def test_openapi_spec_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert LOGIN in spec["paths"]


def test_docs_page_is_html(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"openapi.json" in response.data


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")

    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_checks_the_database(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL")
def test_readyz_checks_redis_when_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", os.environ["TEST_REDIS_URL"])

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_is_503_when_redis_is_unreachable(app, client, monkeypatch):
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nope"),
        ("post", "/api/v1/nope"),
        ("get", "/api/v1/notices/999999999/nope"),
        ("get", "/api/x"),
    ],
)
def test_unknown_api_paths_are_json_404(client, method, path):
    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete(LOGIN)

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_oversized_body_is_413_and_writes_nothing(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)

    response = client.post(
        "/api/v1/auth/register",
        json={"phone": "13912345678", "password": "long-enough-1", "name": "x" * 2048},
    )

    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.parametrize("body", [b"{not json", b'{"phone": "139', b"\xff\xfe"])
def test_invalid_json_is_400(client, body):
    response = client.post(LOGIN, data=body, content_type="application/json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


def test_schema_violation_is_422_with_fields(client):
    response = client.post("/api/v1/auth/register", json={"phone": "not a phone"})

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert {"phone", "password", "name"} <= set(error["fields"])


def _token_for(user: User, **kwargs) -> str:
    """An access token of a live login; with kwargs (expires_delta=…) a re-minted one for that login."""
    tokens = start_session(user)
    db.session.commit()
    if not kwargs:
        return tokens["access_token"]
    sid = decode_token(tokens["access_token"])["sid"]
    return create_access_token(identity=str(user.id), additional_claims={"sid": sid}, **kwargs)


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "unauthorized"),
        ("Bearer", "invalid_token"),
        ("Bearer not.a.jwt", "invalid_token"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "invalid_token"),
        ("Basic dXNlcjpwYXNz", "unauthorized"),
    ],
)
def test_missing_or_garbage_token_is_401(client, header, code):
    headers = {"Authorization": header} if header else {}

    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert error_of(response)["code"] == code


def test_expired_token_is_401_token_expired(client):
    token = _token_for(UserFactory(), expires_delta=timedelta(seconds=-5))

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert error_of(response)["code"] == "token_expired"


def test_valid_token_passes(client):
    token = _token_for(UserFactory())

    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_too_many_logins_from_one_address_is_429(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMIT_IP", "2/minute")
    # Different phones, so only the per-address limit can trip.
    attempts = [
        client.post(LOGIN, json={"phone": f"1391234567{n}", "password": "wrong-pass-1"}) for n in range(3)
    ]

    assert [r.status_code for r in attempts] == [401, 401, 429]
    assert error_of(attempts[2])["code"] == "rate_limited"
    assert int(attempts[2].headers["Retry-After"]) > 0


def test_reads_skip_the_write_limit_but_keep_their_own(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "WRITE_RATE_LIMIT", "2/minute")
    monkeypatch.setitem(app.config, "EXPORT_RATE_LIMIT", "2/minute")
    headers = {"Authorization": f"Bearer {_token_for(world.worker)}"}
    notice = {"title": "停水通知", "body": "明天停水。", "region_id": world.c1.id}

    reads = [client.get("/api/v1/notices", headers=headers).status_code for _ in range(4)]
    writes = [client.post("/api/v1/notices", json=notice, headers=headers).status_code for _ in range(3)]
    exports = [client.get("/api/v1/exports/open-data.csv").status_code for _ in range(3)]

    assert reads == [200, 200, 200, 200]
    assert writes == [201, 201, 429]
    assert exports == [200, 200, 429]

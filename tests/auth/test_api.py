"""Accounts and tokens through the HTTP API: register, login, refresh rotation, logout, rate limits."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_jwt_extended import create_access_token, decode_token

from app.auth.models import AuthSession, RefreshToken, User
from app.extensions import db
from tests.factories import PASSWORD, UserFactory


def register(client, phone="13912345678", password="long-enough-1", name="王阿姨"):
    return client.post("/api/v1/auth/register", json={"phone": phone, "password": password, "name": name})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_register_signs_in_and_hashes_with_argon2id(client):
    res = register(client, phone="+86 139-1234-5678")
    assert res.status_code == 201
    body = res.get_json()
    assert body["user"] == {
        "id": body["user"]["id"],
        "name": "王阿姨",
        "phone": "13912345678",
        "photo_url": None,
        "memberships": [],
    }
    assert body["access_token"]
    assert body["refresh_token"]
    user = db.session.scalar(sa.select(User))
    assert user.password_hash.startswith("$argon2id$")
    assert "long-enough-1" not in user.password_hash
    me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.get_json()["phone"] == "13912345678"


def test_tokens_live_fifteen_minutes_and_thirty_days(client):
    body = register(client).get_json()
    access, refresh = decode_token(body["access_token"]), decode_token(body["refresh_token"])
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh["exp"] - refresh["iat"] == 30 * 24 * 3600


def test_a_phone_registers_once(client):
    assert register(client).status_code == 201
    res = register(client, name="someone else")
    assert res.status_code == 409
    assert res.get_json()["error"]["code"] == "phone_taken"
    assert count(User) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phone": "12345", "password": "long-enough-1", "name": "a"}, "phone"),
        ({"phone": "12812345678", "password": "long-enough-1", "name": "a"}, "phone"),
        ({"phone": "139123456789", "password": "long-enough-1", "name": "a"}, "phone"),
        ({"phone": 13912345678, "password": "long-enough-1", "name": "a"}, "phone"),
        ({"phone": "13912345678", "password": "short", "name": "a"}, "password"),
        ({"phone": "13912345678", "password": "long-enough-1", "name": ""}, "name"),
        ({"phone": "13912345678", "password": "long-enough-1", "name": "x" * 61}, "name"),
        ({"phone": "13912345678", "password": "long-enough-1"}, "name"),
        ({"phone": "13912345678", "password": "long-enough-1", "name": "a", "role": "admin"}, "role"),
    ],
)
def test_register_rejects_bad_input_and_writes_nothing(client, payload, field):
    res = client.post("/api/v1/auth/register", json=payload)
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert count(User) == 0
    assert count(AuthSession) == 0


def test_register_needs_a_json_object(client):
    res = client.post("/api/v1/auth/register", data="{not json", content_type="application/json")
    assert res.status_code == 400
    assert res.get_json()["error"]["code"] == "bad_request"
    res = client.post("/api/v1/auth/register", json=["13912345678"])
    assert res.status_code == 422
    assert count(User) == 0


def test_login_with_right_and_wrong_password(client):
    user = UserFactory(phone="13700000001")
    db.session.commit()
    ok = client.post("/api/v1/auth/login", json={"phone": "137 0000 0001", "password": PASSWORD})
    assert ok.status_code == 200
    assert ok.get_json()["user"]["id"] == user.id
    for phone, password in (("13700000001", "wrong-password"), ("13700000009", PASSWORD)):
        res = client.post("/api/v1/auth/login", json={"phone": phone, "password": password})
        assert res.status_code == 401
        assert res.get_json()["error"]["code"] == "invalid_credentials"
    res = client.post("/api/v1/auth/login", json={"phone": "13700000001"})
    assert res.status_code == 422
    assert "password" in res.get_json()["error"]["fields"]


def test_refresh_rotates_and_a_reused_token_ends_the_login(client):
    first = register(client).get_json()
    res = client.post("/api/v1/auth/refresh", headers=bearer(first["refresh_token"]))
    assert res.status_code == 200
    second = res.get_json()
    assert set(second) == {"access_token", "refresh_token"}
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/me", headers=bearer(second["access_token"])).status_code == 200

    # The first refresh token is presented again: someone copied it, so the whole login ends.
    replay = client.post("/api/v1/auth/refresh", headers=bearer(first["refresh_token"]))
    assert replay.status_code == 401
    assert replay.get_json()["error"]["code"] == "token_reused"
    for token in (second["access_token"], first["access_token"]):
        res = client.get("/api/v1/me", headers=bearer(token))
        assert res.status_code == 401
        assert res.get_json()["error"]["code"] == "token_revoked"
    res = client.post("/api/v1/auth/refresh", headers=bearer(second["refresh_token"]))
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "token_revoked"


def test_reuse_ends_only_that_login(client):
    register(client)
    phone_login = client.post(
        "/api/v1/auth/login", json={"phone": "13912345678", "password": "long-enough-1"}
    )
    other = phone_login.get_json()
    first = client.post(
        "/api/v1/auth/login", json={"phone": "13912345678", "password": "long-enough-1"}
    ).get_json()
    client.post("/api/v1/auth/refresh", headers=bearer(first["refresh_token"]))
    client.post("/api/v1/auth/refresh", headers=bearer(first["refresh_token"]))
    assert client.get("/api/v1/me", headers=bearer(first["access_token"])).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other["access_token"])).status_code == 200


def test_tokens_are_not_interchangeable(client):
    body = register(client).get_json()
    res = client.post("/api/v1/auth/refresh", headers=bearer(body["access_token"]))
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "invalid_token"
    res = client.get("/api/v1/me", headers=bearer(body["refresh_token"]))
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "invalid_token"


def test_logout_refuses_that_access_and_refresh_token(client):
    body = register(client).get_json()
    res = client.post("/api/v1/auth/logout", headers=bearer(body["access_token"]))
    assert res.status_code == 204
    assert res.data == b""
    me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 401
    assert me.get_json()["error"]["code"] == "token_revoked"
    res = client.post("/api/v1/auth/refresh", headers=bearer(body["refresh_token"]))
    assert res.status_code == 401
    assert db.session.scalar(sa.select(AuthSession.revoked_reason)) == "logout"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthorized"),
        ({"Authorization": "Bearer not-a-jwt"}, "invalid_token"),
        ({"Authorization": "Basic abc"}, "unauthorized"),
    ],
)
def test_me_without_a_good_token(client, headers, code):
    res = client.get("/api/v1/me", headers=headers)
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == code


def test_expired_and_sessionless_tokens_are_refused(client):
    user = UserFactory()
    db.session.commit()
    expired = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=-5))
    res = client.get("/api/v1/me", headers=bearer(expired))
    assert res.get_json()["error"]["code"] == "token_expired"
    # A token signed with the right key but minted outside a login has no session: refused.
    orphan = create_access_token(identity=str(user.id))
    res = client.get("/api/v1/me", headers=bearer(orphan))
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "token_revoked"


def test_refresh_tokens_are_stored_server_side(client):
    body = register(client).get_json()
    jti = decode_token(body["refresh_token"])["jti"]
    assert db.session.get(RefreshToken, jti) is not None


def test_login_is_rate_limited_per_phone(app, client):
    UserFactory(phone="13700000001")
    db.session.commit()
    app.config["AUTH_RATE_LIMIT_PHONE"] = "3/minute"
    try:
        codes = [
            client.post(
                "/api/v1/auth/login", json={"phone": "13700000001", "password": "guess-" + str(i)}
            ).status_code
            for i in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        res = client.post("/api/v1/auth/login", json={"phone": "13700000001", "password": PASSWORD})
        assert res.status_code == 429
        assert res.get_json()["error"]["code"] == "rate_limited"
        assert "Retry-After" in res.headers
        # Another number from the same address is still let through.
        other = client.post("/api/v1/auth/login", json={"phone": "13700000002", "password": "x"})
        assert other.status_code == 401
    finally:
        app.config["AUTH_RATE_LIMIT_PHONE"] = "10000/minute"


def test_register_is_rate_limited_per_address(app, client):
    app.config["AUTH_RATE_LIMIT_IP"] = "2/minute"
    try:
        codes = [register(client, phone=f"1391234567{i}").status_code for i in range(3)]
        assert codes == [201, 201, 429]
        assert count(User) == 2
    finally:
        app.config["AUTH_RATE_LIMIT_IP"] = "10000/minute"


def test_me_lists_memberships(world, client, auth):
    body = client.get("/api/v1/me", headers=auth(world.resident)).get_json()
    assert body["memberships"] == [
        {
            "id": body["memberships"][0]["id"],
            "role": "resident",
            "status": "active",
            "region": {"id": world.c1.id, "name": "海裕社区", "level": "community"},
            "unit": {"id": world.u1.id, "label": world.u1.label, "grid_id": world.g1.id},
        }
    ]


def test_writes_are_rate_limited_per_user(app, client):
    user = UserFactory()
    other = UserFactory()
    db.session.commit()
    logins = [
        client.post("/api/v1/auth/login", json={"phone": user.phone, "password": PASSWORD}).get_json()
        for _ in range(3)
    ]
    other_login = client.post(
        "/api/v1/auth/login", json={"phone": other.phone, "password": PASSWORD}
    ).get_json()
    app.config["WRITE_RATE_LIMIT"] = "2/minute"
    try:
        codes = [
            client.post("/api/v1/auth/logout", headers=bearer(t["access_token"])).status_code for t in logins
        ]
        assert codes == [204, 204, 429]
        assert (
            client.post("/api/v1/auth/logout", headers=bearer(other_login["access_token"])).status_code == 204
        )
    finally:
        app.config["WRITE_RATE_LIMIT"] = "10000/minute"


def test_a_verified_token_is_still_refused_once_it_expires(client):
    """Signatures are verified once per process (app.extensions.VerifiedTokenCache); expiry still counts."""
    body = register(client).get_json()
    claims = decode_token(body["access_token"])
    short = create_access_token(
        identity=claims["sub"], additional_claims={"sid": claims["sid"]}, expires_delta=timedelta(seconds=3)
    )
    # Three seconds: a loaded machine once took more than one between creating the token and using it.
    assert client.get("/api/v1/me", headers=bearer(short)).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(short)).status_code == 200  # from the cache
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        res = client.get("/api/v1/me", headers=bearer(short))
        if res.status_code != 200:
            break
        time.sleep(0.2)
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "token_expired"
    # The same claims under a tampered signature are another token: verified afresh, and refused.
    good = body["access_token"]
    assert client.get("/api/v1/me", headers=bearer(good)).status_code == 200
    head, payload, signature = good.split(".")
    middle = len(signature) // 2
    tampered = signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    res = client.get("/api/v1/me", headers=bearer(f"{head}.{payload}.{tampered}"))
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "invalid_token"


def test_a_verified_tokens_header_is_not_parsed_again(client, monkeypatch):
    """jwt_required() asks for the header of each token it decoded; the cache answers for verified ones."""
    import jwt as pyjwt

    token = register(client).get_json()["access_token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    parsed = []
    real = pyjwt.get_unverified_header
    monkeypatch.setattr(pyjwt, "get_unverified_header", lambda t: parsed.append(t) or real(t))
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert parsed == []
    other = create_access_token(identity=decode_token(token)["sub"], additional_claims={"sid": "nope"})
    assert client.get("/api/v1/me", headers=bearer(other)).get_json()["error"]["code"] == "token_revoked"
    assert set(parsed) == {other}  # verified for the first time: read (by the verification too)
    parsed.clear()
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 401
    assert parsed == []

"""Push endpoints through the HTTP API: the VAPID key, subscribing per device, unsubscribing, settings."""

import base64
import os

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.push.models import NotificationSetting, PushKind, PushSubscription
from app.push.vapid import keys
from tests.push.receiver import b64url

URL = "/api/v1/push/subscriptions"
SETTINGS = "/api/v1/me/notification-settings"
FCM = "https://fcm.googleapis.com/fcm/send/dXk3Zm9vYmFy:APA91bH"


def subscription(receiver, endpoint: str | None = None) -> dict:
    body = receiver.new_subscription().json()
    if endpoint is not None:
        body["endpoint"] = endpoint
    return body


def rows() -> list[PushSubscription]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PushSubscription).order_by(PushSubscription.id)))


def test_vapid_public_key_is_a_p256_point_and_stable(client):
    first = client.get("/api/v1/push/vapid-public-key")
    assert first.status_code == 200
    key = first.get_json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65
    assert raw[0] == 4
    assert client.get("/api/v1/push/vapid-public-key").get_json()["public_key"] == key == keys().public_key


def test_vapid_key_answer_says_which_kinds_fall_back_to_sms(app, client):
    saved = app.config["PUSH_FALLBACK_KINDS"]
    got = {}
    try:
        for setting in ("all", "chat_reply, notice_urgent", "none"):
            app.config["PUSH_FALLBACK_KINDS"] = setting
            got[setting] = client.get("/api/v1/push/vapid-public-key").get_json()["fallback_kinds"]
    finally:
        app.config["PUSH_FALLBACK_KINDS"] = saved
    assert got == {
        "all": [k.value for k in PushKind],
        "chat_reply, notice_urgent": ["notice_urgent", "chat_reply"],
        "none": [],
    }


def test_subscribing_is_idempotent_per_device(client, world, auth, receiver):
    headers = auth(world.resident)
    body = subscription(receiver)

    first = client.post(URL, json=body, headers={**headers, "User-Agent": "Mozilla/5.0 (Linux; Android 14)"})
    assert first.status_code == 201
    assert first.get_json()["endpoint"] == body["endpoint"]
    again = client.post(URL, json=body, headers=headers)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]

    (row,) = rows()
    assert row.user_id == world.resident.id
    assert row.p256dh == body["keys"]["p256dh"]
    # A second device is a second subscription.
    assert client.post(URL, json=subscription(receiver), headers=headers).status_code == 201
    assert len(rows()) == 2


def test_resubscribing_refreshes_keys_and_moves_the_device_to_who_is_signed_in(client, world, auth, receiver):
    body = subscription(receiver)
    assert client.post(URL, json=body, headers=auth(world.resident)).status_code == 201
    renewed = {**body, "keys": subscription(receiver)["keys"]}

    res = client.post(URL, json=renewed, headers=auth(world.resident2))
    assert res.status_code == 200
    (row,) = rows()
    assert row.user_id == world.resident2.id
    assert row.auth == renewed["keys"]["auth"]


def test_a_user_keeps_only_the_newest_devices(app, client, world, auth, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_MAX_SUBSCRIPTIONS_PER_USER", 2)
    headers = auth(world.resident)
    endpoints = [subscription(receiver) for _ in range(3)]
    for body in endpoints:
        assert client.post(URL, json=body, headers=headers).status_code == 201
    assert [r.endpoint for r in rows()] == [endpoints[1]["endpoint"], endpoints[2]["endpoint"]]


def test_an_https_push_service_is_accepted(client, world, auth, receiver):
    res = client.post(URL, json=subscription(receiver, FCM), headers=auth(world.resident))
    assert res.status_code == 201


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.com/send/abc",
        "ftp://push.example.com/abc",
        "https://10.0.0.5/push/abc",
        "https://192.168.1.1/push",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/push",
        "https://intranet/push",
        "https://user:pw@push.example.com/x",
        "not a url",
        "https://push.example.com:99999/x",
    ],
)
def test_endpoints_must_be_public_https(client, world, auth, receiver, endpoint):
    res = client.post(URL, json=subscription(receiver, endpoint), headers=auth(world.resident))
    assert res.status_code == 422
    assert res.get_json()["error"]["code"] == "validation_error"
    assert "endpoint" in res.get_json()["error"]["fields"]
    assert rows() == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:8555/push/a",
        "http://localhost:8555/push/a",
        "http://[::1]:8555/push/a",
        "https://localhost/a",
    ],
)
@pytest.mark.parametrize("allowed", [True, False])
def test_loopback_endpoints_only_when_the_setting_allows(
    app, client, world, auth, receiver, monkeypatch, endpoint, allowed
):
    monkeypatch.setitem(app.config, "PUSH_ALLOW_LOOPBACK", allowed)
    res = client.post(URL, json=subscription(receiver, endpoint), headers=auth(world.resident))
    if allowed:
        assert res.status_code == 201
    else:
        assert res.status_code == 422
        assert res.get_json()["error"]["code"] == "validation_error"
        assert rows() == []


def _bad_point() -> str:
    raw = bytearray(65)
    raw[0] = 4
    raw[1:] = os.urandom(64)
    return b64url(bytes(raw))


@pytest.mark.parametrize(
    ("keys_", "field"),
    [
        ({"p256dh": b64url(os.urandom(64)), "auth": b64url(os.urandom(16))}, "p256dh"),
        ({"p256dh": _bad_point(), "auth": b64url(os.urandom(16))}, "p256dh"),
        ({"p256dh": "not base64!!", "auth": b64url(os.urandom(16))}, "p256dh"),
        ({"p256dh": None, "auth": b64url(os.urandom(16))}, "p256dh"),
        ({"p256dh": "VALID", "auth": b64url(os.urandom(15))}, "auth"),
        ({"p256dh": "VALID", "auth": b64url(os.urandom(16)) + "+/"}, "auth"),
        ({"p256dh": "VALID"}, "auth"),
    ],
)
def test_subscription_keys_must_decode_to_the_right_sizes(client, world, auth, receiver, keys_, field):
    body = subscription(receiver)
    if keys_.get("p256dh") == "VALID":
        keys_ = {**keys_, "p256dh": body["keys"]["p256dh"]}
    body["keys"] = keys_
    res = client.post(URL, json=body, headers=auth(world.resident))
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]["keys"]
    assert rows() == []


def test_padded_base64url_keys_are_accepted(client, world, auth, receiver):
    body = subscription(receiver)
    body["keys"] = {"p256dh": body["keys"]["p256dh"] + "===", "auth": body["keys"]["auth"] + "=="}
    assert client.post(URL, json=body, headers=auth(world.resident)).status_code == 201


def test_subscribing_needs_a_sign_in(client, receiver):
    res = client.post(URL, json=subscription(receiver))
    assert res.status_code == 401
    assert res.get_json()["error"]["code"] == "unauthorized"


def test_unsubscribing_removes_only_your_own_device(client, world, auth, receiver):
    mine, theirs = subscription(receiver), subscription(receiver)
    assert client.post(URL, json=mine, headers=auth(world.resident)).status_code == 201
    assert client.post(URL, json=theirs, headers=auth(world.resident2)).status_code == 201

    res = client.delete(URL, json={"endpoint": theirs["endpoint"]}, headers=auth(world.resident))
    assert res.status_code == 404
    assert res.get_json()["error"]["code"] == "not_found"
    res = client.delete(URL, json={"endpoint": FCM}, headers=auth(world.resident))
    assert res.status_code == 404

    res = client.delete(URL, json={"endpoint": mine["endpoint"]}, headers=auth(world.resident))
    assert res.status_code == 204
    assert [r.endpoint for r in rows()] == [theirs["endpoint"]]
    res = client.delete(URL, json={}, headers=auth(world.resident))
    assert res.status_code == 422


def test_settings_default_to_on_and_patch_changes_only_what_is_sent(client, world, auth):
    headers = auth(world.resident)
    res = client.get(SETTINGS, headers=headers)
    assert res.status_code == 200
    assert res.get_json() == {kind.value: True for kind in PushKind}

    res = client.patch(SETTINGS, json={"notice": False, "chat_reply": False}, headers=headers)
    assert res.status_code == 200
    expected = {kind.value: kind not in (PushKind.NOTICE, PushKind.CHAT_REPLY) for kind in PushKind}
    assert res.get_json() == expected
    assert client.get(SETTINGS, headers=headers).get_json() == expected
    res = client.patch(SETTINGS, json={"notice": True}, headers=headers)
    assert res.get_json()["notice"] is True
    assert res.get_json()["chat_reply"] is False
    # Someone else's switches are untouched.
    assert client.get(SETTINGS, headers=auth(world.resident2)).get_json() == {k.value: True for k in PushKind}


@pytest.mark.parametrize("body", [{"bogus": True}, {"notice": "maybe"}, {"notice": None}, {"notice": 0}])
def test_settings_reject_unknown_kinds_and_non_booleans(client, world, auth, body):
    res = client.patch(SETTINGS, json=body, headers=auth(world.resident))
    assert res.status_code == 422
    assert res.get_json()["error"]["code"] == "validation_error"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationSetting)) == 0


def test_settings_need_a_sign_in(client):
    assert client.get(SETTINGS).status_code == 401
    assert client.patch(SETTINGS, json={"notice": False}).status_code == 401

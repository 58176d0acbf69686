"""Admins issue, list and revoke Open311 API keys; the key is shown once and only its hash is kept."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.extensions import db
from app.open311.models import ApiKey, hash_key

URL = "/api/v1/open311/keys"
ROLES = [
    "admin", "street_staff", "street2_staff", "worker", "grid_worker", "committee", "worker2",
    "resident", "resident2", "outsider", "pending", "stranger",
]  # fmt: skip


def test_admin_issues_a_key_shown_once(client, world, auth):
    headers = auth(world.admin)

    response = client.post(URL, json={"name": "市12345平台", "user_id": world.worker.id}, headers=headers)

    assert response.status_code == 201
    body = response.get_json()
    assert body["key"].startswith(body["prefix"])
    row = db.session.get(ApiKey, body["id"])
    assert row.key_hash == hash_key(body["key"])
    assert body["key"] not in str(row.__dict__)
    listed = client.get(URL, headers=headers).get_json()["data"]
    assert [k["id"] for k in listed] == [body["id"]]
    assert "key" not in listed[0]
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.object_id == body["id"])) == (
        "open311_key.issue"
    )


def test_revoke_then_revoke_again(client, world, auth):
    headers = auth(world.admin)
    key_id = client.post(URL, json={"name": "partner"}, headers=headers).get_json()["id"]

    assert client.delete(f"{URL}/{key_id}", headers=headers).status_code == 204
    again = client.delete(f"{URL}/{key_id}", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_revoked"
    assert client.delete(f"{URL}/999999", headers=headers).status_code == 404


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_manage_keys(client, world, auth, role):
    headers = auth(getattr(world, role))

    issued = client.post(URL, json={"name": "x"}, headers=headers)
    listed = client.get(URL, headers=headers)

    assert issued.status_code == listed.status_code == 403
    assert issued.get_json()["error"]["code"] == "forbidden"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_keys_need_a_sign_in(client):
    assert client.post(URL, json={"name": "x"}).status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 81}, "name"),
     ({"name": "x", "user_id": 999999}, "user_id"), ({"name": "x", "extra": 1}, "extra")],
)  # fmt: skip
def test_bad_key_requests_are_422(client, world, auth, payload, field):
    response = client.post(URL, json=payload, headers=auth(world.admin))

    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0

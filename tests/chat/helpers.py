"""Small REST helpers for chat tests."""

import uuid

BASE = "/api/v1/conversations"


def cid() -> str:
    return uuid.uuid4().hex


def open_conv(client, auth, user) -> dict:
    res = client.post(BASE, json={}, headers=auth(user))
    assert res.status_code in (200, 201), res.get_json()
    return res.get_json()


def send(client, headers, conv_id: int, body: str, client_id: str | None = None, **extra):
    return client.post(
        f"{BASE}/{conv_id}/messages",
        json={"body": body, "client_id": client_id or cid(), **extra},
        headers=headers,
    )


def messages(client, headers, conv_id: int, **query) -> list[dict]:
    res = client.get(f"{BASE}/{conv_id}/messages", query_string=query, headers=headers)
    assert res.status_code == 200, res.get_json()
    return res.get_json()["data"]


def inbox(client, headers, **query) -> list[dict]:
    res = client.get(BASE, query_string=query, headers=headers)
    assert res.status_code == 200, res.get_json()
    return res.get_json()["data"]

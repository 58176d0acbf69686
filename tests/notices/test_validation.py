"""Bad input on every notice endpoint: a clear 422 (or 400) naming the fields, and nothing written."""

import base64
import json

import pytest

from app.audit.models import AuditLog
from app.extensions import db
from app.notices.models import Notice, NoticeRead
from tests.notices.helpers import count, hours

URL = "/api/v1/notices"


def _rows() -> tuple[int, int, int]:
    return count(Notice), count(AuditLog), count(NoticeRead)


def _good(world, **overrides) -> dict:
    return {"title": "停水通知", "body": "明天停水", "region_id": world.c1.id, **overrides}


CREATE_CASES = {
    "missing title": ({"title": None}, "title"),
    "blank title": ({"title": "   "}, "title"),
    "long title": ({"title": "长" * 121}, "title"),
    "title not a string": ({"title": 12}, "title"),
    "empty body": ({"body": ""}, "body"),
    "blank body": ({"body": " \n\t "}, "body"),
    "long body": ({"body": "x" * 10001}, "body"),
    "missing region": ({"region_id": None}, "region_id"),
    "region as text": ({"region_id": "4"}, "region_id"),
    "unknown region": ({"region_id": 987654}, "region_id"),
    "bad category": ({"category": "gossip"}, "category"),
    "pinned not a boolean": ({"pinned": "maybe"}, "pinned"),
    "publish_at not a date": ({"publish_at": "tomorrow"}, "publish_at"),
    "publish_at without zone": ({"publish_at": "2030-01-01T08:00:00"}, "publish_at"),
    "expires before publish": (
        {"publish_at": "2030-01-02T00:00:00+08:00", "expires_at": "2030-01-01T00:00:00+08:00"},
        "expires_at",
    ),
    "expires equal to publish": (
        {"publish_at": "2030-01-02T00:00:00+00:00", "expires_at": "2030-01-02T08:00:00+08:00"},
        "expires_at",
    ),
    "expires in the past": ({"expires_at": "2020-01-01T00:00:00+00:00"}, "expires_at"),
    "unknown field": ({"author_id": 1}, "author_id"),
}


@pytest.mark.parametrize("case", list(CREATE_CASES))
def test_bad_create_is_422_and_writes_nothing(world, client, auth, case):
    overrides, field = CREATE_CASES[case]
    body = {k: v for k, v in _good(world, **overrides).items() if v is not None}
    before = _rows()
    response = client.post(URL, json=body, headers=auth(world.worker))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert _rows() == before


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", '"a string"'])
def test_create_with_a_body_that_is_not_an_object(world, client, auth, payload):
    response = client.post(URL, data=payload, content_type="application/json", headers=auth(world.worker))
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["code"] in ("bad_request", "validation_error")
    assert count(Notice) == 0


PATCH_CASES = {
    "nothing to change": ({}, "_schema"),
    "blank title": ({"title": ""}, "title"),
    "long body": ({"body": "x" * 10001}, "body"),
    "bad category": ({"category": "gossip"}, "category"),
    "publish_at null": ({"publish_at": None}, "publish_at"),
    "publish_at without zone": ({"publish_at": "2030-01-01 08:00"}, "publish_at"),
    # Checked against the stored publish_at (an hour ago) when only expires_at is sent.
    "expires before stored publish": ({"expires_at": hours(-2).isoformat()}, "expires_at"),
    "publish after stored expiry": ({"publish_at": hours(30).isoformat()}, "expires_at"),
    "unknown region": ({"region_id": 987654}, "region_id"),
    "pinned null": ({"pinned": None}, "pinned"),
    "status is not editable": ({"status": "published"}, "status"),
}


@pytest.mark.parametrize("case", list(PATCH_CASES))
def test_bad_patch_is_422_and_changes_nothing(world, client, auth, post, case):
    notice_id = post(title="原标题", publish_at=hours(-1), expires_at=hours(24))
    payload, field = PATCH_CASES[case]
    before = _rows()
    response = client.patch(f"{URL}/{notice_id}", json=payload, headers=auth(world.worker))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert _rows() == before
    db.session.rollback()
    db.session.expire_all()
    notice = db.session.get(Notice, notice_id)
    assert (notice.title, notice.region_id, notice.category) == ("原标题", world.c1.id, "general")


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "many"},
        {"status": "draft"},
        {"q": "x" * 101},
        {"region_id": "c1"},
    ],
)
def test_bad_list_query_is_422(world, client, auth, query):
    response = client.get(URL, headers=auth(world.worker), query_string=query)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_error"
    assert set(response.get_json()["error"]["fields"]) == set(query)


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        _cursor([]),
        _cursor({"a": 1}),
        _cursor([1, 2, 3, 4]),
        # Tampered values of the right length: each must fit its column, or the database would choke.
        _cursor([True, "x", 1]),
        _cursor([True, {"dt": "nope"}, 1]),
        _cursor([True, {"dt": "2020-01-01T00:00:00"}, 1]),
        _cursor(["a", {"dt": "2020-01-01T00:00:00+00:00"}, "b"]),
        _cursor([True, {"dt": "2020-01-01T00:00:00+00:00"}, True]),
    ],
)
def test_bad_cursor_is_400(world, client, auth, cursor):
    response = client.get(URL, headers=auth(world.resident), query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_read_of_a_notice_out_of_sight_writes_nothing(world, client, auth, post):
    hidden = post(region=world.c2, by=world.worker2)
    scheduled = post(publish_at=hours(1))
    for notice_id in (hidden, scheduled, 424242):
        response = client.post(f"{URL}/{notice_id}/read", headers=auth(world.resident))
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert count(NoticeRead) == 0


def test_withdraw_of_an_unknown_notice_writes_nothing(world, client, auth):
    before = _rows()
    response = client.delete(f"{URL}/424242", headers=auth(world.admin))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert _rows() == before

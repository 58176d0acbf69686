"""Every user of the test world against every write (and the stats) on a notice of community C1."""

import pytest

from app.audit.models import AuditLog
from app.notices.models import Notice
from tests.factories import USER_NAMES
from tests.notices.helpers import count

URL = "/api/v1/notices"
USERS = USER_NAMES

# Staff serving C1 (admin of the district, street staff of its street, its worker and committee) may do
# everything. The grid worker and C1's residents see the notice but may not manage it: 403. Those who do
# not see it at all (other street or community, pending, strangers) get 404. Anyone may try to post,
# and regions are public, so a refused post is a 403. Stats are staff data: a 404 to everyone else.
OK = {"admin", "street_staff", "worker", "committee"}
SEES = OK | {"grid_worker", "resident", "resident2"}
EXPECTED = {
    "create": {u: 201 if u in OK else 403 for u in USERS},
    "patch": {u: 200 if u in OK else 403 if u in SEES else 404 for u in USERS},
    "delete": {u: 204 if u in OK else 403 if u in SEES else 404 for u in USERS},
    "stats": {u: 200 if u in OK else 404 for u in USERS},
}
CODES = {403: "forbidden", 404: "not_found"}


def _call(client, action, notice_id, region_id, headers):
    if action == "create":
        return client.post(
            URL, json={"title": "新通知", "body": "内容", "region_id": region_id}, headers=headers
        )
    if action == "patch":
        return client.patch(f"{URL}/{notice_id}", json={"title": "改过的标题"}, headers=headers)
    if action == "delete":
        return client.delete(f"{URL}/{notice_id}", headers=headers)
    return client.get(f"{URL}/{notice_id}/stats", headers=headers)


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_permission_matrix(world, client, auth, post, action, who):
    notice_id = post(region=world.c1)
    notices, audits = count(Notice), count(AuditLog)
    response = _call(client, action, notice_id, world.c1.id, auth(getattr(world, who)))
    expected = EXPECTED[action][who]
    assert response.status_code == expected, response.get_json()
    if expected in CODES:
        assert response.get_json()["error"]["code"] == CODES[expected]
        assert (count(Notice), count(AuditLog)) == (notices, audits)
    elif action != "stats":
        assert count(AuditLog) == audits + 1


@pytest.mark.parametrize("who", ["worker", "committee", "grid_worker"])
def test_grid_and_community_staff_post_for_their_grid(world, client, auth, who):
    response = client.post(
        URL,
        json={"title": "网格通知", "body": "内容", "region_id": world.g1.id},
        headers=auth(getattr(world, who)),
    )
    assert response.status_code == 201


def test_grid_worker_cannot_post_for_the_next_grid(world, client, auth):
    response = client.post(
        URL,
        json={"title": "网格通知", "body": "内容", "region_id": world.g2.id},
        headers=auth(world.grid_worker),
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_resident_may_read_but_not_see_stats(world, client, auth, post):
    notice_id = post()
    assert client.post(f"{URL}/{notice_id}/read", headers=auth(world.resident)).status_code == 204
    response = client.get(f"{URL}/{notice_id}/stats", headers=auth(world.resident))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_unknown_notice_is_404_everywhere(world, client, auth):
    worker = auth(world.worker)
    for method, path in (
        ("get", "/999"),
        ("patch", "/999"),
        ("delete", "/999"),
        ("post", "/999/read"),
        ("get", "/999/stats"),
    ):
        kwargs = {"json": {"title": "x"}} if method == "patch" else {}
        response = getattr(client, method)(f"{URL}{path}", headers=worker, **kwargs)
        assert response.status_code == 404, (method, path)
        assert response.get_json()["error"]["code"] == "not_found"

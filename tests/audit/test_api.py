"""Reading the audit log: staff only, each within the regions they serve, newest first."""

import io

import pytest
import sqlalchemy as sa

from app.audit.service import record
from app.extensions import db
from app.regions.models import Membership

WORLD_USERS = [
    "admin", "street_staff", "street2_staff", "worker", "grid_worker", "committee", "worker2",
    "resident", "resident2", "outsider", "pending", "stranger",
]  # fmt: skip
CSV = "building,unit,room,floor_area\n6,1,601,70\n"


def _error(response) -> dict:
    return response.get_json()["error"]


def _import(client, community, headers):
    response = client.post(
        f"/api/v1/communities/{community.id}/units/import",
        data={"file": (io.BytesIO(CSV.encode()), "units.csv")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert response.status_code == 200


@pytest.fixture
def history(client, world, auth):
    """Three staff writes through the API: an approval in g1, an import into C1 and one into C2."""
    membership_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == world.pending.id))
    approved = client.post(f"/api/v1/memberships/{membership_id}/approve", headers=auth(world.worker))
    assert approved.status_code == 200
    _import(client, world.c1, auth(world.worker))
    _import(client, world.c2, auth(world.worker2))
    return {"membership": membership_id}


def _actions(client, headers, query="") -> list[tuple[str, str, int]]:
    response = client.get(f"/api/v1/audit{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [(e["action"], e["object_type"], e["object_id"]) for e in response.get_json()["data"]]


def test_entry_shape_and_newest_first(client, world, auth, history):
    response = client.get("/api/v1/audit", headers=auth(world.admin))
    assert response.status_code == 200
    body = response.get_json()
    assert body["next_cursor"] is None
    assert [e["action"] for e in body["data"]] == ["unit.import", "unit.import", "membership.approve"]
    approval = body["data"][-1]
    assert approval["actor"] == {"id": world.worker.id, "name": "worker"}
    assert approval["object_type"] == "membership"
    assert approval["object_id"] == history["membership"]
    assert "pending" in approval["summary"]
    assert approval["created_at"].endswith("+00:00")
    assert set(approval) >= {"id", "actor", "action", "object_type", "object_id", "summary", "created_at"}


VISIBLE = {
    "admin": {"c1 import", "c2 import", "approval"},
    "street_staff": {"c1 import", "c2 import", "approval"},
    "street2_staff": set(),
    "worker": {"c1 import", "approval"},
    "grid_worker": {"approval"},  # the applicant's unit lies in their grid
    "committee": {"c1 import", "approval"},
    "worker2": {"c2 import"},
}


@pytest.mark.parametrize("who", WORLD_USERS)
def test_each_user_sees_only_their_regions_history(client, world, auth, history, who):
    response = client.get("/api/v1/audit", headers=auth(getattr(world, who)))
    if who not in VISIBLE:
        assert response.status_code == 404
        assert _error(response)["code"] == "not_found"
        return
    assert response.status_code == 200
    names = {
        (world.c1.id, "unit.import"): "c1 import",
        (world.c2.id, "unit.import"): "c2 import",
        (history["membership"], "membership.approve"): "approval",
    }
    assert {names[(e["object_id"], e["action"])] for e in response.get_json()["data"]} == VISIBLE[who]


def test_reading_the_log_needs_a_sign_in(client, world):
    response = client.get("/api/v1/audit")
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("who", "status"),
    [("worker", 200), ("street_staff", 200), ("grid_worker", 200), ("worker2", 404), ("street2_staff", 404)],
)
def test_one_objects_history_is_404_outside_its_region(client, world, auth, history, who, status):
    query = f"?object_type=membership&object_id={history['membership']}"
    response = client.get(f"/api/v1/audit{query}", headers=auth(getattr(world, who)))
    assert response.status_code == status
    if status == 200:
        assert [e["action"] for e in response.get_json()["data"]] == ["membership.approve"]
    else:
        assert _error(response)["code"] == "not_found"


def test_worker_of_another_community_cannot_read_its_imports(client, world, auth, history):
    query = f"?object_type=region&object_id={world.c1.id}"
    assert client.get(f"/api/v1/audit{query}", headers=auth(world.worker2)).status_code == 404
    assert _actions(client, auth(world.worker), query) == [("unit.import", "region", world.c1.id)]


def test_filters_narrow_the_list(client, world, auth, history):
    headers = auth(world.street_staff)
    assert [a for a, _, _ in _actions(client, headers, "?object_type=region")] == ["unit.import"] * 2
    assert _actions(client, headers, "?object_type=notice") == []


def test_an_object_without_history_is_an_empty_list(client, world, auth):
    assert _actions(client, auth(world.worker), "?object_type=membership&object_id=999999") == []


def test_pages_have_no_gaps_or_duplicates_as_entries_arrive(client, world, auth):
    for i in range(7):
        record(world.worker, "test.write", world.c1, region_id=world.c1.id, summary=f"entry {i}")
    db.session.commit()
    headers = auth(world.worker)
    seen, cursor = [], None
    while True:
        body = client.get(
            f"/api/v1/audit?limit=3{f'&cursor={cursor}' if cursor else ''}", headers=headers
        ).get_json()
        seen += [e["id"] for e in body["data"]]
        if len(seen) == 3:
            # Newer entries land before page 1 and must not push old ones into page 2 twice.
            record(world.worker, "test.write", world.c1, region_id=world.c1.id, summary="late")
            db.session.commit()
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen, reverse=True)


def test_the_list_costs_the_same_queries_whatever_the_page_size(client, world, auth, count_queries):
    staff = [world.worker, world.committee, world.street_staff, world.admin]
    for i in range(40):
        record(staff[i % 4], "test.write", world.c1, region_id=world.c1.id, summary=f"entry {i}")
    db.session.commit()
    headers = auth(world.admin)
    counts = []
    for limit in (2, 40):
        with count_queries() as statements:
            assert (
                len(client.get(f"/api/v1/audit?limit={limit}", headers=headers).get_json()["data"]) == limit
            )
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_entries_without_an_actor_show_null(client, world, auth):
    record(None, "system.job", world.c1, region_id=world.c1.id, summary="nightly check")
    db.session.commit()
    [entry] = client.get("/api/v1/audit", headers=auth(world.worker)).get_json()["data"]
    assert entry["actor"] is None


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("object_type=Membership!", 422, "object_type"),
        ("object_type=" + "a" * 41, 422, "object_type"),
        ("object_id=0", 422, "object_id"),
        ("object_id=abc", 422, "object_id"),
        ("limit=101", 422, "limit"),
        ("cursor=bm9wZQ", 400, None),
    ],
)
def test_bad_audit_arguments(client, world, auth, query, status, field):
    response = client.get(f"/api/v1/audit?{query}", headers=auth(world.worker))
    assert response.status_code == status
    if field:
        assert _error(response)["code"] == "validation_error"
        assert field in _error(response)["fields"]
    else:
        assert _error(response)["code"] == "invalid_cursor"

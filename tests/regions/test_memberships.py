"""Applying to join a community, and staff listing, approving and rejecting applications."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import Membership, MembershipStatus
from tests.factories import UserFactory, member

WORLD_USERS = [
    "admin", "street_staff", "street2_staff", "worker", "grid_worker", "committee", "worker2",
    "resident", "resident2", "outsider", "pending", "stranger",
]  # fmt: skip


def _membership_of(user, region) -> Membership:
    return db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.region_id == region.id)
    )


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _error(response) -> dict:
    return response.get_json()["error"]


# --- applying --------------------------------------------------------------------------------------------


def test_stranger_applies_with_a_unit_and_waits(client, world, auth):
    response = client.post(
        f"/api/v1/communities/{world.c1.id}/memberships",
        json={"unit_id": world.u2.id},
        headers=auth(world.stranger),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending"
    assert body["role"] == "resident"
    assert body["region"] == {"id": world.c1.id, "name": "海裕社区", "level": "community"}
    assert body["unit"]["id"] == world.u2.id
    assert body["unit"]["label"] == "2栋1单元202"
    me = client.get("/api/v1/me", headers=auth(world.stranger)).get_json()
    assert [(m["id"], m["status"]) for m in me["memberships"]] == [(body["id"], "pending")]


def test_applying_without_a_body_or_unit_is_fine(client, world, auth):
    response = client.post(f"/api/v1/communities/{world.c2.id}/memberships", headers=auth(world.stranger))
    assert response.status_code == 201
    assert response.get_json()["unit"] is None


def test_staff_may_also_apply_as_residents_where_they_work(client, world, auth):
    response = client.post(
        f"/api/v1/communities/{world.c1.id}/memberships", json={}, headers=auth(world.worker)
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("who", "code"),
    [("resident", "already_member"), ("pending", "already_pending")],
)
def test_active_or_pending_members_cannot_apply_again(client, world, auth, who, code):
    before = _count(Membership)
    response = client.post(
        f"/api/v1/communities/{world.c1.id}/memberships", json={}, headers=auth(getattr(world, who))
    )
    assert response.status_code == 409
    assert _error(response)["code"] == code
    assert _count(Membership) == before


def test_rejected_applicant_may_apply_again_on_the_same_row(client, world, auth):
    membership = _membership_of(world.pending, world.c1)
    rejected = client.post(
        f"/api/v1/memberships/{membership.id}/reject", json={"reason": "查无此人"}, headers=auth(world.worker)
    )
    assert rejected.status_code == 200
    again = client.post(
        f"/api/v1/communities/{world.c1.id}/memberships",
        json={"unit_id": world.u2.id},
        headers=auth(world.pending),
    )
    assert again.status_code == 201
    body = again.get_json()
    assert body["id"] == membership.id
    assert body["status"] == "pending"
    assert body["reject_reason"] is None
    assert body["decided_at"] is None
    assert body["unit"]["id"] == world.u2.id


@pytest.mark.parametrize(
    ("target", "status"),
    [("street1", 404), ("g1", 404), ("district", 404), (None, 404)],
)
def test_only_communities_take_applications(client, world, auth, target, status):
    region_id = getattr(world, target).id if target else 999999
    before = _count(Membership)
    response = client.post(
        f"/api/v1/communities/{region_id}/memberships", json={}, headers=auth(world.stranger)
    )
    assert response.status_code == status
    assert _error(response)["code"] == "not_found"
    assert _count(Membership) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit_id": "u3"}, "unit_id"),  # replaced by world.u3.id: a unit of another community
        ({"unit_id": 999999}, "unit_id"),
        ({"unit_id": "abc"}, "unit_id"),
        ({"unit_id": 0}, "unit_id"),
        ({"unit_id": 1.5}, "unit_id"),
        ({"unit": 1}, "unit"),
    ],
)
def test_bad_application_is_422_and_writes_nothing(client, world, auth, body, field):
    if body.get("unit_id") == "u3":
        body = {"unit_id": world.u3.id}
    before = _count(Membership)
    response = client.post(
        f"/api/v1/communities/{world.c1.id}/memberships", json=body, headers=auth(world.stranger)
    )
    assert response.status_code == 422
    assert _error(response)["code"] == "validation_error"
    assert field in _error(response)["fields"]
    assert _count(Membership) == before


def test_application_body_must_be_json(client, world, auth):
    response = client.post(
        f"/api/v1/communities/{world.c1.id}/memberships",
        data="{not json",
        content_type="application/json",
        headers=auth(world.stranger),
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "bad_request"


def test_applying_needs_a_sign_in(client, world):
    response = client.post(f"/api/v1/communities/{world.c1.id}/memberships", json={})
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


# --- the permission matrix -------------------------------------------------------------------------------

# The pending application is for c1, unit u1, which lies in g1 (grid_worker's grid).
DECIDE = {
    "admin": (200, None),
    "street_staff": (200, None),
    "street2_staff": (404, "not_found"),
    "worker": (200, None),
    "grid_worker": (200, None),
    "committee": (403, "forbidden"),
    "worker2": (404, "not_found"),
    "resident": (404, "not_found"),
    "resident2": (404, "not_found"),
    "outsider": (404, "not_found"),
    "pending": (404, "not_found"),
    "stranger": (404, "not_found"),
}


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("who", WORLD_USERS)
def test_who_may_decide_an_application(client, world, auth, who, action):
    membership = _membership_of(world.pending, world.c1)
    membership_id = membership.id
    expected_status, expected_code = DECIDE[who]
    audits = _count(AuditLog)
    response = client.post(
        f"/api/v1/memberships/{membership_id}/{action}", json={}, headers=auth(getattr(world, who))
    )
    assert response.status_code == expected_status
    db.session.expire_all()
    status = db.session.get(Membership, membership_id).status
    if expected_code is None:
        expected = MembershipStatus.ACTIVE if action == "approve" else MembershipStatus.REJECTED
        assert response.get_json()["status"] == expected.value
        assert status == expected
        assert _count(AuditLog) == audits + 1
    else:
        assert _error(response)["code"] == expected_code
        assert status == MembershipStatus.PENDING
        assert _count(AuditLog) == audits


LIST = {**DECIDE}


@pytest.mark.parametrize("who", WORLD_USERS)
def test_who_may_list_a_communitys_memberships(client, world, auth, who):
    expected_status, expected_code = LIST[who]
    response = client.get(f"/api/v1/communities/{world.c1.id}/memberships", headers=auth(getattr(world, who)))
    assert response.status_code == expected_status
    if expected_code:
        assert _error(response)["code"] == expected_code


# --- listing ---------------------------------------------------------------------------------------------


def test_staff_list_shows_applicants_with_full_phone(client, world, auth):
    response = client.get(
        f"/api/v1/communities/{world.c1.id}/memberships?status=pending", headers=auth(world.worker)
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["next_cursor"] is None
    [item] = body["data"]
    assert item["status"] == "pending"
    assert item["role"] == "resident"
    assert item["user"] == {"id": world.pending.id, "name": "pending", "phone": world.pending.phone}
    assert "****" not in item["user"]["phone"]
    assert item["unit"] == {"id": world.u1.id, "label": "1栋1单元101", "grid_id": world.g1.id}
    assert item["region"]["id"] == world.c1.id
    assert item["created_at"].endswith("+00:00")


def test_list_filters_by_status_and_role(client, world, auth):
    url = f"/api/v1/communities/{world.c1.id}/memberships"
    active = client.get(f"{url}?status=active", headers=auth(world.worker)).get_json()["data"]
    assert {m["user"]["name"] for m in active} == {"worker", "committee", "resident", "resident2"}
    residents = client.get(f"{url}?status=active&role=resident", headers=auth(world.worker)).get_json()[
        "data"
    ]
    assert {m["user"]["name"] for m in residents} == {"resident", "resident2"}
    assert client.get(f"{url}?status=rejected", headers=auth(world.worker)).get_json()["data"] == []


def test_grid_worker_sees_only_applications_for_units_in_their_grid(client, world, auth):
    newcomer = UserFactory(name="newcomer")
    other = member(newcomer, world.c1, unit=world.u2, status=MembershipStatus.PENDING)  # u2 lies in g2
    other_id = other.id
    db.session.commit()
    url = f"/api/v1/communities/{world.c1.id}/memberships?status=pending"
    seen = client.get(url, headers=auth(world.grid_worker)).get_json()["data"]
    assert [m["user"]["name"] for m in seen] == ["pending"]
    assert len(client.get(url, headers=auth(world.worker)).get_json()["data"]) == 2
    response = client.post(f"/api/v1/memberships/{other_id}/approve", headers=auth(world.grid_worker))
    assert response.status_code == 403
    assert _error(response)["code"] == "forbidden"


def test_street_staff_see_every_community_of_their_street(client, world, auth):
    applicant = UserFactory(name="applicant")
    member(applicant, world.c2, unit=world.u3, status=MembershipStatus.PENDING)
    db.session.commit()
    for community in (world.c1, world.c2):
        response = client.get(
            f"/api/v1/communities/{community.id}/memberships?status=pending", headers=auth(world.street_staff)
        )
        assert response.status_code == 200
        assert len(response.get_json()["data"]) == 1
    response = client.get(f"/api/v1/communities/{world.c3.id}/memberships", headers=auth(world.street_staff))
    assert response.status_code == 404


def test_worker_of_another_community_gets_404(client, world, auth):
    membership_id = _membership_of(world.pending, world.c1).id
    headers = auth(world.worker2)
    listed = client.get(f"/api/v1/communities/{world.c1.id}/memberships", headers=headers)
    approved = client.post(f"/api/v1/memberships/{membership_id}/approve", headers=headers)
    assert (listed.status_code, approved.status_code) == (404, 404)
    assert _error(listed)["code"] == _error(approved)["code"] == "not_found"


def test_list_pages_without_gaps_or_duplicates(client, world, auth):
    for i in range(23):
        member(UserFactory(name=f"申请人{i}"), world.c1, status=MembershipStatus.PENDING)
    db.session.commit()
    headers = auth(world.worker)
    seen, cursor, pages = [], None, 0
    while True:
        url = f"/api/v1/communities/{world.c1.id}/memberships?status=pending&limit=10"
        body = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers).get_json()
        seen += [m["id"] for m in body["data"]]
        pages += 1
        if pages == 1:
            # A new application mid-way must not shift later pages.
            member(UserFactory(name="迟到者"), world.c1, status=MembershipStatus.PENDING)
            db.session.commit()
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 24
    assert seen == sorted(seen, reverse=True)


def test_list_issues_the_same_queries_whatever_the_page_size(client, world, auth, count_queries):
    for i in range(30):
        member(UserFactory(name=f"申请人{i}"), world.c1, status=MembershipStatus.PENDING)
    db.session.commit()
    headers = auth(world.worker)
    counts = []
    for limit in (2, 30):
        url = f"/api/v1/communities/{world.c1.id}/memberships?limit={limit}"
        with count_queries() as statements:
            assert len(client.get(url, headers=headers).get_json()["data"]) == limit
        counts.append(len(statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("status=approved", 422, "status"),
        ("role=king", 422, "role"),
        ("limit=0", 422, "limit"),
        ("limit=101", 422, "limit"),
        ("limit=x", 422, "limit"),
        ("cursor=%%%", 400, None),
    ],
)
def test_bad_list_arguments(client, world, auth, query, status, field):
    response = client.get(
        f"/api/v1/communities/{world.c1.id}/memberships?{query}", headers=auth(world.worker)
    )
    assert response.status_code == status
    error = _error(response)
    if field:
        assert error["code"] == "validation_error"
        assert field in error["fields"]
    else:
        assert error["code"] == "invalid_cursor"


# --- deciding --------------------------------------------------------------------------------------------


def test_approval_activates_and_is_audited_in_the_units_grid(client, world, auth):
    membership_id = _membership_of(world.pending, world.c1).id
    response = client.post(f"/api/v1/memberships/{membership_id}/approve", headers=auth(world.grid_worker))
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "active"
    assert body["decided_at"] is not None
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_id == membership_id))
    assert (entry.action, entry.object_type, entry.actor_id) == (
        "membership.approve",
        "membership",
        world.grid_worker.id,
    )
    assert entry.region_id == world.g1.id
    assert "pending" in entry.summary
    me = client.get("/api/v1/me", headers=auth(world.pending)).get_json()
    assert [m["status"] for m in me["memberships"]] == ["active"]


def test_rejection_keeps_the_reason(client, world, auth):
    membership_id = _membership_of(world.pending, world.c1).id
    response = client.post(
        f"/api/v1/memberships/{membership_id}/reject",
        json={"reason": "  房号不符  "},
        headers=auth(world.worker),
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "rejected"
    assert response.get_json()["reject_reason"] == "房号不符"
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_id == membership_id))
    assert entry.action == "membership.reject"
    assert "房号不符" in entry.summary


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_only_a_pending_application_can_be_decided(client, world, auth, first, second):
    membership_id = _membership_of(world.pending, world.c1).id
    headers = auth(world.worker)
    assert client.post(f"/api/v1/memberships/{membership_id}/{first}", headers=headers).status_code == 200
    response = client.post(f"/api/v1/memberships/{membership_id}/{second}", headers=headers)
    assert response.status_code == 409
    assert _error(response)["code"] == "not_pending"


def test_active_members_cannot_be_approved_again(client, world, auth):
    membership_id = _membership_of(world.resident, world.c1).id
    response = client.post(f"/api/v1/memberships/{membership_id}/approve", headers=auth(world.worker))
    assert response.status_code == 409
    assert _error(response)["code"] == "not_pending"


def test_staff_cannot_approve_their_own_application(client, world, auth):
    own = member(world.worker, world.c1, Role.RESIDENT, unit=world.u1, status=MembershipStatus.PENDING)
    own_id = own.id
    db.session.commit()
    response = client.post(f"/api/v1/memberships/{own_id}/approve", headers=auth(world.worker))
    assert response.status_code == 403
    assert _error(response)["code"] == "own_membership"


def test_deciding_an_unknown_membership_is_404(client, world, auth):
    response = client.post("/api/v1/memberships/999999/approve", headers=auth(world.admin))
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"reason": "长" * 201}, "reason"), ({"reason": 5}, "reason"), ({"why": "x"}, "why")],
)
def test_bad_rejection_is_422_and_leaves_it_pending(client, world, auth, body, field):
    membership_id = _membership_of(world.pending, world.c1).id
    audits = _count(AuditLog)
    response = client.post(
        f"/api/v1/memberships/{membership_id}/reject", json=body, headers=auth(world.worker)
    )
    assert response.status_code == 422
    assert field in _error(response)["fields"]
    db.session.expire_all()
    assert db.session.get(Membership, membership_id).status == MembershipStatus.PENDING
    assert _count(AuditLog) == audits

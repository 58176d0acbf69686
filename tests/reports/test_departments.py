"""Departments set up by admins: create, edit, staff them; a new member signs for a whistled report."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import Membership
from app.reports.models import Department, DepartmentMember
from tests.factories import UserFactory
from tests.reports.helpers import make_report, transition

pytestmark = pytest.mark.usefixtures("categories")
DEPARTMENTS = "/api/v1/departments"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_admin_sets_up_a_department_whose_new_member_signs_for_a_whistled_report(client, world, auth):
    admin = auth(world.admin)
    created = client.post(
        DEPARTMENTS,
        json={
            "code": "water",
            "name": "水务局",
            "name_en": "Water Authority",
            "region_id": world.district.id,
        },
        headers=admin,
    )
    assert created.status_code == 201
    department = created.get_json()
    assert department | {"id": 0} == {
        "id": 0,
        "code": "water",
        "name": "水务局",
        "name_en": "Water Authority",
        "region_id": world.district.id,
        "active": True,
    }
    assert "water" in [d["code"] for d in client.get(DEPARTMENTS, headers=admin).get_json()]

    officer = UserFactory(name="水务专员")
    db.session.commit()
    added = client.post(
        f"{DEPARTMENTS}/{department['id']}/members", json={"user_id": officer.id}, headers=admin
    )
    assert added.status_code == 201
    assert added.get_json()["user"]["name"] == "水务专员"
    assert "****" in added.get_json()["user"]["phone"]
    again = client.post(
        f"{DEPARTMENTS}/{department['id']}/members", json={"user_id": officer.id}, headers=admin
    )
    assert again.status_code == 200
    # The role that lets them act came with it, once.
    roles = db.session.scalars(sa.select(Membership.role).where(Membership.user_id == officer.id)).all()
    assert roles == [Role.DEPARTMENT_STAFF]

    report = make_report(world.resident)
    db.session.commit()
    whistled = transition(
        client, auth(world.street_staff), report.id, "transfer", department_id=department["id"]
    )
    assert whistled.status_code == 200
    accepted = transition(client, auth(officer), report.id, "accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["assignee"]["id"] == officer.id

    members = client.get(f"{DEPARTMENTS}/{department['id']}/members", headers=admin).get_json()
    assert [m["user"]["id"] for m in members] == [officer.id]
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_type == "department").order_by(AuditLog.id)
    ).all()
    assert actions == ["department.create", "department.add_member"]


def test_rename_deactivate_and_remove_a_member(client, world, auth, departments, dept_staff):
    admin = auth(world.admin)
    urban = departments["urban"]
    renamed = client.patch(f"{DEPARTMENTS}/{urban.id}", json={"name": "城市管理和综合执法局"}, headers=admin)
    assert renamed.status_code == 200
    assert renamed.get_json()["name"] == "城市管理和综合执法局"

    removed = client.delete(f"{DEPARTMENTS}/{urban.id}/members/{dept_staff.id}", headers=admin)
    assert removed.status_code == 204
    assert db.session.get(DepartmentMember, (urban.id, dept_staff.id)) is None
    assert (
        client.delete(f"{DEPARTMENTS}/{urban.id}/members/{dept_staff.id}", headers=admin).status_code == 404
    )

    off = client.patch(f"{DEPARTMENTS}/{urban.id}", json={"active": False}, headers=admin)
    assert off.status_code == 200
    assert "urban" not in [d["code"] for d in client.get(DEPARTMENTS, headers=admin).get_json()]


@pytest.mark.parametrize("who", ["street_staff", "worker", "resident"])
def test_only_admins_manage_departments(client, world, auth, departments, who):
    headers = auth(getattr(world, who))
    urban = departments["urban"]
    body = {"code": "fire", "name": "消防", "name_en": "Fire", "region_id": world.district.id}
    for response in (
        client.post(DEPARTMENTS, json=body, headers=headers),
        client.patch(f"{DEPARTMENTS}/{urban.id}", json={"active": False}, headers=headers),
        client.get(f"{DEPARTMENTS}/{urban.id}/members", headers=headers),
        client.post(
            f"{DEPARTMENTS}/{urban.id}/members", json={"user_id": world.resident.id}, headers=headers
        ),
    ):
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    db.session.expire_all()
    assert db.session.get(Department, urban.id).active is True
    assert _count(DepartmentMember) == 0


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "Bad Code", "name": "x", "name_en": "x"}, 422, "code"),
        ({"code": "parks", "name": "", "name_en": "Parks"}, 422, "name"),
        ({"code": "parks", "name": "园林", "name_en": "Parks", "region": "community"}, 422, "region_id"),
        ({"code": "urban", "name": "城管", "name_en": "Urban"}, 409, None),
    ],
)
def test_bad_departments_are_refused_and_nothing_is_written(
    client, world, auth, departments, body, status, field
):
    region = world.c1 if body.pop("region", None) == "community" else world.district
    before = _count(Department)
    response = client.post(DEPARTMENTS, json={"region_id": region.id, **body}, headers=auth(world.admin))
    assert response.status_code == status
    error = response.get_json()["error"]
    if field:
        assert field in error["fields"]
    else:
        assert error["code"] == "code_taken"
    assert _count(Department) == before
    assert _count(AuditLog) == 0


def test_unknown_department_or_user(client, world, auth, departments):
    admin = auth(world.admin)
    assert client.patch(f"{DEPARTMENTS}/99999", json={"name": "x"}, headers=admin).status_code == 404
    missing_user = client.post(f"{DEPARTMENTS}/{departments['urban'].id}/members", json={"user_id": 99999},
                               headers=admin)  # fmt: skip
    assert missing_user.status_code == 422
    assert "user_id" in missing_user.get_json()["error"]["fields"]

"""The owners' register from the unit CSV: parties per art. 278 (multi-unit, joint, developer), the roll."""

import io

import sqlalchemy as sa

from app.extensions import db
from app.regions.ownership import Owner, OwnerKind, OwnerUser, UnitOwner
from tests.factories import UserFactory
from tests.polls.helpers import create, vote


def _upload(client, community, text: str, headers):
    return client.post(
        f"/api/v1/communities/{community.id}/units/import",
        data={"file": (io.BytesIO(text.encode()), "units.csv")},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_owner_columns_build_the_register_and_an_owners_roll(client, world, auth):
    alice = UserFactory(phone="13911110001")
    bob = UserFactory(phone="13911110002")
    csv = (
        "楼栋,单元,房号,建筑面积,业主,业主类型,业主手机\n"
        "8,1,101,100.00,张三,,13911110001\n"
        "8,1,102,50.50,张三,个人,\n"  # a second unit of the same owner
        "8,1,201,80,李四、王五,共有,13911110002；13999999999\n"  # joint owners; one phone has no account
        "8,1,301,90,,开发商,\n"
        "8,1,302,90,宝安置业,developer,\n"  # every developer row is the one developer party
        "8,1,401,70,,,\n"  # no owner on record: not on an owners' roll
    )

    response = _upload(client, world.c1, csv, auth(world.worker))

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["owners"] == {
        "parties_created": 3,
        "units_owned": 5,
        "users_linked": 2,
        "phones_not_found": ["13999999999"],
    }
    kinds = sorted(db.session.scalars(sa.select(Owner.kind)))
    assert kinds == sorted([OwnerKind.PERSON, OwnerKind.JOINT, OwnerKind.DEVELOPER])
    poll = create(client, auth(world.committee), world.c1, counting="owners", results="live")
    assert poll["roll"]["heads"] == 3
    assert poll["roll"]["area"] == "410.50"
    assert vote(client, auth(alice), poll, "同意").status_code == 201
    result = client.get(f"/api/v1/polls/{poll['id']}/results", headers=auth(bob)).get_json()
    assert result["turnout"]["area"] == "150.50"  # both of 张三's units, one head


def test_reimporting_moves_a_unit_to_its_new_owner_and_keeps_links(client, world, auth):
    UserFactory(phone="13911110001")
    headers = auth(world.worker)
    _upload(
        client,
        world.c1,
        "building,unit,room,floor_area,owner,owner_phones\n8,1,101,100,张三,13911110001\n",
        headers,
    )
    again = _upload(
        client,
        world.c1,
        "building,unit,room,floor_area,owner,owner_phones\n8,1,101,100,赵六,\n8,1,102,60,张三,13911110001\n",
        headers,
    )

    assert again.get_json()["owners"]["users_linked"] == 0
    owners = dict(db.session.execute(sa.select(UnitOwner.unit_id, Owner.name).join(Owner)).all())
    assert sorted(owners.values()) == ["张三", "赵六"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OwnerUser)) == 1


def test_bad_owner_cells_are_reported_and_nothing_is_written(client, world, auth):
    csv = (
        "building,unit,room,floor_area,owner,owner_kind,owner_phones\n"
        "8,1,101,100,张三,landlord,\n"
        "8,1,102,100,张三,,12345\n"
        "8,1,103,100,,,13911110001\n"
    )
    response = _upload(client, world.c1, csv, auth(world.worker))

    assert response.status_code == 422
    rows = response.get_json()["error"]["fields"]["rows"]
    assert set(rows) == {"2", "3", "4"}
    assert "owner_kind" in rows["2"][0]
    assert "12345" in rows["3"][0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Owner)) == 0

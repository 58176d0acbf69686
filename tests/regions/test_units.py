"""The unit register: listed to anyone signed in, imported from CSV by the unit staff of the community."""

import io

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.extensions import db
from app.regions.models import Unit
from tests.factories import UnitFactory

WORLD_USERS = [
    "admin", "street_staff", "street2_staff", "worker", "grid_worker", "committee", "worker2",
    "resident", "resident2", "outsider", "pending", "stranger",
]  # fmt: skip


def _error(response) -> dict:
    return response.get_json()["error"]


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _units(community) -> dict[tuple[str, str, str], Unit]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Unit).where(Unit.community_id == community.id))
    return {(u.building, u.entrance, u.room): u for u in rows}


def _upload(client, community, content: bytes | str, headers, *, as_text: bool = False):
    raw = content.encode() if isinstance(content, str) else content
    url = f"/api/v1/communities/{community.id}/units/import"
    if as_text:
        return client.post(url, data=raw, content_type="text/csv; charset=utf-8", headers=headers)
    return client.post(
        url,
        data={"file": (io.BytesIO(raw), "units.csv")},
        content_type="multipart/form-data",
        headers=headers,
    )


# --- listing ---------------------------------------------------------------------------------------------


def test_resident_lists_units_without_floor_areas(client, world, auth):
    response = client.get(f"/api/v1/communities/{world.c1.id}/units", headers=auth(world.stranger))
    assert response.status_code == 200
    body = response.get_json()
    assert body["next_cursor"] is None
    assert body["data"] == [
        {"id": world.u1.id, "building": "1", "entrance": "1", "room": "101", "label": "1栋1单元101",
         "grid_id": world.g1.id},
        {"id": world.u2.id, "building": "2", "entrance": "1", "room": "202", "label": "2栋1单元202",
         "grid_id": world.g2.id},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "sees_area"),
    [
        ("admin", True), ("street_staff", True), ("worker", True), ("committee", True),
        ("grid_worker", False), ("street2_staff", False), ("worker2", False), ("resident", False),
    ],
)  # fmt: skip
def test_floor_area_only_for_staff_serving_the_community(client, world, auth, who, sees_area):
    response = client.get(f"/api/v1/communities/{world.c1.id}/units", headers=auth(getattr(world, who)))
    assert response.status_code == 200
    first = response.get_json()["data"][0]
    assert ("floor_area" in first) is sees_area
    if sees_area:
        assert first["floor_area"] == "88.50"


def test_listing_units_needs_a_sign_in(client, world):
    response = client.get(f"/api/v1/communities/{world.c1.id}/units")
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


@pytest.mark.parametrize("target", ["street1", "g1", None])
def test_units_of_a_non_community_are_404(client, world, auth, target):
    region_id = getattr(world, target).id if target else 999999
    response = client.get(f"/api/v1/communities/{region_id}/units", headers=auth(world.resident))
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("q", "rooms"),
    [("2栋", ["202"]), ("202", ["202"]), ("1单元 101", ["101"]), ("1", ["101", "202"]), ("%", []), ("_", [])],
)
def test_search_units(client, world, auth, q, rooms):
    response = client.get(
        f"/api/v1/communities/{world.c1.id}/units", query_string={"q": q}, headers=auth(world.resident)
    )
    assert response.status_code == 200
    assert [u["room"] for u in response.get_json()["data"]] == rooms


def test_units_page_in_building_entrance_room_order(client, world, auth):
    for building in ("1", "2", "3"):
        for room in range(1, 9):
            UnitFactory(community_id=world.c1.id, building=building, entrance="2", room=f"{room}01")
    db.session.commit()
    headers = auth(world.resident)
    seen, cursor = [], None
    while True:
        query = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        body = client.get(
            f"/api/v1/communities/{world.c1.id}/units", query_string=query, headers=headers
        ).get_json()
        seen += [(u["building"], u["entrance"], u["room"], u["id"]) for u in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 26
    assert seen == sorted(seen)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [({"limit": 0}, 422, "limit"), ({"q": "x" * 61}, 422, "q"), ({"cursor": "bm9wZQ"}, 400, None)],
)
def test_bad_unit_list_arguments(client, world, auth, query, status, field):
    response = client.get(
        f"/api/v1/communities/{world.c1.id}/units", query_string=query, headers=auth(world.resident)
    )
    assert response.status_code == status
    if field:
        assert field in _error(response)["fields"]
    else:
        assert _error(response)["code"] == "invalid_cursor"


# --- importing -------------------------------------------------------------------------------------------


def test_import_creates_and_updates_units_and_audits_once(client, world, auth):
    csv = (
        "building,unit,room,floor_area,grid\n"
        "1,1,101,90.25,\n"  # existing u1: new area, grid kept (empty cell)
        "2,1,202,88.50,\n"  # existing u2: unchanged
        "5,,501,120,海裕第一网格\n"
        f"5,,502,60.5,{world.g2.id}\n"
    )
    response = _upload(client, world.c1, csv, auth(world.worker))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 2, "updated": 1, "unchanged": 1, "total": 4}
    units = _units(world.c1)
    assert len(units) == 4
    assert str(units[("1", "1", "101")].floor_area) == "90.25"
    assert units[("1", "1", "101")].grid_id == world.g1.id
    assert units[("5", "", "501")].grid_id == world.g1.id
    assert units[("5", "", "502")].grid_id == world.g2.id
    assert units[("5", "", "501")].label == "5栋501"
    [entry] = db.session.scalars(sa.select(AuditLog)).all()
    assert (entry.action, entry.object_type, entry.object_id) == ("unit.import", "region", world.c1.id)
    assert entry.region_id == world.c1.id
    assert entry.actor_id == world.worker.id


def test_import_reads_bom_chinese_headers_and_a_text_csv_body(client, world, auth):
    csv = (
        "\ufeff楼栋,单元,房号,建筑面积（㎡）,网格\r\n7栋,2单元,701,99.9,海裕第二网格\r\n\r\n7,2,702,100,\r\n"
    )
    response = _upload(client, world.c1, csv, auth(world.street_staff), as_text=True)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 2
    units = _units(world.c1)
    assert units[("7", "2", "701")].label == "7栋2单元701"
    assert units[("7", "2", "701")].grid_id == world.g2.id
    assert units[("7", "2", "702")].grid_id is None


def test_import_accepts_columns_in_any_order_and_quoted_cells(client, world, auth):
    csv = 'room,floor_area,building,unit\n"8,01",50,8,\n'
    response = _upload(client, world.c1, csv, auth(world.worker))
    assert response.status_code == 200
    assert ("8", "", "8,01") in _units(world.c1)


def test_bad_rows_are_reported_by_line_and_nothing_is_written(client, world, auth):
    csv = (
        "building,unit,room,floor_area,grid\n"  # line 1
        "9,1,901,80,\n"  # 2: fine
        ",1,902,80,\n"  # 3: no building
        "\n"  # 4: blank, skipped but counted
        "9,1,903,-5,\n"  # 5
        "9,1,904,12.345,\n"  # 6
        "9,1,905,abc,\n"  # 7
        "9,1,906,100000.01,\n"  # 8
        "9,1,901,81,\n"  # 9: same unit as line 2
        "9,1,907,80,灵芝第一网格\n"  # 10: a grid of another community
        "9,1,908,80,,extra\n"  # 11
        "9,1,9\x0009,80,\n"  # 12: a NUL byte, which PostgreSQL would refuse
        "1,1,101,70,\n"  # 13: an update that must not happen
    )
    units_before, audits_before = _count(Unit), _count(AuditLog)
    response = _upload(client, world.c1, csv, auth(world.worker))
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "validation_error"
    rows = error["fields"]["rows"]
    assert sorted(rows, key=int) == ["3", "5", "6", "7", "8", "9", "10", "11", "12"]
    assert rows["3"] == ["building is required."]
    assert "above 0" in rows["5"][0]
    assert "more than 2 decimals" in rows["6"][0]
    assert "not a number" in rows["7"][0]
    assert "at most 100000" in rows["8"][0]
    assert "line 2" in rows["9"][0]
    assert "灵芝第一网格" in rows["10"][0]
    assert "found 6" in rows["11"][0]
    assert "control characters" in rows["12"][0]
    assert _count(Unit) == units_before
    assert _count(AuditLog) == audits_before
    assert str(_units(world.c1)[("1", "1", "101")].floor_area) == "88.50"


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"", "file"),
        (b"\xef\xbb\xbf\n\n", "file"),
        (b"building,unit,room,floor_area\n", "file"),
        (b"building,room,floor_area\n1,101,80\n", "header"),
        (b"building,unit,room,floor_area,colour\n1,1,101,80,x\n", "header"),
        (b"building,unit,room,room,floor_area\n1,1,101,101,80\n", "header"),
        ("楼栋,单元,房号,建筑面积\n1,1,101,80\n".encode("gbk"), "file"),
    ],
)
def test_unusable_files_are_422(client, world, auth, content, field):
    before = _count(Unit)
    response = _upload(client, world.c1, content, auth(world.worker))
    assert response.status_code == 422
    assert _error(response)["code"] == "validation_error"
    assert field in _error(response)["fields"]
    assert _count(Unit) == before


def test_missing_file_field_is_422(client, world, auth):
    response = client.post(
        f"/api/v1/communities/{world.c1.id}/units/import",
        data={"other": (io.BytesIO(b"x"), "units.csv")},
        content_type="multipart/form-data",
        headers=auth(world.worker),
    )
    assert response.status_code == 422
    assert "file" in _error(response)["fields"]


def test_json_is_not_a_csv_upload(client, world, auth):
    response = client.post(
        f"/api/v1/communities/{world.c1.id}/units/import", json={"rows": []}, headers=auth(world.worker)
    )
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


@pytest.mark.parametrize("as_text", [False, True])
def test_files_over_two_megabytes_are_413(client, world, auth, as_text):
    row = "1,1,101,80\n"
    content = "building,unit,room,floor_area\n" + row * (2 * 1024 * 1024 // len(row) + 1)
    response = _upload(client, world.c1, content, auth(world.worker), as_text=as_text)
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"
    assert _count(AuditLog) == 0


def test_more_than_twenty_thousand_rows_is_413(client, world, auth):
    content = "building,unit,room,floor_area\n" + "".join(f"1,,{i},1\n" for i in range(20_001))
    response = _upload(client, world.c1, content, auth(world.worker))
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"
    assert _count(Unit) == 3


IMPORT = {
    "admin": (200, None),
    "street_staff": (200, None),
    "street2_staff": (404, "not_found"),
    "worker": (200, None),
    "grid_worker": (403, "forbidden"),
    "committee": (403, "forbidden"),
    "worker2": (404, "not_found"),
    "resident": (404, "not_found"),
    "resident2": (404, "not_found"),
    "outsider": (404, "not_found"),
    "pending": (404, "not_found"),
    "stranger": (404, "not_found"),
}


@pytest.mark.parametrize("who", WORLD_USERS)
def test_who_may_import_units(client, world, auth, who):
    expected_status, expected_code = IMPORT[who]
    response = _upload(
        client, world.c1, "building,unit,room,floor_area\n6,1,601,70\n", auth(getattr(world, who))
    )
    assert response.status_code == expected_status
    if expected_code:
        assert _error(response)["code"] == expected_code
        assert ("6", "1", "601") not in _units(world.c1)
    else:
        assert ("6", "1", "601") in _units(world.c1)


def test_outsiders_get_404_before_the_file_is_even_read(client, world, auth):
    response = client.post(
        f"/api/v1/communities/{world.c1.id}/units/import", json={}, headers=auth(world.worker2)
    )
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_street_staff_import_into_each_community_of_their_street(client, world, auth):
    headers = auth(world.street_staff)
    for community in (world.c1, world.c2):
        response = _upload(client, community, "building,unit,room,floor_area\n6,1,601,70\n", headers)
        assert response.status_code == 200
    assert (
        _upload(client, world.c3, "building,unit,room,floor_area\n6,1,601,70\n", headers).status_code == 404
    )


def test_importing_into_a_non_community_is_404(client, world, auth):
    response = _upload(client, world.g1, "building,unit,room,floor_area\n6,1,601,70\n", auth(world.admin))
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_import_of_twenty_thousand_rows_succeeds(client, world, auth):
    content = "楼栋,单元,房号,建筑面积\n" + "".join(
        f"{i // 400 + 1},{i // 100 % 4 + 1},{i},88.5\n" for i in range(20_000)
    )
    response = _upload(client, world.c1, content, auth(world.worker))
    assert response.status_code == 200
    assert response.get_json()["created"] == 20_000
    assert _count(Unit, Unit.community_id == world.c1.id) == 20_002


def test_search_ignores_letter_case(client, world, auth):
    UnitFactory(community_id=world.c1.id, building="A", entrance="", room="B-12")
    db.session.commit()
    response = client.get(
        f"/api/v1/communities/{world.c1.id}/units",
        query_string={"q": "a栋 b-1"},
        headers=auth(world.resident),
    )
    assert [u["label"] for u in response.get_json()["data"]] == ["A栋B-12"]

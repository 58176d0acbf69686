"""The public region tree, one region's subtree, and locating a point in a grid."""

import pytest

from app.extensions import db
from app.regions.models import Level
from app.regions.service import create_region
from tests.factories import square


def _find(nodes, name):
    for node in nodes:
        if node["name"] == name:
            return node
        found = _find(node["children"], name)
        if found:
            return found
    return None


def test_tree_nests_district_streets_communities_grids(client, world):
    response = client.get("/api/v1/regions")
    assert response.status_code == 200
    tree = response.get_json()
    assert [(n["name"], n["level"]) for n in tree] == [("宝安区", "district")]
    district = tree[0]
    assert [s["name"] for s in district["children"]] == ["新安街道", "西乡街道"]
    street1 = district["children"][0]
    assert [c["name"] for c in street1["children"]] == ["海裕社区", "灵芝社区"]
    c1 = street1["children"][0]
    assert [(g["name"], g["level"]) for g in c1["children"]] == [
        ("海裕第一网格", "grid"),
        ("海裕第二网格", "grid"),
    ]
    grid = c1["children"][0]
    assert grid["boundary"]["type"] == "Polygon"
    assert grid["children"] == []
    assert grid["parent_id"] == world.c1.id
    assert "boundary" not in c1
    assert "boundary" not in district


def test_tree_is_built_from_one_query(client, world, count_queries):
    # Enough regions that a query per node would show: 3 more communities of 5 grids each.
    for i in range(3):
        community = create_region(name=f"新社区{i}", level=Level.COMMUNITY, parent=world.street2)
        for j in range(5):
            create_region(
                name=f"网格{i}-{j}", level=Level.GRID, parent=community, boundary=square(110 + i, 20 + j)
            )
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get("/api/v1/regions")
    assert response.status_code == 200
    assert len(statements) == 1, statements
    assert len(_find(response.get_json(), "西乡街道")["children"]) == 4


def test_siblings_keep_creation_order_past_ten(client, world):
    # Paths sort as text ("/1/10/" before "/1/9/"); the tree must still list siblings by id.
    names = [f"社区{i:02d}" for i in range(12)]
    for name in names:
        create_region(name=name, level=Level.COMMUNITY, parent=world.street2)
    db.session.commit()
    street2 = _find(client.get("/api/v1/regions").get_json(), "西乡街道")
    assert [c["name"] for c in street2["children"]] == ["固戍社区", *names]


def test_region_detail_returns_the_node_with_its_subtree(client, world, count_queries):
    url = f"/api/v1/regions/{world.c1.id}"
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert len(statements) == 1
    body = response.get_json()
    assert (body["id"], body["name"], body["level"]) == (world.c1.id, "海裕社区", "community")
    assert [g["id"] for g in body["children"]] == [world.g1.id, world.g2.id]
    assert all(g["boundary"]["type"] == "Polygon" for g in body["children"])


def test_region_detail_of_a_grid_has_no_children(client, world):
    body = client.get(f"/api/v1/regions/{world.g4.id}").get_json()
    assert body["level"] == "grid"
    assert body["children"] == []


def test_unknown_region_is_404(client, world):
    response = client.get("/api/v1/regions/999999")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_tree_of_an_empty_database_is_an_empty_list(client):
    response = client.get("/api/v1/regions")
    assert response.status_code == 200
    assert response.get_json() == []


# --- locate ----------------------------------------------------------------------------------------------


def test_locate_inside_a_grid_names_the_whole_chain(client, world):
    # g2 is the square from (113.89, 22.55) to (113.90, 22.56).
    response = client.get("/api/v1/regions/locate?lat=22.555&lng=113.895")
    assert response.status_code == 200
    body = response.get_json()
    assert body["grid"] == {"id": world.g2.id, "name": "海裕第二网格", "level": "grid"}
    assert body["community"] == {"id": world.c1.id, "name": "海裕社区", "level": "community"}
    assert body["street"] == {"id": world.street1.id, "name": "新安街道", "level": "street"}
    assert body["district"] == {"id": world.district.id, "name": "宝安区", "level": "district"}


def test_locate_checks_the_polygon_not_only_its_bounding_box(client, world):
    # A triangle whose bounding box covers the point but whose area does not.
    triangle = {"type": "Polygon", "coordinates": [[[100, 10], [101, 10], [100, 11], [100, 10]]]}
    create_region(name="三角网格", level=Level.GRID, parent=world.c3, boundary=triangle)
    db.session.commit()
    inside = client.get("/api/v1/regions/locate?lat=10.2&lng=100.2")
    assert inside.status_code == 200
    assert inside.get_json()["grid"]["name"] == "三角网格"
    outside = client.get("/api/v1/regions/locate?lat=10.9&lng=100.9")
    assert outside.status_code == 404
    assert outside.get_json()["error"]["code"] == "not_found"


def test_locate_outside_every_grid_is_404(client, world):
    response = client.get("/api/v1/regions/locate?lat=39.9&lng=116.4")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lat=91&lng=113.9", "lat"),
        ("lat=-90.5&lng=113.9", "lat"),
        ("lat=22.5&lng=180.1", "lng"),
        ("lat=22.5&lng=-181", "lng"),
        ("lat=abc&lng=113.9", "lat"),
        ("lat=nan&lng=113.9", "lat"),
        ("lng=113.9", "lat"),
        ("lat=22.5", "lng"),
    ],
)
def test_locate_rejects_bad_coordinates(client, world, query, field):
    response = client.get(f"/api/v1/regions/locate?{query}")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]


def test_tree_answers_304_when_unchanged_and_200_after_a_change(client, world):
    first = client.get("/api/v1/regions")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/regions", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    create_region(name="新网格", level=Level.GRID, parent=world.c3, boundary=square(114, 22))
    db.session.commit()
    changed = client.get("/api/v1/regions", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag

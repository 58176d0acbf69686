"""Who sees which figures: a community worker never sees another community's, street staff their street,
admins the district, residents only the public page."""

import pytest

ENDPOINTS = ["/api/v1/dashboard/summary", "/api/v1/dashboard/heatmap", "/api/v1/dashboard/overdue"]


def where(world, name):
    return getattr(world, name)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("user", "region", "status"),
    [
        ("worker", "c1", 200),
        ("worker", "g1", 200),
        ("worker", "c2", 404),
        ("worker", "street1", 404),
        ("worker2", "c1", 404),
        ("grid_worker", "g1", 200),
        ("grid_worker", "g2", 404),
        ("street_staff", "street1", 200),
        ("street_staff", "c2", 200),
        ("street_staff", "c3", 404),
        ("street_staff", "district", 404),
        ("street2_staff", "c1", 404),
        ("admin", "district", 200),
        ("admin", "c3", 200),
        ("resident", "c1", 404),
        ("outsider", "c2", 404),
    ],
)
def test_scope_matrix(client, world, auth, categories, path, user, region, status):
    response = client.get(
        path, query_string={"region_id": where(world, region).id}, headers=auth(where(world, user))
    )

    assert response.status_code == status, response.get_json()
    if status == 404:
        assert response.get_json()["error"]["code"] == "not_found"


def test_unknown_region_is_404(client, world, auth, categories):
    response = client.get(
        "/api/v1/dashboard/summary", query_string={"region_id": 999999}, headers=auth(world.admin)
    )

    assert response.status_code == 404


def test_resident_without_region_gets_404_by_default(client, world, auth, categories):
    response = client.get("/api/v1/dashboard/summary", headers=auth(world.resident))

    assert response.status_code == 404


def test_dashboard_needs_a_token(client, world, categories):
    response = client.get("/api/v1/dashboard/summary")

    assert response.status_code == 401


def test_default_region_is_the_widest_served(client, world, auth, categories):
    staff = client.get("/api/v1/dashboard/summary", headers=auth(world.street_staff)).get_json()
    admin = client.get("/api/v1/dashboard/summary", headers=auth(world.admin)).get_json()

    assert staff["region"]["id"] == world.street1.id
    assert admin["region"]["id"] == world.district.id


def test_worker_figures_never_include_another_community(client, world, auth, scenario):
    body = client.get(
        "/api/v1/dashboard/summary",
        query_string={"from": "2026-10-01", "to": "2026-10-31"},
        headers=auth(world.worker2),
    ).get_json()

    # c2 has R10 only; c1's five October reports stay out.
    assert body["region"]["id"] == world.c2.id
    assert body["counts"]["submitted"] == 1

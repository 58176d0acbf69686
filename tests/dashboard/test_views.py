"""Rankings, heat map, overdue list and the residents' public page on the October scenario."""

from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.extensions import db
from app.reports import service
from app.reports.workflow import Action, move_report
from tests.reports.helpers import IN_G1

RANKINGS = "/api/v1/dashboard/rankings"


def test_communities_ranked_within_street_by_composite(client, world, auth, scenario):
    response = client.get(
        RANKINGS, query_string={"level": "community", "period": "2026-10"}, headers=auth(world.street_staff)
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["parent"]["id"] == world.street1.id
    assert body["weights"] == [30.0, 35.0, 35.0]
    assert [(row["rank"], row["region"]["id"]) for row in body["data"]] == [
        (1, world.c2.id),
        (2, world.c1.id),
    ]
    first, second = body["data"]
    assert first["score"] == 100.0
    assert second["score"] == pytest.approx(66.25, abs=0.05)
    # Raw counts beside the score.
    assert second["rates"]["response"]["numerator"] == 3
    assert second["counts"]["redone"] == 2


def test_streets_ranked_within_district_units_without_rates_last(client, world, auth, scenario):
    body = client.get(
        RANKINGS, query_string={"level": "street", "period": "2026-10"}, headers=auth(world.admin)
    ).get_json()

    assert [row["region"]["id"] for row in body["data"]] == [world.street1.id, world.street2.id]
    assert body["data"][1]["score"] is None
    assert body["data"][0]["counts"]["submitted"] == 6


def test_weights_come_from_config(app, client, world, auth, scenario, monkeypatch):
    # Satisfaction alone: c1 scores 50, c2 100.
    monkeypatch.setitem(app.config, "DASHBOARD_WEIGHTS", (0.0, 0.0, 1.0))

    body = client.get(
        RANKINGS, query_string={"level": "community", "period": "2026-10"}, headers=auth(world.street_staff)
    ).get_json()

    assert [row["score"] for row in body["data"]] == [100.0, 50.0]


@pytest.mark.parametrize(
    ("user", "query", "status"),
    [
        ("worker", {"level": "community"}, 404),  # their community's street is not theirs to see
        ("worker", {"level": "community", "region_id": "street1"}, 404),
        ("street_staff", {"level": "street"}, 404),  # streets rank within the district only
        ("street_staff", {"level": "street", "region_id": "street1"}, 422),
        ("street_staff", {"level": "street", "region_id": "district"}, 404),
        ("street2_staff", {"level": "community", "region_id": "street1"}, 404),
        ("admin", {"level": "community", "region_id": "street2"}, 200),
        ("admin", {"level": "grid"}, 422),
        ("admin", {"level": "street", "period": "2026-13"}, 422),
    ],
)
def test_ranking_scope_and_input(client, world, auth, categories, user, query, status):
    if "region_id" in query:
        query = {**query, "region_id": getattr(world, query["region_id"]).id}
    response = client.get(RANKINGS, query_string=query, headers=auth(getattr(world, user)))

    assert response.status_code == status, response.get_json()


def test_heatmap_counts_reports_per_grid(client, world, auth, scenario):
    body = client.get(
        "/api/v1/dashboard/heatmap",
        query_string={"region_id": world.street1.id, "from": "2026-10-01", "to": "2026-10-31"},
        headers=auth(world.street_staff),
    ).get_json()

    counts = {cell["id"]: cell["count"] for cell in body["grids"]}
    assert counts == {world.g1.id: 5, world.g2.id: 0, world.g3.id: 1}
    assert body["max"] == 5
    assert body["grids"][0]["boundary"]["type"] == "Polygon"


def test_overdue_oldest_deadline_first_and_paged(client, world, auth, scenario, count_queries):
    r = scenario.reports
    headers = auth(world.worker)

    first = client.get("/api/v1/dashboard/overdue", query_string={"limit": 2}, headers=headers).get_json()
    with count_queries() as statements:
        second = client.get(
            "/api/v1/dashboard/overdue",
            query_string={"limit": 2, "cursor": first["next_cursor"]},
            headers=headers,
        ).get_json()
    with count_queries() as single:
        client.get("/api/v1/dashboard/overdue", query_string={"limit": 1}, headers=headers)

    ids = [row["id"] for row in first["data"] + second["data"]]
    # R7 (contact due 21 Sep), R9 (resolve due 21 Oct), R5, R6 (signing due 31 Oct); R8 is only yellow.
    assert ids == [r[7].id, r[9].id, r[5].id, r[6].id]
    assert second["next_cursor"] is None
    assert first["data"][0]["due_kind"] == "contact"
    assert first["data"][1]["supervised"] is True
    assert first["data"][0]["overdue_s"] > 60 * 86400
    assert len(statements) == len(single)


def test_public_community_page_this_month(client, world, categories, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", tmp_path)
    now = utcnow()
    report, _ = service.create_report(
        by=world.resident, category="noise.living", description="楼上很吵", now=now - timedelta(minutes=30),
        **IN_G1,
    )  # fmt: skip
    db.session.commit()
    for action in (Action.ACCEPT, Action.CONTACT, Action.RESOLVE):
        move_report(report, action, by=world.grid_worker, note="已处理", now=now - timedelta(minutes=20))
    db.session.commit()
    service.rate_report(report.id, by=world.resident, resolved=True, satisfaction=5)
    db.session.commit()

    response = client.get(f"/api/v1/public/communities/{world.c1.id}/stats")

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"community", "period", "rates", "fixed", "submitted"}
    assert body["fixed"] == 1
    assert body["submitted"] == 1
    assert body["rates"]["satisfaction"] == {"rate": 1.0, "numerator": 1, "denominator": 1}
    assert body["community"]["name"] == "海裕社区"


def test_public_page_is_only_for_communities(client, world, categories):
    assert client.get(f"/api/v1/public/communities/{world.street1.id}/stats").status_code == 404
    assert client.get("/api/v1/public/communities/999999/stats").status_code == 404

"""Lists: scopes per role, filters, keyset paging with a fixed query count; nearby reports; the public map."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.reports.models import Report, WarningLevel
from app.reports.workflow import Action
from tests.reports.helpers import IN_G1, IN_G2, IN_G3, NOWHERE, REPORTS, advance, make_report

pytestmark = pytest.mark.usefixtures("categories")


@pytest.fixture
def spread(world):
    """One report in each of g1, g2 (community c1), g3 (c2), and one outside every grid filed under c3."""
    return {
        "g1": make_report(world.resident, **IN_G1).id,
        "g2": make_report(world.resident2, **IN_G2).id,
        "g3": make_report(world.outsider, **IN_G3).id,
        "c3": make_report(world.stranger, **NOWHERE, community_id=world.c3.id).id,
    }


def ids(client, headers, **params) -> set[int]:
    response = client.get(REPORTS, query_string={"limit": 100, **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return {r["id"] for r in response.get_json()["data"]}


SCOPES = {
    # user: {scope: the spread keys they see, or 403}
    "admin": {
        "grid": {"g1", "g2", "g3"},
        "community": {"g1", "g2", "g3", "c3"},
        "street": {"g1", "g2", "g3", "c3"},
    },
    "street_staff": {
        "grid": {"g1", "g2", "g3"},
        "community": {"g1", "g2", "g3"},
        "street": {"g1", "g2", "g3"},
    },
    "street2_staff": {"grid": set(), "community": {"c3"}, "street": {"c3"}},
    "worker": {"grid": {"g1", "g2"}, "community": {"g1", "g2"}, "street": 403},
    "worker2": {"grid": {"g3"}, "community": {"g3"}, "street": 403},
    "grid_worker": {"grid": {"g1"}, "community": 403, "street": 403},
    "committee": {"grid": 403, "community": 403, "street": 403},
    "resident": {"grid": 403, "community": 403, "street": 403},
    "stranger": {"grid": 403, "community": 403, "street": 403},
}


@pytest.mark.parametrize("scope", ["grid", "community", "street"])
@pytest.mark.parametrize("who", list(SCOPES))
def test_region_scopes_per_role(client, world, auth, spread, who, scope):
    expected = SCOPES[who][scope]
    response = client.get(REPORTS, query_string={"scope": scope}, headers=auth(getattr(world, who)))

    if expected == 403:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "scope_not_allowed"
    else:
        assert response.status_code == 200
        assert {r["id"] for r in response.get_json()["data"]} == {spread[k] for k in expected}


@pytest.mark.parametrize(("who", "key"), [("resident", "g1"), ("resident2", "g2"), ("outsider", "g3")])
def test_mine_is_what_i_reported_and_is_the_default(client, world, auth, spread, who, key):
    headers = auth(getattr(world, who))

    assert ids(client, headers, scope="mine") == ids(client, headers) == {spread[key]}


def test_filters(client, world, auth, spread):
    headers = auth(world.admin)
    noise = make_report(world.resident, category="noise.living")
    advance(db.session.get(Report, spread["g1"]), world.grid_worker, Action.ACCEPT)
    db.session.execute(sa.update(Report).where(Report.id == spread["g2"]).values(warning=WarningLevel.RED))
    db.session.commit()

    assert ids(client, headers, scope="community", status="accepted") == {spread["g1"]}
    assert ids(client, headers, scope="community", status="accepted,submitted") == {
        *spread.values(),
        noise.id,
    }
    assert ids(client, headers, scope="community", category="noise.living") == {noise.id}
    assert ids(client, headers, scope="community", category="noise") == {noise.id}  # a subject: its leaves
    assert ids(client, headers, scope="community", warning="red") == {spread["g2"]}


def test_deadline_sort_lists_open_reports_due_soonest_first(client, world, auth):
    now = utcnow()
    late = make_report(world.resident, now=now - timedelta(hours=1))  # general: dispatch due in 1 h
    urgent = make_report(world.resident, category="lift.trapped", now=now)  # due in 30 min
    done = advance(make_report(world.resident, category="noise.living"), world.worker, Action.REJECT)

    response = client.get(REPORTS, query_string={"scope": "community", "sort": "deadline"},
                          headers=auth(world.worker))  # fmt: skip

    assert [r["id"] for r in response.get_json()["data"]] == [urgent.id, late.id]
    assert done.id not in [r["id"] for r in response.get_json()["data"]]


def test_pages_follow_each_other_newest_first(client, world, auth):
    start = utcnow() - timedelta(days=1)
    made = [make_report(world.resident, now=start + timedelta(minutes=i // 2)).id for i in range(25)]
    headers = auth(world.worker)

    seen, cursor = [], None
    while True:
        params = {"scope": "community", "limit": 10, **({"cursor": cursor} if cursor else {})}
        page = client.get(REPORTS, query_string=params, headers=headers).get_json()
        seen += [r["id"] for r in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(made, reverse=True)


def test_a_list_costs_the_same_queries_for_5_or_50_rows(client, world, auth, departments, count_queries):
    for i in range(50):
        report = make_report(world.resident if i % 2 else world.resident2)
        if i % 3 == 0:
            advance(report, world.worker, Action.ASSIGN, assignee_id=world.grid_worker.id)
    headers = auth(world.worker)

    def selects(limit: int) -> int:
        with count_queries() as statements:
            response = client.get(
                REPORTS, query_string={"scope": "community", "limit": limit}, headers=headers
            )
            assert response.status_code == 200
        return len([s for s in statements if "reports" in s])

    assert selects(5) == selects(50) == 1


@pytest.mark.parametrize(
    "params",
    [{"scope": "planet"}, {"status": "bogus"}, {"warning": "purple"}, {"limit": 0}, {"limit": 101},
     {"sort": "random"}, {"category": "nope"}],
)  # fmt: skip
def test_bad_list_arguments_are_422(client, world, auth, params):
    response = client.get(REPORTS, query_string=params, headers=auth(world.admin))

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_a_tampered_cursor_is_400(client, world, auth):
    response = client.get(REPORTS, query_string={"cursor": "bm90LWEtY3Vyc29y"}, headers=auth(world.resident))

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_lists_need_a_sign_in(client):
    assert client.get(REPORTS).status_code == 401


# --- nearby ("me too" instead of a duplicate) ---------------------------------------------------------------

METRE = 1 / 111_320  # degrees of latitude


def test_nearby_lists_open_reports_of_the_category_within_250_m(client, world, auth):
    base = IN_G1
    close = make_report(world.resident2, lat=base["lat"] + 40 * METRE, lng=base["lng"])
    edge = make_report(world.resident2, lat=base["lat"] + 240 * METRE, lng=base["lng"])
    make_report(world.resident2, lat=base["lat"] + 300 * METRE, lng=base["lng"])  # too far
    make_report(world.resident2, category="noise.living", **base)  # another category
    advance(make_report(world.resident2, **base), world.worker, Action.REJECT)  # closed
    make_report(world.resident2, category="neighbour.dispute", **base)  # private, someone else's

    response = client.get(f"{REPORTS}/nearby", query_string={**base, "category": "env.garbage"},
                          headers=auth(world.resident))  # fmt: skip

    assert response.status_code == 200
    found = response.get_json()["data"]
    assert [r["id"] for r in found] == [close.id, edge.id]
    assert 35 <= found[0]["distance_m"] <= 45
    assert set(found[0]) == {"id", "category", "status", "description", "distance_m", "created_at",
                             "me_too_count", "mine"}  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [{"lat": 22.5}, {"lat": 22.5, "lng": 113.8}, {"lat": 100, "lng": 113.8, "category": "env.garbage"},
     {"lat": 22.5, "lng": 113.8, "category": "env"}],
)  # fmt: skip
def test_bad_nearby_arguments_are_422(client, world, auth, params):
    response = client.get(f"{REPORTS}/nearby", query_string=params, headers=auth(world.resident))

    assert response.status_code == 422


# --- the public map -----------------------------------------------------------------------------------------

BOX = "113.87,22.54,113.91,22.58"


def test_public_map_shows_dots_without_personal_data_and_needs_no_sign_in(client, world):
    shown = make_report(world.resident, description="我家楼下 3栋 张三 13800000000", address="3栋")
    make_report(world.resident, category="neighbour.dispute")
    make_report(world.resident, category="build.illegal")  # 举报: never public
    advance(make_report(world.resident), world.worker, Action.REJECT)
    make_report(world.outsider, **NOWHERE, community_id=world.c3.id)  # outside the box

    response = client.get(f"{REPORTS}/public", query_string={"bbox": BOX})

    assert response.status_code == 200
    points = response.get_json()["data"]
    assert [p["id"] for p in points] == [shown.id]
    assert set(points[0]) == {"id", "category", "status", "lat", "lng", "created_at", "me_too_count"}
    text = response.get_data(as_text=True)
    for secret in ("张三", "13800000000", "3栋", world.resident.name, world.resident.phone):
        assert secret not in text


@pytest.mark.parametrize(
    "bbox",
    ["", "1,2,3", "a,b,c,d", "113.91,22.54,113.87,22.58", "113,22,114,23", "113.87,22.54,113.91,222"],
)
def test_bad_boxes_are_422(client, bbox):
    response = client.get(f"{REPORTS}/public", query_string={"bbox": bbox})

    assert response.status_code == 422
    assert "bbox" in response.get_json()["error"]["fields"]


def test_public_detail_hides_the_name_when_asked(client, world, auth):
    shy = make_report(world.resident, anonymous=True)
    open_ = make_report(world.resident)
    headers = auth(world.resident2)

    hidden = client.get(f"{REPORTS}/{shy.id}", headers=headers).get_json()
    named = client.get(f"{REPORTS}/{open_.id}", headers=headers).get_json()

    assert hidden["view"] == named["view"] == "public"
    assert hidden["reporter_name"] is None
    assert named["reporter_name"] == world.resident.name
    assert "reporter" not in named
    assert "photos" not in named
    assert world.resident.phone not in str(named)

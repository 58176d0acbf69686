"""Submitting reports: routing by grid polygon, the resident's chosen community, idempotency, bad input."""

import threading

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.core.errors import NotFoundError
from app.extensions import db
from app.regions import service as regions
from app.regions.locator import locate_grid
from app.reports.models import Report, ReportEvent
from app.uploads.models import Upload
from tests.conftest import BACKEND
from tests.factories import UserFactory, auth_header
from tests.reports.helpers import IN_G1, IN_G2, NOWHERE, REPORTS, actions_of, body, count
from tests.uploads.images import upload

pytestmark = pytest.mark.usefixtures("categories")


def test_resident_reports_a_problem_and_it_reaches_the_grid(client, world, auth):
    headers = auth(world.resident)
    photo = upload(client, headers)

    response = client.post(REPORTS, json=body(photo_ids=[photo], address="1栋楼下"), headers=headers)

    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert report["status"] == "submitted"
    assert report["grid"]["id"] == world.g1.id
    assert report["community"]["id"] == world.c1.id
    assert (report["region"]["id"], report["level"]) == (world.g1.id, "grid")
    assert report["type"] == "complaint"  # the category's default type
    assert report["category"]["code"] == "env.garbage"
    assert [p["id"] for p in report["photos"]] == [photo]
    assert report["warning"] == "none"
    assert report["due_kind"] == "dispatch"
    assert set(report["deadlines"]) >= {"dispatch", "contact", "resolve"}
    assert actions_of(report) == ["submit", "route"]
    assert report["timeline"][1]["data"]["by"] == "polygon"
    assert db.session.get(Upload, photo).report_id == report["id"]
    audit = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_id == report["id"])).all()
    assert audit == ["report.submit", "report.route"]


def test_deadlines_follow_the_category(client, world, auth):
    report = client.post(REPORTS, json=body(category="lift.trapped"), headers=auth(world.resident)).get_json()

    created = Report.__table__.c.created_at
    row = db.session.execute(sa.select(created, Report.dispatch_due, Report.resolve_due)).one()
    assert (row.dispatch_due - row.created_at).total_seconds() == 30 * 60
    assert (row.resolve_due - row.created_at).total_seconds() == 2 * 3600
    assert report["type"] == "help"


def test_type_can_be_chosen(client, world, auth):
    response = client.post(REPORTS, json=body(type="suggestion"), headers=auth(world.resident))

    assert response.get_json()["type"] == "suggestion"


def test_a_point_on_the_border_of_two_grids_goes_to_the_lower_id(client, world, auth):
    headers = auth(world.resident)
    edge = {"lat": 22.555, "lng": 113.89}  # the edge shared by g1 (west) and g2 (east)
    corner = {"lat": 22.56, "lng": 113.89}  # g1, g2 and g3 meet here

    for point in (edge, corner):
        report = client.post(REPORTS, json=body(**point), headers=headers).get_json()
        assert report["grid"]["id"] == world.g1.id
        assert regions.locate(point["lat"], point["lng"])["grid"].id == world.g1.id


BORDERS = [
    {"lat": 22.555, "lng": 113.89},  # g1 | g2
    {"lat": 22.56, "lng": 113.89},  # g1, g2, g3 meet
    {"lat": 22.55, "lng": 113.88},  # g1's outer corner
    {"lat": 22.56, "lng": 113.885},  # g1 | g3
]


@pytest.mark.parametrize("point", [IN_G1, IN_G2, *BORDERS, {"lat": 22.605, "lng": 113.855}, NOWHERE])
def test_routing_index_agrees_with_regions_locate(world, point):
    try:
        grid = regions.locate(point["lat"], point["lng"])["grid"]
        expected = (grid.id, grid.parent_id)
    except NotFoundError:
        expected = None

    assert locate_grid(point["lat"], point["lng"]) == expected


def test_routing_index_sees_a_new_grid(client, world, auth):
    assert locate_grid(**NOWHERE) is None
    from tests.factories import square

    grid = regions.create_region(
        name="新网格", level=world.g1.level, parent=world.c3, boundary=square(114.195, 22.695)
    )
    db.session.commit()

    assert locate_grid(**NOWHERE) == (grid.id, world.c3.id)


def test_outside_every_grid_it_goes_to_the_community_the_resident_chose(client, world, auth):
    response = client.post(
        REPORTS, json=body(**NOWHERE, community_id=world.c2.id), headers=auth(world.resident)
    )

    assert response.status_code == 201
    report = response.get_json()
    assert report["grid"] is None
    assert report["community"]["id"] == world.c2.id
    assert (report["region"]["id"], report["level"]) == (world.c2.id, "community")
    assert report["timeline"][1]["data"]["by"] == "chosen"


def test_inside_a_grid_the_polygon_wins_over_the_chosen_community(client, world, auth):
    report = client.post(
        REPORTS, json=body(community_id=world.c3.id), headers=auth(world.resident)
    ).get_json()

    assert report["community"]["id"] == world.c1.id


def test_outside_every_grid_without_a_community_is_refused_clearly(client, world, auth):
    response = client.post(REPORTS, json=body(**NOWHERE), headers=auth(world.resident))

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "outside_service_area"
    assert "outside every grid" in error["message"]
    assert "community_id" in error["fields"]
    assert count() == 0


def test_same_idempotency_key_returns_the_same_report(client, world, auth):
    headers = {**auth(world.resident), "Idempotency-Key": "r-1"}

    first = client.post(REPORTS, json=body(), headers=headers)
    again = client.post(REPORTS, json=body(description="a retry"), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count() == 1
    assert count(ReportEvent) == 2


def test_client_id_works_like_the_header(client, world, auth):
    headers = auth(world.resident)

    first = client.post(REPORTS, json=body(client_id="offline-42"), headers=headers).get_json()
    again = client.post(REPORTS, json=body(client_id="offline-42"), headers=headers).get_json()

    assert first["id"] == again["id"]
    assert count() == 1


def test_idempotency_keys_are_per_reporter(client, world, auth):
    a = client.post(REPORTS, json=body(), headers={**auth(world.resident), "Idempotency-Key": "k"}).get_json()
    b = client.post(
        REPORTS, json=body(), headers={**auth(world.resident2), "Idempotency-Key": "k"}
    ).get_json()

    assert a["id"] != b["id"]
    assert count() == 2


@pytest.mark.skipif(BACKEND != "postgresql", reason="concurrent retries are checked on PostgreSQL")
def test_concurrent_retries_create_one_report(app, world):
    headers = {**auth_header(world.resident), "Idempotency-Key": "flaky-network"}
    barrier = threading.Barrier(8)
    results = []

    def retry():
        with app.test_client() as client:
            barrier.wait()
            response = client.post(REPORTS, json=body(), headers=headers)
            results.append((response.status_code, response.get_json()["id"]))

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {status for status, _ in results} == {201}
    assert len({report_id for _, report_id in results}) == 1
    assert count() == 1
    assert count(ReportEvent) == 2


def test_reporting_needs_a_sign_in(client, world):
    response = client.post(REPORTS, json=body())

    assert response.status_code == 401
    assert count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": None}, "category"),
        ({"category": "nope"}, "category"),
        ({"category": "env"}, "category"),  # a subject, not a leaf
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"lat": 91}, "lat"),
        ({"lng": "east"}, "lng"),
        ({"lat": None}, "lat"),
        ({"type": "rumour"}, "type"),
        ({"anonymous": "perhaps"}, "anonymous"),
        ({"photo_ids": [1, 2, 3, 4, 5, 6, 7]}, "photo_ids"),
        ({"photo_ids": [999999]}, "photo_ids"),
        ({"photo_ids": "1"}, "photo_ids"),
        ({"address": "x" * 201}, "address"),
        ({"client_id": "has space"}, "client_id"),
        ({"colour": "red"}, "colour"),
        ({**NOWHERE, "community_id": 999999}, "community_id"),
    ],
)
def test_bad_reports_are_422_and_write_nothing(client, world, auth, changes, field):
    data = body(**changes)
    for key in [k for k, v in changes.items() if v is None]:
        data.pop(key)

    response = client.post(REPORTS, json=data, headers=auth(world.resident))

    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert count() == 0
    assert count(ReportEvent) == 0


def test_the_chosen_community_must_be_a_community(client, world, auth):
    response = client.post(
        REPORTS, json=body(**NOWHERE, community_id=world.g1.id), headers=auth(world.resident)
    )

    assert response.status_code == 422
    assert "community_id" in response.get_json()["error"]["fields"]


def test_someone_elses_photo_cannot_be_attached(client, world, auth):
    theirs = upload(client, auth(world.resident2))

    response = client.post(REPORTS, json=body(photo_ids=[theirs]), headers=auth(world.resident))

    assert response.status_code == 422
    assert "photo_ids" in response.get_json()["error"]["fields"]
    assert db.session.get(Upload, theirs).report_id is None


def test_a_photo_is_attached_to_one_report_only(client, world, auth):
    headers = auth(world.resident)
    photo = upload(client, headers)
    assert client.post(REPORTS, json=body(photo_ids=[photo]), headers=headers).status_code == 201

    response = client.post(REPORTS, json=body(photo_ids=[photo]), headers=headers)

    assert response.status_code == 422
    assert count() == 1


def test_inactive_category_is_refused(client, world, auth):
    client.patch("/api/v1/report-categories/env.garbage", json={"active": False}, headers=auth(world.admin))

    response = client.post(REPORTS, json=body(), headers=auth(world.resident))

    assert response.status_code == 422
    assert "category" in response.get_json()["error"]["fields"]


def test_private_subjects_and_whistleblowing_stay_off_the_public_map(client, world, auth):
    headers = auth(world.resident)
    dispute = client.post(REPORTS, json=body(category="neighbour.dispute"), headers=headers).get_json()
    tip = client.post(REPORTS, json=body(category="build.illegal"), headers=headers).get_json()
    garbage = client.post(REPORTS, json=body(), headers=headers).get_json()

    public = {r.id: r.public for r in db.session.scalars(sa.select(Report))}
    assert public == {dispute["id"]: False, tip["id"]: False, garbage["id"]: True}


def test_anyone_may_report_even_without_a_membership(client, world, auth):
    stranger = UserFactory()
    db.session.commit()

    assert client.post(REPORTS, json=body(), headers=auth(stranger)).status_code == 201


@pytest.mark.parametrize(
    ("who", "status"),
    [("resident", 200), ("grid_worker", 200), ("worker", 200), ("street_staff", 200), ("admin", 200),
     ("street2_staff", 404), ("worker2", 404), ("committee", 404), ("resident2", 404), ("stranger", 404)],
)  # fmt: skip
def test_report_photos_are_served_to_its_reporter_and_staff_only(client, world, auth, who, status):
    photo = upload(client, auth(world.resident))
    client.post(REPORTS, json=body(photo_ids=[photo]), headers=auth(world.resident))

    response = client.get(f"/api/v1/uploads/{photo}/thumb", headers=auth(getattr(world, who)))

    assert response.status_code == status

"""GET /reports/<id>/assignees: exactly the people the `assign` move accepts, for those who may assign."""

import pytest

from app.reports.workflow import Action
from tests.reports.helpers import REPORTS, advance, make_report, transition

pytestmark = pytest.mark.usefixtures("categories", "departments")


def names(response) -> list[tuple[str, str]]:
    return [(row["name"], row["role"]) for row in response.get_json()]


def test_a_community_worker_gets_the_handlers_of_the_report_grid_first(world, client, auth):
    report = make_report(world.resident)
    response = client.get(f"{REPORTS}/{report.id}/assignees", headers=auth(world.worker))
    assert response.status_code == 200
    # Not worker2 (another community), street2_staff (another street) or the committee (not a handler).
    assert names(response) == [
        ("grid_worker", "grid_worker"),
        ("worker", "community_worker"),
        ("street_staff", "street_staff"),
        ("admin", "admin"),
    ]
    assert response.get_json()[0]["region"]["id"] == world.g1.id


def test_everyone_listed_is_accepted_by_the_assign_move(world, client, auth):
    report = make_report(world.resident)
    listed = client.get(f"{REPORTS}/{report.id}/assignees", headers=auth(world.worker)).get_json()
    for person in listed:
        moved = transition(client, auth(world.worker), report.id, "assign", assignee_id=person["id"])
        assert moved.status_code == 200, (person, moved.get_json())
        assert moved.get_json()["assignee"]["id"] == person["id"]


def test_a_department_holding_the_report_gets_its_own_staff(world, client, auth, dept_staff, departments):
    report = make_report(world.resident)
    advance(report, world.street_staff, Action.TRANSFER, department_id=departments["urban"].id)
    response = client.get(f"{REPORTS}/{report.id}/assignees", headers=auth(dept_staff))
    assert response.status_code == 200
    assert names(response) == [("dept_staff", "department_staff")]


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("grid_worker", 403, "forbidden"), ("resident", 403, "forbidden"), ("worker2", 404, "not_found")],
)
def test_who_may_not_assign_gets_no_list(world, client, auth, who, status, code):
    # Not a public category: someone from another community may not even see it.
    report = make_report(world.resident, category="neighbour.seepage")
    response = client.get(f"{REPORTS}/{report.id}/assignees", headers=auth(getattr(world, who)))
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code

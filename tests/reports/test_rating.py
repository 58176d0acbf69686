"""The resident's side: rating a resolution (redo, supervision), and "me too"."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report, ReportEvent, ReportRating, ReportSupport
from app.reports.workflow import Action
from tests.reports.helpers import REPORTS, actions_of, advance, count, make_report

pytestmark = pytest.mark.usefixtures("categories")
A = Action


@pytest.fixture
def resolved(world):
    """A report of the resident's, resolved by the grid worker (no proof photo needed for noise)."""
    return advance(
        make_report(world.resident, category="noise.living"), world.grid_worker, A.ACCEPT, A.RESOLVE
    )


def rate(client, headers, report_id, **fields):
    return client.post(f"{REPORTS}/{report_id}/rating", json=fields, headers=headers)


@pytest.mark.parametrize("satisfaction", [3, 4, 5])
def test_resolved_and_satisfied_closes_the_report(client, world, auth, resolved, satisfaction):
    response = rate(client, auth(world.resident), resolved.id, resolved=True, satisfaction=satisfaction)

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "closed"
    assert actions_of(body)[-2:] == ["rate", "close"]
    assert body["ratings"][0]["satisfaction"] == satisfaction
    assert body["can_rate"] is False


@pytest.mark.parametrize(("was_resolved", "satisfaction"), [(False, 5), (True, 2), (True, 1), (False, 1)])
def test_not_resolved_or_unsatisfied_sends_it_back_for_redo(
    client, world, auth, resolved, was_resolved, satisfaction
):
    verdict = {"resolved": was_resolved, "satisfaction": satisfaction, "comment": "还是很吵"}
    response = rate(client, auth(world.resident), resolved.id, **verdict)

    body = response.get_json()
    assert body["status"] == "in_progress"
    assert body["redo_count"] == 1
    assert body["supervised"] is False
    assert actions_of(body)[-2:] == ["rate", "redo"]
    assert body["due_kind"] == "resolve"
    assert body["timeline"][-2]["note"] == "还是很吵"


def test_a_second_failure_puts_it_under_supervision(client, world, auth, resolved):
    headers = auth(world.resident)
    rate(client, headers, resolved.id, resolved=False, satisfaction=1)
    advance(db.session.get(Report, resolved.id), world.grid_worker, A.RESOLVE)

    second = rate(client, headers, resolved.id, resolved=True, satisfaction=2)

    body = second.get_json()
    assert body["supervised"] is True
    assert body["redo_count"] == 2
    assert actions_of(body)[-3:] == ["rate", "redo", "supervise"]
    assert [r["round"] for r in body["ratings"]] == [1, 2]


def test_one_rating_per_resolution(client, world, auth, resolved):
    headers = auth(world.resident)
    assert rate(client, headers, resolved.id, resolved=True, satisfaction=4).status_code == 201
    advance(db.session.get(Report, resolved.id), world.worker, A.REOPEN)
    db.session.expire_all()
    # Reopened, it is not resolved: the rating given stands and no second one is taken.
    again = rate(client, headers, resolved.id, resolved=True, satisfaction=1)

    assert again.status_code == 409
    assert count(ReportRating) == 1


def test_rating_twice_in_a_race_counts_once(client, world, auth, resolved):
    # The second request sees the report still resolved only if both read before either wrote; simulate
    # the loser by inserting the winner's rating behind the service's back.
    db.session.add(ReportRating(report_id=resolved.id, round=1, user_id=world.resident.id, resolved=True,
                                satisfaction=5))  # fmt: skip
    db.session.commit()

    response = rate(client, auth(world.resident), resolved.id, resolved=True, satisfaction=1)

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "already_rated"
    assert db.session.get(Report, resolved.id).status == "resolved"


def test_only_a_resolved_report_is_rated(client, world, auth):
    report = make_report(world.resident)

    response = rate(client, auth(world.resident), report.id, resolved=True, satisfaction=5)

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_resolved"


@pytest.mark.parametrize("who", ["grid_worker", "worker", "admin", "resident2", "stranger"])
def test_only_the_reporter_rates(client, world, auth, resolved, who):
    response = rate(client, auth(getattr(world, who)), resolved.id, resolved=True, satisfaction=5)

    assert response.status_code == 403
    assert count(ReportRating) == 0


def test_rating_a_private_report_of_someone_else_is_404(client, world, auth):
    report = advance(
        make_report(world.resident, category="neighbour.dispute"), world.worker, A.ACCEPT, A.RESOLVE
    )

    response = rate(client, auth(world.resident2), report.id, resolved=True, satisfaction=5)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "payload",
    [{}, {"resolved": True}, {"satisfaction": 3}, {"resolved": True, "satisfaction": 0},
     {"resolved": True, "satisfaction": 6}, {"resolved": "yes please", "satisfaction": 3},
     {"resolved": True, "satisfaction": 3, "comment": "x" * 501}],
)  # fmt: skip
def test_bad_ratings_are_422(client, world, auth, resolved, payload):
    response = client.post(f"{REPORTS}/{resolved.id}/rating", json=payload, headers=auth(world.resident))

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert count(ReportRating) == 0
    assert db.session.get(Report, resolved.id).status == "resolved"


# --- me too -------------------------------------------------------------------------------------------------


def test_me_too_counts_once_per_person(client, world, auth):
    report = make_report(world.resident)
    neighbour = auth(world.resident2)

    first = client.post(f"{REPORTS}/{report.id}/me-too", headers=neighbour)
    again = client.post(f"{REPORTS}/{report.id}/me-too", headers=neighbour)
    other = client.post(f"{REPORTS}/{report.id}/me-too", headers=auth(world.outsider))

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.get_json() == {"report_id": report.id, "me_too": True, "me_too_count": 1}
    assert other.get_json()["me_too_count"] == 2
    assert count(ReportSupport) == 2
    assert client.get(f"{REPORTS}/{report.id}", headers=neighbour).get_json()["me_too"] is True


def test_no_me_too_on_your_own_report(client, world, auth):
    report = make_report(world.resident)

    response = client.post(f"{REPORTS}/{report.id}/me-too", headers=auth(world.resident))

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "own_report"
    assert count(ReportSupport) == 0


def test_no_me_too_on_a_closed_report(client, world, auth, resolved):
    advance(resolved, world.worker, A.CLOSE)

    response = client.post(f"{REPORTS}/{resolved.id}/me-too", headers=auth(world.resident2))

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_open"


def test_no_me_too_on_what_you_cannot_see(client, world, auth):
    report = make_report(world.resident, category="neighbour.dispute")

    response = client.post(f"{REPORTS}/{report.id}/me-too", headers=auth(world.resident2))

    assert response.status_code == 404
    assert count(ReportSupport) == 0


def test_me_too_is_not_a_workflow_move(client, world, auth):
    report = make_report(world.resident)
    client.post(f"{REPORTS}/{report.id}/me-too", headers=auth(world.resident2))

    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportEvent)) == 2

"""The workflow: every move by every kind of user, state rules (409), notes and proof photos, departments."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.extensions import db
from app.reports.models import Report, ReportEvent
from app.reports.workflow import MOVES, Action
from tests.reports.helpers import (
    IN_G3,
    REPORTS,
    actions_of,
    advance,
    count,
    make_report,
    transition,
)
from tests.uploads.images import upload

pytestmark = pytest.mark.usefixtures("categories", "departments")

USERS = [
    "admin", "street_staff", "street2_staff", "worker", "grid_worker", "committee", "worker2",
    "resident", "resident2", "outsider", "pending", "stranger", "dept_staff",
]  # fmt: skip
HANDLERS = {"admin", "street_staff", "worker", "grid_worker"}
DISPATCHERS = {"admin", "street_staff", "worker"}
A = Action
# action -> (moves made first by the admin, body, who may, status after)
CASES = {
    A.ACCEPT: ([], {}, HANDLERS, "accepted"),
    A.CONTACT: ([A.ACCEPT], {"note": "电话联系了居民"}, HANDLERS, "accepted"),
    A.START: ([A.ACCEPT], {}, HANDLERS, "in_progress"),
    A.ASSIGN: ([], {"assignee_id": "grid_worker"}, DISPATCHERS, "submitted"),
    A.TRANSFER: ([], {"department_id": "urban"}, DISPATCHERS, "submitted"),
    A.EXTEND: ([A.ACCEPT], {"note": "需要协调物业"}, DISPATCHERS, "accepted"),
    A.RESOLVE: ([A.ACCEPT], {"note": "已经处理"}, HANDLERS, "resolved"),
    A.REJECT: ([], {"note": "重复上报"}, HANDLERS, "rejected"),
    A.REOPEN: ([A.ACCEPT, A.RESOLVE], {"note": "居民说没修好"}, DISPATCHERS, "submitted"),
    A.CLOSE: ([A.ACCEPT, A.RESOLVE], {"note": "已核实"}, DISPATCHERS, "closed"),
}


@pytest.fixture
def actor(request, world, dept_staff):
    return dept_staff if request.param == "dept_staff" else getattr(world, request.param)


def _body(world, departments, fields: dict) -> dict:
    resolved = dict(fields)
    if "assignee_id" in resolved:
        resolved["assignee_id"] = getattr(world, resolved["assignee_id"]).id
    if "department_id" in resolved:
        resolved["department_id"] = departments[resolved["department_id"]].id
    return resolved


def _state(report_id: int) -> tuple:
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(Report.__table__).where(Report.id == report_id)).one()
    return row, count(ReportEvent), count(AuditLog)


@pytest.mark.parametrize("actor", USERS, indirect=True)
@pytest.mark.parametrize("action", list(CASES))
def test_permission_matrix(client, world, departments, auth, actor, action):
    before_moves, fields, allowed, status_after = CASES[action]
    # A subject that needs no proof photo, so the matrix is about roles only.
    report = advance(make_report(world.resident, category="noise.living"), world.admin, *before_moves)
    headers = auth(actor)
    before = _state(report.id)

    response = transition(client, headers, report.id, action.value, **_body(world, departments, fields))

    name = next(n for n in USERS if actor.name == n or getattr(world, n, None) is actor)
    if name in allowed:
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == status_after
        assert actions_of(response.get_json())[-1] == action.value
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == "forbidden"
        assert _state(report.id) == before


@pytest.mark.parametrize("actor", USERS, indirect=True)
def test_a_private_report_is_404_to_those_who_may_not_see_it(client, world, auth, actor):
    report = make_report(world.resident, category="neighbour.dispute")
    headers = auth(actor)

    seen = client.get(f"{REPORTS}/{report.id}", headers=headers)
    moved = transition(client, headers, report.id, "accept")

    if actor in (world.admin, world.street_staff, world.worker, world.grid_worker):
        assert seen.status_code == 200
        assert seen.get_json()["view"] == "staff"
        assert moved.status_code == 200
    elif actor is world.resident:
        assert seen.get_json()["view"] == "reporter"
        assert moved.status_code == 403
    else:
        assert seen.status_code == moved.status_code == 404
        assert moved.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("action", list(CASES))
def test_every_action_refused_in_a_state_it_does_not_leave_from(client, world, departments, auth, action):
    # Closed is a state no action but reopen leaves from; reopen is refused from submitted.
    moves = [A.ACCEPT, A.RESOLVE, A.CLOSE] if action != A.REOPEN else []
    report = advance(make_report(world.resident, category="noise.living"), world.admin, *moves)
    before = _state(report.id)

    response = transition(
        client, auth(world.admin), report.id, action.value, **_body(world, departments, CASES[action][1])
    )

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_transition"
    assert _state(report.id) == before


def test_the_moves_table_is_the_workflow():
    assert set(MOVES) == set(Action)
    assert all(move.sources for move in MOVES.values())


def test_full_journey_with_proof_photo_and_a_satisfied_resident(client, world, auth):
    resident, worker = auth(world.resident), auth(world.grid_worker)
    fields = {"category": "env.garbage", "description": "垃圾没人清", "lat": 22.555, "lng": 113.885}
    report = client.post(REPORTS, json=fields, headers=resident).get_json()
    rid = report["id"]

    assert transition(client, worker, rid, "accept").get_json()["assignee"]["id"] == world.grid_worker.id
    assert transition(client, worker, rid, "contact", note="已电话联系").status_code == 200
    assert transition(client, worker, rid, "start").get_json()["status"] == "in_progress"
    photo = upload(client, worker)
    done = transition(client, worker, rid, "resolve", note="已清运", photo_ids=[photo])
    assert done.status_code == 200
    assert done.get_json()["resolution_note"] == "已清运"
    assert done.get_json()["timeline"][-1]["photos"][0]["id"] == photo
    mine = client.get(f"{REPORTS}/{rid}", headers=resident).get_json()
    assert mine["can_rate"] is True
    assert mine["deadlines"]["dispatch"]["state"] == "met"

    rated = client.post(
        f"{REPORTS}/{rid}/rating", json={"resolved": True, "satisfaction": 5}, headers=resident
    )

    assert rated.status_code == 201
    final = rated.get_json()
    assert final["status"] == "closed"
    assert actions_of(final) == ["submit", "route", "accept", "contact", "start", "resolve", "rate", "close"]
    audited = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_id == rid).order_by(AuditLog.id)
    )
    assert [a.removeprefix("report.") for a in audited] == actions_of(final)
    # The resident sees the proof photo through its signed link.
    assert client.get(final["timeline"][5]["photos"][0]["thumb_url"]).status_code == 200


def test_resolving_a_fix_needs_a_note_and_a_proof_photo(client, world, auth):
    report = advance(make_report(world.resident), world.grid_worker, A.ACCEPT)
    headers = auth(world.grid_worker)
    before = _state(report.id)

    no_note = transition(client, headers, report.id, "resolve", photo_ids=[upload(client, headers)])
    no_photo = transition(client, headers, report.id, "resolve", note="修好了")

    assert no_note.status_code == no_photo.status_code == 422
    assert "note" in no_note.get_json()["error"]["fields"]
    assert "photo_ids" in no_photo.get_json()["error"]["fields"]
    assert _state(report.id) == before


def test_answering_a_question_needs_no_photo(client, world, auth):
    report = advance(make_report(world.resident, category="other.question"), world.worker, A.ACCEPT)

    response = transition(client, auth(world.worker), report.id, "resolve", note="已电话答复政策")

    assert response.status_code == 200


@pytest.mark.parametrize("action", ["reject", "reopen", "close", "extend"])
def test_these_moves_need_a_reason(client, world, auth, action):
    moves = {
        "reject": [],
        "reopen": [A.ACCEPT, A.RESOLVE],
        "close": [A.ACCEPT, A.RESOLVE],
        "extend": [A.ACCEPT],
    }
    report = advance(make_report(world.resident, category="noise.living"), world.admin, *moves[action])
    before = _state(report.id)

    response = transition(client, auth(world.admin), report.id, action, note="  ")

    assert response.status_code == 422
    assert "note" in response.get_json()["error"]["fields"]
    assert _state(report.id) == before


def test_one_extension_only(client, world, auth):
    report = advance(make_report(world.resident), world.grid_worker, A.ACCEPT)
    headers = auth(world.worker)
    due = report.resolve_due

    first = transition(client, headers, report.id, "extend", note="等配件", extend_minutes=3 * 24 * 60)
    second = transition(client, headers, report.id, "extend", note="还要等")

    assert first.status_code == 200
    assert first.get_json()["deadlines"]["extended"] is True
    db.session.expire_all()
    assert (db.session.get(Report, report.id).resolve_due - due).total_seconds() == 3 * 24 * 3600
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "extension_used"


def test_whistle_a_department_which_must_sign_for_it(client, world, departments, dept_staff, auth):
    report = make_report(world.resident)
    street, officer, grid = auth(world.street_staff), auth(dept_staff), auth(world.grid_worker)

    whistled = transition(client, street, report.id, "transfer", department_id=departments["urban"].id,
                          note="占道经营，请城管到场")  # fmt: skip
    assert whistled.status_code == 200
    assert whistled.get_json()["department"]["code"] == "urban"
    assert whistled.get_json()["status"] == "submitted"
    # The grid still sees it, but only the department signs for it now.
    refused = transition(client, grid, report.id, "accept")
    assert refused.status_code == 403
    assert (
        client.get(f"{REPORTS}", query_string={"scope": "assigned"}, headers=officer).get_json()["data"][0][
            "id"
        ]
        == report.id
    )

    accepted = transition(client, officer, report.id, "accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["assignee"]["id"] == dept_staff.id
    photo = upload(client, officer)
    assert (
        transition(client, officer, report.id, "resolve", note="已劝离", photo_ids=[photo]).status_code == 200
    )


def test_a_department_returns_a_report_it_does_not_own(client, world, departments, dept_staff, auth):
    report = advance(
        make_report(world.resident), world.worker, A.TRANSFER, department_id=departments["urban"].id
    )

    response = transition(client, auth(dept_staff), report.id, "reject", note="不属于城管职责")

    assert response.status_code == 200
    # The officer no longer holds it, so sees only its public face.
    assert response.get_json()["view"] == "public"
    assert response.get_json()["status"] == "submitted"
    body = client.get(f"{REPORTS}/{report.id}", headers=auth(world.worker)).get_json()
    assert (body["status"], body["department"]) == ("submitted", None)
    assert body["timeline"][-1]["action"] == "reject"
    assert body["timeline"][-1]["data"]["returned_by"]["id"] == departments["urban"].id


def test_transfer_to_another_community_moves_it_out_of_sight(client, world, auth):
    report = make_report(world.resident)

    response = transition(client, auth(world.worker), report.id, "transfer", region_id=world.g3.id,
                          note="位置在灵芝社区")  # fmt: skip

    assert response.status_code == 200
    db.session.expire_all()
    moved = db.session.get(Report, report.id)
    assert (moved.grid_id, moved.community_id, moved.region_id) == (world.g3.id, world.c2.id, world.g3.id)
    assert client.get(f"{REPORTS}/{report.id}", headers=auth(world.worker2)).get_json()["view"] == "staff"
    assert (
        client.get(f"{REPORTS}/{report.id}", headers=auth(world.grid_worker)).get_json()["view"] == "public"
    )


def test_hand_a_report_up_to_the_street(client, world, auth):
    report = make_report(world.resident)

    response = transition(client, auth(world.worker), report.id, "transfer", region_id=world.street1.id)

    assert response.status_code == 200
    assert response.get_json()["level"] == "street"
    assert response.get_json()["community"]["id"] == world.c1.id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "region_id"),
        ({"region_id": 1, "department_id": 1}, "region_id"),
        ({"region_id": 999999}, "region_id"),
        ({"department_id": 999999}, "department_id"),
        ({"region_id": "street2"}, "region_id"),  # not above the report, not a grid or community
        ({"region_id": "g1"}, "region_id"),  # already there
    ],
)
def test_bad_transfers_are_422(client, world, auth, fields, field):
    report = make_report(world.resident)
    resolved = {k: (getattr(world, v).id if isinstance(v, str) else v) for k, v in fields.items()}
    before = _state(report.id)

    response = transition(client, auth(world.admin), report.id, "transfer", **resolved)

    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert _state(report.id) == before


@pytest.mark.parametrize("who", ["resident", "committee", "stranger", "worker2"])
def test_only_handlers_can_be_assigned(client, world, auth, who):
    report = make_report(world.resident)
    before = _state(report.id)

    response = transition(client, auth(world.worker), report.id, "assign", assignee_id=getattr(world, who).id)

    assert response.status_code == 422
    assert "assignee_id" in response.get_json()["error"]["fields"]
    assert _state(report.id) == before


def test_assignee_sees_it_in_their_queue(client, world, auth):
    report = make_report(world.resident)
    transition(client, auth(world.worker), report.id, "assign", assignee_id=world.grid_worker.id)

    queue = client.get(
        REPORTS, query_string={"scope": "assigned"}, headers=auth(world.grid_worker)
    ).get_json()

    assert [r["id"] for r in queue["data"]] == [report.id]


@pytest.mark.parametrize(
    "payload",
    [{}, {"action": "fly"}, {"action": "accept", "note": "x" * 2001},
     {"action": "extend", "extend_minutes": 0}, {"action": "resolve", "photo_ids": "one"},
     {"action": "accept", "colour": "red"}],
)  # fmt: skip
def test_bad_transition_bodies_are_422(client, world, auth, payload):
    report = make_report(world.resident)
    before = _state(report.id)

    response = client.post(f"{REPORTS}/{report.id}/transitions", json=payload, headers=auth(world.admin))

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert _state(report.id) == before


def test_unknown_report_is_404(client, world, auth):
    response = transition(client, auth(world.admin), 999999, "accept")

    assert response.status_code == 404


def test_grid_worker_logs_a_fix_made_on_the_spot(client, world, auth):
    headers = auth(world.grid_worker)
    before, after = upload(client, headers), upload(client, headers)

    response = client.post(
        REPORTS,
        json={"category": "env.garbage", "description": "巡查发现垃圾", "lat": 22.555, "lng": 113.885,
              "photo_ids": [before], "resolved_on_spot": {"note": "已当场清理", "photo_ids": [after]}},
        headers=headers,
    )  # fmt: skip

    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert report["status"] == "closed"
    assert report["channel"] == "patrol"
    assert actions_of(report) == ["submit", "route", "accept", "resolve", "close"]
    assert report["timeline"][3]["photos"][0]["id"] == after


def test_only_staff_of_the_place_log_fixes_on_the_spot(client, world, auth):
    headers = auth(world.grid_worker)
    response = client.post(
        REPORTS,
        json={"category": "env.garbage", "description": "别处的垃圾", **IN_G3,
              "resolved_on_spot": {"note": "清理了", "photo_ids": [upload(client, headers)]}},
        headers=headers,
    )  # fmt: skip

    assert response.status_code == 403
    assert count() == 0


def test_on_the_spot_fix_needs_its_proof_photo(client, world, auth):
    response = client.post(
        REPORTS,
        json={"category": "env.garbage", "description": "垃圾", "lat": 22.555, "lng": 113.885,
              "resolved_on_spot": {"note": "清理了"}},
        headers=auth(world.grid_worker),
    )  # fmt: skip

    assert response.status_code == 422
    assert "resolved_on_spot" in response.get_json()["error"]["fields"]
    assert count() == 0

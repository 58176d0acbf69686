"""Who is told what: pushes are queued in the same transaction as the move, never to the mover."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.outbox.models import OutboxEvent
from app.reports.workflow import Action
from tests.reports.helpers import REPORTS, advance, body, make_report, transition

pytestmark = pytest.mark.usefixtures("categories")


def pushes() -> list[dict]:
    db.session.expire_all()
    events = db.session.scalars(
        sa.select(OutboxEvent).where(OutboxEvent.kind == "push.fanout").order_by(OutboxEvent.id)
    )
    return [
        {"kind": e.payload["message"]["kind"], "users": set(e.payload["audience"]["users"])} for e in events
    ]


def test_a_new_report_reaches_the_grid_worker(client, world, auth):
    client.post(REPORTS, json=body(), headers=auth(world.resident))

    assert pushes() == [{"kind": "staff_new_report", "users": {world.grid_worker.id}}]


def test_outside_every_grid_the_community_office_is_told(client, world, auth):
    client.post(
        REPORTS, json=body(lat=22.7, lng=114.2, community_id=world.c1.id), headers=auth(world.resident)
    )

    assert pushes() == [{"kind": "staff_new_report", "users": {world.worker.id}}]


def test_the_reporter_hears_of_signing_for_and_resolution(client, world, auth):
    report = make_report(world.resident, category="noise.living")
    db.session.execute(sa.delete(OutboxEvent))
    db.session.commit()
    headers = auth(world.grid_worker)

    transition(client, headers, report.id, "accept")
    transition(client, headers, report.id, "start")
    transition(client, headers, report.id, "resolve", note="已处理")

    assert pushes() == [
        {"kind": "report_update", "users": {world.resident.id}},
        {"kind": "report_update", "users": {world.resident.id}},
    ]


def test_people_who_said_me_too_hear_of_the_resolution(client, world, auth):
    report = advance(make_report(world.resident, category="noise.living"), world.grid_worker, Action.ACCEPT)
    client.post(f"{REPORTS}/{report.id}/me-too", headers=auth(world.resident2))
    db.session.execute(sa.delete(OutboxEvent))
    db.session.commit()

    transition(client, auth(world.grid_worker), report.id, "resolve", note="已处理")

    assert {"kind": "report_update", "users": {world.resident2.id}} in pushes()


def test_an_assignee_is_told_and_a_failed_move_tells_nobody(client, world, auth):
    report = make_report(world.resident)
    db.session.execute(sa.delete(OutboxEvent))
    db.session.commit()
    headers = auth(world.worker)

    transition(client, headers, report.id, "assign", assignee_id=world.grid_worker.id)
    transition(client, headers, report.id, "close", note="x")  # 409: not resolved

    assert pushes() == [{"kind": "staff_new_report", "users": {world.grid_worker.id}}]

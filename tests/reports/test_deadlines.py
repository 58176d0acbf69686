"""Deadlines in the background: yellow at 75 %, red at 100 % and one level up, on a controlled clock."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.core.db import utcnow
from app.extensions import db
from app.outbox.models import OutboxEvent
from app.outbox.worker import Worker
from app.reports.deadlines import check_deadlines
from app.reports.models import Report, ReportEvent
from app.reports.workflow import Action, allowed_actions
from tests.reports.helpers import REPORTS, advance, make_report

pytestmark = pytest.mark.usefixtures("categories")
A = Action
MIN = timedelta(minutes=1)


@pytest.fixture
def t0():
    return utcnow().replace(microsecond=0) - timedelta(days=30)


def timeline(report_id: int) -> list[tuple]:
    db.session.expire_all()
    events = db.session.scalars(
        sa.select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
    )
    return [
        (e.action, (e.data or {}).get("level") or (e.data or {}).get("to", {}).get("level")) for e in events
    ]


def fresh(report_id: int) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report_id)


def test_yellow_at_75_percent_of_signing_for(world, t0):
    report = make_report(world.resident, now=t0)  # general: sign for within 120 min

    assert check_deadlines(t0 + 89 * MIN)["yellow"] == 0
    assert fresh(report.id).warning == "none"
    assert check_deadlines(t0 + 90 * MIN)["yellow"] == 1
    assert fresh(report.id).warning == "yellow"
    assert timeline(report.id)[-1] == ("warn", "yellow")
    # Checking again changes nothing.
    check_deadlines(t0 + 91 * MIN)
    assert [a for a, _ in timeline(report.id)].count("warn") == 1


def test_red_at_100_percent_escalates_to_the_community(world, t0):
    report = make_report(world.resident, now=t0)

    tally = check_deadlines(t0 + 120 * MIN)

    assert tally == {"checked": 1, "yellow": 0, "red": 1, "escalated": 1}
    moved = fresh(report.id)
    assert (moved.warning, moved.region_id) == ("red", world.c1.id)
    assert timeline(report.id)[-2:] == [("warn", "red"), ("escalate", "community")]
    audited = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_id == report.id)).all()
    assert audited[-2:] == ["report.warn", "report.escalate"]
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "report.escalate"))
    assert entry.actor_id is None


def test_each_missed_deadline_climbs_one_level_up_to_the_district(world, t0):
    report = make_report(world.resident, now=t0)
    check_deadlines(t0 + 2 * 60 * MIN)  # signing for missed: community
    advance(fresh(report.id), world.worker, A.ACCEPT, now=t0 + 3 * 60 * MIN)
    assert fresh(report.id).warning == "none"  # a new deadline starts clean

    check_deadlines(t0 + 24 * 60 * MIN)  # first contact missed: street
    advance(fresh(report.id), world.worker, A.CONTACT, now=t0 + 25 * 60 * MIN)
    check_deadlines(t0 + 7 * 24 * 60 * MIN)  # resolution missed: district
    check_deadlines(t0 + 20 * 24 * 60 * MIN)  # nothing above the district

    levels = [level for action, level in timeline(report.id) if action == "escalate"]
    assert levels == ["community", "street", "district"]
    assert fresh(report.id).region_id == world.district.id
    # A grid worker still works on it, and the levels above see it in their scope.
    assert A.RESOLVE in allowed_actions(world.grid_worker, fresh(report.id))


def test_a_late_check_goes_straight_to_red(world, t0):
    report = make_report(world.resident, now=t0)

    check_deadlines(t0 + 5 * 60 * MIN)

    assert [a for a in timeline(report.id) if a[0] == "warn"] == [("warn", "red")]


def test_safety_deadlines_warn_sooner(world, t0):
    report = make_report(world.resident, category="lift.trapped", now=t0)  # sign for within 30 min

    check_deadlines(t0 + 22 * MIN)
    assert fresh(report.id).warning == "none"
    check_deadlines(t0 + 23 * MIN)  # 75 % of 30 min = 22.5 min
    assert fresh(report.id).warning == "yellow"
    check_deadlines(t0 + 30 * MIN)
    assert fresh(report.id).warning == "red"


def test_signing_for_clears_the_warning_and_the_contact_clock_takes_over(world, t0):
    report = make_report(world.resident, now=t0)
    check_deadlines(t0 + 100 * MIN)
    advance(fresh(report.id), world.grid_worker, A.ACCEPT, now=t0 + 110 * MIN)

    after = fresh(report.id)
    assert (after.warning, after.due_kind) == ("none", "contact")
    assert after.due_at == t0 + 24 * 60 * MIN
    assert after.next_check_at == t0 + 18 * 60 * MIN  # 75 % of 24 h
    assert check_deadlines(t0 + 120 * MIN)["checked"] == 0


def test_an_extension_moves_the_resolve_deadline_and_its_yellow_mark(world, t0):
    report = make_report(world.resident, now=t0)
    advance(report, world.grid_worker, A.ACCEPT, A.CONTACT, now=t0 + 10 * MIN)
    advance(fresh(report.id), world.worker, A.EXTEND, now=t0 + 20 * MIN, extend_minutes=7 * 24 * 60)

    extended = fresh(report.id)
    assert extended.due_at == t0 + 14 * 24 * 60 * MIN
    assert extended.next_check_at == t0 + 14 * 24 * 60 * MIN - (14 * 24 * 60 * MIN) / 4
    assert check_deadlines(t0 + 8 * 24 * 60 * MIN)["checked"] == 0


def test_closed_reports_are_never_checked(world, t0):
    report = advance(make_report(world.resident, category="noise.living", now=t0), world.worker, A.REJECT,
                     now=t0 + MIN)  # fmt: skip

    assert fresh(report.id).next_check_at is None
    assert check_deadlines(t0 + 30 * 24 * 60 * MIN)["checked"] == 0


def test_reading_a_late_report_writes_nothing(client, world, auth):
    report = make_report(world.resident, now=utcnow() - timedelta(hours=5))

    body = client.get(f"{REPORTS}/{report.id}", headers=auth(world.worker)).get_json()

    assert body["warning"] == "none"  # the worker has not run yet
    assert body["deadlines"]["dispatch"]["state"] == "overdue"
    assert [a for a, _ in timeline(report.id)] == ["submit", "route"]


def test_the_worker_runs_the_check_as_a_periodic_job(app, world):
    report = make_report(world.resident, now=utcnow() - timedelta(hours=3))

    Worker(app, concurrency=1).run_until_idle(now=utcnow())

    moved = fresh(report.id)
    assert (moved.warning, moved.region_id) == ("red", world.c1.id)


def test_warnings_reach_the_holder_and_the_level_above(world, t0):
    report = make_report(world.resident, now=t0)
    db.session.execute(sa.delete(OutboxEvent))
    db.session.commit()

    check_deadlines(t0 + 120 * MIN)

    messages = db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.kind == "push.fanout")).all()
    assert len(messages) == 1
    payload = messages[0].payload
    assert payload["message"]["kind"] == "staff_deadline"
    assert set(payload["audience"]["users"]) == {world.worker.id}  # the community now holds it
    assert payload["message"]["url"] == f"/reports/{report.id}"


def test_the_check_works_through_every_due_report_in_batches(world, t0):
    made = [make_report(world.resident, now=t0).id for _ in range(5)]
    make_report(world.resident, now=t0 + 100 * MIN)  # not due yet at the time checked

    tally = check_deadlines(t0 + 95 * MIN, batch=2)

    assert tally == {"checked": 5, "yellow": 5, "red": 0, "escalated": 0}
    assert {fresh(i).warning for i in made} == {"yellow"}

"""After the talking: closing by the worker, the outcome and its push, follow-through, and late outcomes
flagged to the level above."""

from datetime import timedelta

import sqlalchemy as sa

from app.audit.models import AuditLog
from app.consultations.models import Consultation
from app.core.db import utcnow
from app.extensions import db
from app.outbox.worker import Worker
from tests.consultations.helpers import BASE, clear_outbox, fanouts, make_consultation, opinion


def fresh(consultation_id: int) -> Consultation:
    db.session.expire_all()
    return db.session.get(Consultation, consultation_id)


# --- closing -----------------------------------------------------------------------------------------------


def test_the_worker_closes_consultations_at_closes_at(app, world, auth, client):
    t0 = utcnow()
    due = make_consultation(world.committee, world.c1, open=True, now=t0, closes_at=t0 + timedelta(hours=1))
    later = make_consultation(world.committee, world.c1, open=True, now=t0, closes_at=t0 + timedelta(days=3))
    draft = make_consultation(world.committee, world.c1, now=t0, closes_at=t0 + timedelta(minutes=30))

    Worker(app, concurrency=1).run_until_idle(now=t0 + timedelta(hours=2))

    assert fresh(due.id).status == "closed"
    assert fresh(due.id).closed_at == due.closes_at
    assert (fresh(later.id).status, fresh(draft.id).status) == ("open", "draft")
    response = opinion(client, auth(world.resident), due.id)
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "consultation_not_open")


# --- the outcome -------------------------------------------------------------------------------------------


def test_publishing_the_outcome_pushes_it_to_the_regions_residents(client, world, auth, consultation):
    clear_outbox()
    url = f"{BASE}/{consultation.id}/outcome"

    by_resident = client.post(url, json={"body": "决定"}, headers=auth(world.resident))
    published = client.post(url, json={"body": "经居民议事，决定在东门西侧加装充电棚，年底前完工。"},
                            headers=auth(world.committee))  # fmt: skip
    twice = client.post(url, json={"body": "再来"}, headers=auth(world.committee))

    assert by_resident.status_code == 403
    assert published.status_code == 201
    body = published.get_json()
    assert (body["status"], body["outcome"]) == (
        "outcome_published",
        "经居民议事，决定在东门西侧加装充电棚，年底前完工。",
    )
    assert body["closed_at"] is not None
    assert body["overdue"] is False
    assert (twice.status_code, twice.get_json()["error"]["code"]) == (409, "outcome_published")
    [push] = fanouts()
    assert push["audience"] == {"region_id": world.c1.id}
    assert push["message"]["kind"] == "consultation_outcome"
    assert push["message"]["url"] == f"/discuss/{consultation.id}"
    assert "东门西侧" in push["message"]["body"]
    seen = client.get(f"{BASE}/{consultation.id}", headers=auth(world.resident)).get_json()
    assert seen["outcome"].startswith("经居民议事")


def test_a_draft_has_no_outcome(client, world, auth):
    draft = make_consultation(world.committee, world.c1)

    response = client.post(f"{BASE}/{draft.id}/outcome", json={"body": "x"}, headers=auth(world.committee))

    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "consultation_not_open")
    assert fanouts() == []


def test_follow_through_items_with_dated_progress(client, world, auth, consultation):
    headers = auth(world.committee)
    url = f"{BASE}/{consultation.id}/followups"
    early = client.post(url, json={"body": "采购", "progress": 10}, headers=headers)
    client.post(f"{BASE}/{consultation.id}/outcome", json={"body": "同意加装"}, headers=headers)

    item = client.post(url, json={"body": "充电棚施工", "progress": 0}, headers=headers)
    update = client.post(
        url, json={"body": "地基完成", "progress": 40, "item_id": item.get_json()["id"]}, headers=headers
    )
    other = client.post(url, json={"body": "消防验收", "progress": 0}, headers=headers)
    too_much = client.post(url, json={"body": "x", "progress": 101}, headers=headers)
    nested = client.post(
        url, json={"body": "x", "progress": 5, "item_id": update.get_json()["id"]}, headers=headers
    )
    by_resident = client.post(url, json={"body": "x", "progress": 5}, headers=auth(world.resident))

    assert (early.status_code, early.get_json()["error"]["code"]) == (409, "no_outcome")
    assert [r.status_code for r in (item, update, other)] == [201, 201, 201]
    assert (too_much.status_code, nested.status_code, by_resident.status_code) == (422, 422, 403)
    detail = client.get(f"{BASE}/{consultation.id}", headers=auth(world.resident)).get_json()
    assert [(i["body"], i["progress"], [u["body"] for u in i["updates"]]) for i in detail["followups"]] == [
        ("充电棚施工", 40, ["地基完成"]),
        ("消防验收", 0, []),
    ]
    assert detail["progress"] == 20
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "consultation.followup")) == 3
    )


# --- overdue -----------------------------------------------------------------------------------------------


def test_a_late_outcome_is_flagged_to_the_level_above(app, client, world, auth):
    t0 = utcnow() - timedelta(days=20)
    late = make_consultation(world.committee, world.c1, open=True, now=t0)
    on_time = make_consultation(world.committee, world.c1, open=True, now=utcnow())
    clear_outbox()

    Worker(app, concurrency=1).run_until_idle(now=utcnow())

    assert fresh(late.id).status == "closed"
    assert fresh(late.id).overdue_at is not None
    assert fresh(on_time.id).overdue_at is None
    [push] = fanouts()
    # 海裕社区 sits in 新安街道: its street staff are told, not 西乡街道's.
    assert push["audience"] == {"users": [world.street_staff.id]}
    assert push["message"]["kind"] == "staff_deadline"
    assert push["message"]["url"] == f"/discuss/{late.id}"

    watch = client.get(BASE, query_string={"overdue": "true"}, headers=auth(world.street_staff)).get_json()
    other_street = client.get(
        BASE, query_string={"overdue": "true"}, headers=auth(world.street2_staff)
    ).get_json()
    resident = client.get(BASE, query_string={"overdue": "true"}, headers=auth(world.resident))
    assert [(c["id"], c["overdue"]) for c in watch["data"]] == [(late.id, True)]
    assert other_street["data"] == []
    assert (resident.status_code, resident.get_json()["error"]["code"]) == (403, "forbidden")

    # Flagged once: the next tick tells nobody again; publishing takes it off the list.
    Worker(app, concurrency=1).run_until_idle(now=utcnow() + timedelta(minutes=5))
    assert len(fanouts()) == 1
    client.post(f"{BASE}/{late.id}/outcome", json={"body": "迟到的答复"}, headers=auth(world.committee))
    assert (
        client.get(BASE, query_string={"overdue": "true"}, headers=auth(world.street_staff)).get_json()[
            "data"
        ]
        == []
    )
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "consultation.outcome"))
    assert entry.data == {"late": True}

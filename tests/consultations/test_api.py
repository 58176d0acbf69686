"""The consultations API end to end: posting, scoping, opinions and replies, supports, reports and hiding."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditLog
from app.consultations.models import Consultation, ConsultationComment, ConsultationSupport
from app.core.db import utcnow
from app.extensions import db
from app.uploads.models import Upload
from tests.consultations.helpers import BASE, count, iso, make_consultation, opinion
from tests.uploads.images import upload


def new_body(world, **overrides) -> dict:
    now = utcnow()
    return {
        "region_id": world.c1.id,
        "title": "楼顶花园改造",
        "body": "大家觉得楼顶花园应该怎样改造？",
        "closes_at": iso(now + timedelta(days=5)),
        "outcome_due_at": iso(now + timedelta(days=10)),
        **overrides,
    }


# --- posting -----------------------------------------------------------------------------------------------


def test_committee_posts_a_draft_with_photos_and_opens_it(client, world, auth):
    headers = auth(world.committee)
    photo = upload(client, headers)

    created = client.post(BASE, json=new_body(world, photo_ids=[photo]), headers=headers)

    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["status"], body["region"]["id"], body["can_manage"]) == ("draft", world.c1.id, True)
    assert [p["id"] for p in body["photos"]] == [photo]
    opened = client.post(f"{BASE}/{body['id']}/transitions", json={"action": "open"}, headers=headers)
    assert opened.status_code == 200
    assert opened.get_json()["status"] == "open"
    assert opened.get_json()["opened_at"] is not None
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["consultation.create", "consultation.open"]


@pytest.mark.parametrize("who", ["resident", "grid_worker", "worker2"])
def test_only_the_regions_committee_and_workers_post(client, world, auth, who):
    response = client.post(BASE, json=new_body(world), headers=auth(getattr(world, who)))

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert count(Consultation) == 0


def test_dates_must_make_sense_and_nothing_is_written(client, world, auth):
    now = utcnow()
    headers = auth(world.worker)
    past = client.post(BASE, json=new_body(world, closes_at=iso(now - timedelta(hours=1))), headers=headers)
    early = client.post(
        BASE,
        json=new_body(world, outcome_due_at=iso(now + timedelta(days=1))),
        headers=headers,
    )

    assert (past.status_code, early.status_code) == (422, 422)
    assert "closes_at" in past.get_json()["error"]["fields"]
    assert "outcome_due_at" in early.get_json()["error"]["fields"]
    assert count(Consultation) == 0


def test_someone_elses_photo_is_refused_and_nothing_is_written(client, world, auth):
    photo = upload(client, auth(world.resident))

    response = client.post(BASE, json=new_body(world, photo_ids=[photo]), headers=auth(world.committee))

    assert response.status_code == 422
    assert "photo_ids" in response.get_json()["error"]["fields"]
    assert count(Consultation) == 0
    assert db.session.get(Upload, photo).consultation_id is None


def test_edit_while_open_then_closed_is_409(client, world, auth, consultation):
    headers = auth(world.committee)

    edited = client.patch(f"{BASE}/{consultation.id}", json={"title": "东门充电棚（修改）"}, headers=headers)
    client.post(f"{BASE}/{consultation.id}/transitions", json={"action": "close"}, headers=headers)
    late = client.patch(f"{BASE}/{consultation.id}", json={"title": "再改"}, headers=headers)

    assert (edited.status_code, edited.get_json()["title"]) == (200, "东门充电棚（修改）")
    assert (late.status_code, late.get_json()["error"]["code"]) == (409, "consultation_closed")
    assert client.patch(f"{BASE}/{consultation.id}", json={}, headers=headers).status_code == 422


# --- who sees what -----------------------------------------------------------------------------------------


def test_drafts_are_for_staff_only(client, world, auth):
    draft = make_consultation(world.committee, world.c1)

    for who, status in [("resident", 404), ("worker2", 404), ("committee", 200), ("street_staff", 200)]:
        response = client.get(f"{BASE}/{draft.id}", headers=auth(getattr(world, who)))
        assert response.status_code == status, who
        listed = client.get(BASE, headers=auth(getattr(world, who))).get_json()["data"]
        assert [c["id"] for c in listed] == ([draft.id] if status == 200 else []), who


@pytest.mark.parametrize(
    ("who", "status"),
    [("resident", 200), ("resident2", 200), ("grid_worker", 200), ("street_staff", 200), ("admin", 200),
     ("outsider", 404), ("worker2", 404), ("street2_staff", 404), ("pending", 404), ("stranger", 404)],
)  # fmt: skip
def test_an_open_consultation_is_seen_in_its_region_only(client, world, auth, consultation, who, status):
    headers = auth(getattr(world, who))

    response = client.get(f"{BASE}/{consultation.id}", headers=headers)

    assert response.status_code == status
    if status == 404:
        assert response.get_json()["error"]["code"] == "not_found"
        assert client.get(f"{BASE}/{consultation.id}/comments", headers=headers).status_code == 404
        assert opinion(client, headers, consultation.id).status_code == 404
    listed = [c["id"] for c in client.get(BASE, headers=headers).get_json()["data"]]
    assert listed == ([consultation.id] if status == 200 else [])


def test_a_street_wide_consultation_reaches_residents_beneath_it(client, world, auth):
    street = make_consultation(world.street_staff, world.street1, open=True)

    assert client.get(f"{BASE}/{street.id}", headers=auth(world.resident)).status_code == 200
    assert client.get(f"{BASE}/{street.id}", headers=auth(world.outsider)).status_code == 200
    assert opinion(client, auth(world.outsider), street.id).status_code == 201


# --- opinions and replies ----------------------------------------------------------------------------------


def test_resident_gives_an_opinion_with_a_stance(client, world, auth, consultation):
    response = opinion(client, auth(world.resident), consultation.id, "建议装在西侧", "against")

    assert response.status_code == 201
    body = response.get_json()
    assert (body["stance"], body["body"], body["official"], body["mine"]) == (
        "against",
        "建议装在西侧",
        False,
        True,
    )
    detail = client.get(f"{BASE}/{consultation.id}", headers=auth(world.resident)).get_json()
    assert detail["counts"] == {
        "for": 0,
        "against": 1,
        "neutral": 0,
        "opinions": 1,
        "replies": 0,
        "supports": 0,
    }


def test_an_opinion_needs_a_stance_and_a_body(client, world, auth, consultation):
    headers = auth(world.resident)

    no_stance = opinion(client, headers, consultation.id, stance=None)
    bad_stance = opinion(client, headers, consultation.id, stance="maybe")
    empty = opinion(client, headers, consultation.id, body="")

    assert [r.status_code for r in (no_stance, bad_stance, empty)] == [422, 422, 422]
    assert "stance" in no_stance.get_json()["error"]["fields"]
    assert count(ConsultationComment) == 0


def test_staff_who_do_not_run_it_cannot_give_opinions(client, world, auth, consultation):
    response = opinion(client, auth(world.grid_worker), consultation.id)

    assert (response.status_code, response.get_json()["error"]["code"]) == (403, "not_eligible")


def test_replies_go_one_level_deep(client, world, auth, consultation):
    first = opinion(client, auth(world.resident), consultation.id, "支持", "for").get_json()
    reply = opinion(
        client, auth(world.committee), consultation.id, "谢谢，会考虑", None, parent_id=first["id"]
    )
    deeper = opinion(
        client, auth(world.resident), consultation.id, "好的", None, parent_id=reply.get_json()["id"]
    )
    elsewhere = make_consultation(world.committee, world.c1, open=True)
    foreign = opinion(client, auth(world.resident), elsewhere.id, "x", None, parent_id=first["id"])

    assert reply.status_code == 201
    assert (reply.get_json()["official"], reply.get_json()["parent_id"]) == (True, first["id"])
    assert deeper.status_code == 422
    assert "parent_id" in deeper.get_json()["error"]["fields"]
    assert foreign.status_code == 422
    stream = client.get(f"{BASE}/{consultation.id}/comments", headers=auth(world.resident2)).get_json()[
        "data"
    ]
    assert [(c["id"], [r["body"] for r in c["replies"]]) for c in stream] == [(first["id"], ["谢谢，会考虑"])]


def test_opinions_only_while_open(client, world, auth):
    draft = make_consultation(world.committee, world.c1)
    client.post(f"{BASE}/{draft.id}/transitions", json={"action": "open"}, headers=auth(world.committee))
    client.post(f"{BASE}/{draft.id}/transitions", json={"action": "close"}, headers=auth(world.committee))

    response = opinion(client, auth(world.resident), draft.id)
    support = client.post(f"{BASE}/{draft.id}/support", headers=auth(world.resident))

    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "consultation_not_open")
    assert support.status_code == 409
    again = client.post(
        f"{BASE}/{draft.id}/transitions", json={"action": "close"}, headers=auth(world.committee)
    )
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "invalid_transition")


def test_filter_the_stream_by_stance(client, world, auth, consultation):
    opinion(client, auth(world.resident), consultation.id, "赞成", "for")
    opinion(client, auth(world.resident2), consultation.id, "反对", "against")

    stream = client.get(
        f"{BASE}/{consultation.id}/comments?stance=against", headers=auth(world.resident)
    ).get_json()["data"]

    assert [c["body"] for c in stream] == ["反对"]


# --- supports ----------------------------------------------------------------------------------------------


def test_support_counts_once(client, world, auth, consultation):
    headers = auth(world.resident)

    first = client.post(f"{BASE}/{consultation.id}/support", headers=headers)
    second = client.post(f"{BASE}/{consultation.id}/support", headers=headers)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == {"consultation_id": consultation.id, "supported": True, "support_count": 1}
    detail = client.get(f"{BASE}/{consultation.id}", headers=headers).get_json()
    assert (detail["supported"], detail["counts"]["supports"]) == (True, 1)
    assert (
        client.get(f"{BASE}/{consultation.id}", headers=auth(world.resident2)).get_json()["supported"]
        is False
    )


def test_the_database_refuses_a_second_support(world, consultation):
    db.session.add(ConsultationSupport(consultation_id=consultation.id, user_id=world.resident.id))
    db.session.commit()
    db.session.add(ConsultationSupport(consultation_id=consultation.id, user_id=world.resident.id))

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_staff_do_not_support(client, world, auth, consultation):
    response = client.post(f"{BASE}/{consultation.id}/support", headers=auth(world.committee))

    assert (response.status_code, response.get_json()["error"]["code"]) == (403, "not_eligible")


# --- reporting and hiding ----------------------------------------------------------------------------------


def test_report_an_abusive_comment_once(client, world, auth, consultation):
    rude = opinion(client, auth(world.resident2), consultation.id, "你们都是骗子", "against").get_json()
    url = f"{BASE}/{consultation.id}/comments/{rude['id']}/reports"

    first = client.post(url, json={"reason": "人身攻击"}, headers=auth(world.resident))
    second = client.post(url, json={}, headers=auth(world.resident))
    own = client.post(url, json={}, headers=auth(world.resident2))

    assert (first.status_code, second.status_code) == (201, 200)
    assert (own.status_code, own.get_json()["error"]["code"]) == (409, "own_comment")
    resident_view = client.get(f"{BASE}/{consultation.id}/comments", headers=auth(world.resident)).get_json()
    staff_view = client.get(f"{BASE}/{consultation.id}/comments", headers=auth(world.committee)).get_json()
    assert (resident_view["data"][0]["reported"], resident_view["data"][0]["report_count"]) == (True, None)
    assert staff_view["data"][0]["report_count"] == 1


def test_staff_hide_a_comment_with_a_reason_kept_in_the_audit_log(client, world, auth, consultation):
    rude = opinion(client, auth(world.resident2), consultation.id, "你们都是骗子", "against").get_json()
    url = f"{BASE}/{consultation.id}/comments/{rude['id']}/hide"

    refused = client.post(url, json={"reason": "我不喜欢"}, headers=auth(world.resident))
    no_reason = client.post(url, json={}, headers=auth(world.committee))
    hidden = client.post(url, json={"reason": "含人身攻击"}, headers=auth(world.committee))
    again = client.post(url, json={"reason": "含人身攻击"}, headers=auth(world.committee))

    assert (refused.status_code, no_reason.status_code, hidden.status_code) == (403, 422, 200)
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "already_hidden")
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "consultation.hide_comment"))
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        world.committee.id,
        "consultation_comment",
        rude["id"],
    )
    assert entry.data["reason"] == "含人身攻击"
    assert entry.region_id == world.c1.id

    def seen_by(user):
        return client.get(f"{BASE}/{consultation.id}/comments", headers=auth(user)).get_json()["data"][0]

    author, other, staff = seen_by(world.resident2), seen_by(world.resident), seen_by(world.committee)
    assert (author["hidden"], author["body"], author["hidden_reason"]) == (True, "你们都是骗子", "含人身攻击")
    assert (other["hidden"], other["body"], other["hidden_reason"]) == (True, None, None)
    assert (staff["body"], staff["hidden_reason"]) == ("你们都是骗子", "含人身攻击")
    audit = client.get(
        f"/api/v1/audit?object_type=consultation_comment&object_id={rude['id']}",
        headers=auth(world.committee),
    )
    assert audit.status_code == 200
    assert "含人身攻击" in audit.get_json()["data"][0]["summary"]


# --- lists -------------------------------------------------------------------------------------------------


def test_keyset_pages_walk_every_consultation_once(client, world, auth):
    ids = [make_consultation(world.committee, world.c1, open=True, title=f"议题{n}").id for n in range(5)]
    headers = auth(world.resident)
    seen, cursor = [], None
    for _ in range(10):
        page = client.get(
            BASE, query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=headers
        )
        seen += [c["id"] for c in page.get_json()["data"]]
        cursor = page.get_json()["next_cursor"]
        if not cursor:
            break

    assert seen == sorted(ids, reverse=True)
    bad = client.get(BASE, query_string={"cursor": "garbage"}, headers=headers)
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (400, "invalid_cursor")


def test_status_filter(client, world, auth, consultation):
    make_consultation(world.committee, world.c1)  # a draft
    headers = auth(world.committee)

    open_only = client.get(BASE, query_string={"status": "open"}, headers=headers).get_json()["data"]
    drafts = client.get(BASE, query_string={"status": "draft"}, headers=headers).get_json()["data"]

    assert [c["status"] for c in open_only] == ["open"]
    assert [c["status"] for c in drafts] == ["draft"]


def test_list_costs_the_same_queries_for_3_or_12_rows(client, world, auth, count_queries):
    headers = auth(world.resident)
    users = [world.resident, world.resident2]

    def measure(n):
        for i in range(n):
            c = make_consultation(world.committee, world.c1, open=True, title=f"议题{i}")
            client.post(f"{BASE}/{c.id}/support", headers=auth(users[i % 2]))
        with count_queries() as statements:
            page = client.get(BASE, query_string={"limit": 50}, headers=headers)
        assert page.status_code == 200
        return len(statements), len(page.get_json()["data"])

    small = measure(3)
    large = measure(9)
    assert (small[1], large[1]) == (3, 12)
    assert small[0] == large[0]


def test_comments_cost_the_same_queries_for_2_or_10_opinions(
    client, world, auth, consultation, count_queries
):
    headers = auth(world.resident)
    writers = [auth(world.resident), auth(world.resident2), auth(world.committee)]

    def measure(n):
        for i in range(n):
            top = opinion(
                client, writers[i % 2], consultation.id, f"意见{i}", ["for", "against", "neutral"][i % 3]
            )
            opinion(client, writers[2], consultation.id, "回复", None, parent_id=top.get_json()["id"])
            client.post(
                f"{BASE}/{consultation.id}/comments/{top.get_json()['id']}/reports",
                json={},
                headers=writers[(i + 1) % 2],
            )
        with count_queries() as statements:
            page = client.get(
                f"{BASE}/{consultation.id}/comments", query_string={"limit": 50}, headers=headers
            )
        return len(statements), len(page.get_json()["data"])

    small = measure(2)
    large = measure(8)
    assert (small[1], large[1]) == (2, 10)
    assert small[0] == large[0]


def test_comment_writes_are_rate_limited(app, client, world, auth, consultation, monkeypatch):
    monkeypatch.setitem(app.config, "CONSULTATION_COMMENT_RATE_LIMIT", "2/minute")
    headers = auth(world.resident)

    statuses = [opinion(client, headers, consultation.id, f"意见{i}").status_code for i in range(3)]

    assert statuses == [201, 201, 429]
    assert count(ConsultationComment) == 2


def test_photos_are_shown_to_whoever_sees_the_consultation(client, world, auth):
    headers = auth(world.committee)
    photo = upload(client, headers)
    created = client.post(
        BASE, json=new_body(world, photo_ids=[photo], open=True), headers=headers
    ).get_json()

    assert client.get(f"/api/v1/uploads/{photo}", headers=auth(world.resident)).status_code == 200
    assert client.get(f"/api/v1/uploads/{photo}", headers=auth(world.outsider)).status_code == 404
    signed = client.get(f"{BASE}/{created['id']}", headers=auth(world.resident)).get_json()["photos"][0][
        "thumb_url"
    ]
    assert client.get(signed).status_code == 200


def test_patch_photo_ids_replaces_the_photos(client, world, auth):
    headers = auth(world.committee)
    first, second = upload(client, headers), upload(client, headers)
    created = client.post(BASE, json=new_body(world, photo_ids=[first]), headers=headers).get_json()

    edited = client.patch(f"{BASE}/{created['id']}", json={"photo_ids": [second]}, headers=headers)

    assert edited.status_code == 200
    assert [p["id"] for p in edited.get_json()["photos"]] == [second]
    db.session.expire_all()
    assert db.session.get(Upload, first).consultation_id is None
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "consultation.update"))
    assert entry.data == {"fields": ["photo_ids"]}

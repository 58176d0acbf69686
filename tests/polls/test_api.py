"""Polls through the HTTP API: rules, eligibility, ballots across channels, results, receipts, closing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.core.db import utcnow
from app.extensions import db
from app.notices.models import Notice
from app.outbox.models import OutboxEvent
from app.polls.models import PollBallot, PollVoter
from app.push.models import PushMessage
from app.regions.models import Unit
from app.regions.ownership import OwnerKind
from tests.factories import UserFactory, member
from tests.polls.helpers import POLLS, close, create, owner, owners_with_users, poll_body, verify_chain, vote


def _pushes(ref_suffix: str) -> list[dict]:
    events = db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.kind == "push.fanout")).all()
    return [e.payload for e in events if (e.payload["message"]["ref"] or "").endswith(ref_suffix)]


# --- creating, opening, seeing --------------------------------------------------------------------------


def test_committee_creates_a_poll_that_opens_at_once_with_a_published_roll(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)

    assert poll["status"] == "open"
    assert poll["roll"]["heads"] == 2  # resident and resident2; pending and outsider are not on it
    assert len(poll["roll"]["fingerprint"]) == 64
    assert poll["can_manage"] is True
    assert _pushes(":opened")[0]["audience"] == {"users": sorted([world.resident.id, world.resident2.id])}


def test_a_future_opening_waits_and_the_worker_opens_it(client, world, auth):
    from app.polls.jobs import tick

    opens = utcnow() + timedelta(hours=1)
    poll = create(client, auth(world.committee), world.c1, opens_at=opens.isoformat())
    assert poll["status"] == "scheduled"
    assert poll["roll"] is None

    early = vote(client, auth(world.resident), poll, "同意")
    assert (early.status_code, early.get_json()["error"]["code"]) == (409, "poll_not_open")

    assert tick(opens + timedelta(seconds=1))["opened"] == 1
    db.session.commit()
    assert client.get(f"{POLLS}/{poll['id']}", headers=auth(world.resident)).get_json()["status"] == "open"


def test_a_past_opening_opens_at_once(client, world, auth):
    poll = create(
        client, auth(world.committee), world.c1, opens_at=(utcnow() - timedelta(days=1)).isoformat()
    )
    assert poll["status"] == "open"


@pytest.mark.parametrize("who", ["resident", "grid_worker", "worker2"])
def test_only_poll_managers_of_the_region_create(client, world, auth, who):
    response = client.post(POLLS, json=poll_body(world.c1), headers=auth(getattr(world, who)))
    assert (response.status_code, response.get_json()["error"]["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"options": [{"label": "同意"}]}, "options"),
        ({"options": [{"label": "同意"}, {"label": "同意"}]}, "options"),
        ({"closes_at": (utcnow() - timedelta(hours=1)).isoformat()}, "closes_at"),
        ({"kind": "multiple", "max_choices": 4}, "max_choices"),
        ({"counting": "everyone"}, "counting"),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_written(client, world, auth, overrides, field):
    response = client.post(POLLS, json=poll_body(world.c1, **overrides), headers=auth(world.committee))

    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert client.get(POLLS, headers=auth(world.committee)).get_json()["data"] == []


def test_people_outside_the_region_do_not_see_the_poll(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)

    for user in (world.outsider, world.stranger, world.pending):
        assert client.get(f"{POLLS}/{poll['id']}", headers=auth(user)).status_code == 404
        assert client.get(POLLS, headers=auth(user)).get_json()["data"] == []
    listed = client.get(POLLS, headers=auth(world.resident)).get_json()["data"]
    assert [p["id"] for p in listed] == [poll["id"]]
    assert listed[0]["me"] == {"eligible": True, "voted": False, "by_me": False, "channel": None}


def test_listing_costs_the_same_queries_for_one_poll_or_many(client, world, auth, count_queries):
    headers = auth(world.resident)
    create(client, auth(world.committee), world.c1)
    with count_queries() as one:
        client.get(POLLS, headers=headers)
    for _ in range(6):
        p = create(client, auth(world.committee), world.c1)
        vote(client, headers, p, "同意")
    with count_queries() as seven:
        body = client.get(POLLS, headers=headers).get_json()
    assert len(body["data"]) == 7
    assert len(seven) == len(one)


# --- ballots ----------------------------------------------------------------------------------------------


def test_a_resident_votes_once_and_gets_a_receipt(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    headers = auth(world.resident)

    first = vote(client, headers, poll, "同意")
    again = vote(client, headers, poll, "反对")

    assert first.status_code == 201
    assert len(first.get_json()["receipt"]) == 19
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "already_voted")
    me = client.get(f"{POLLS}/{poll['id']}", headers=headers).get_json()["me"]
    assert me == {"eligible": True, "voted": True, "by_me": True, "channel": "app"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PollBallot)) == 1


def test_staff_who_see_a_poll_but_are_not_on_its_roll_are_not_eligible(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    response = vote(client, auth(world.worker), poll, "同意")
    assert (response.status_code, response.get_json()["error"]["code"]) == (403, "not_eligible")


def test_choices_are_checked(client, world, auth):
    poll = create(client, auth(world.committee), world.c1, kind="multiple", max_choices=2)
    headers = auth(world.resident)
    url = f"{POLLS}/{poll['id']}/ballots"
    ids = [o["id"] for o in poll["options"]]

    assert client.post(url, json={"option_ids": ids}, headers=headers).status_code == 422
    assert client.post(url, json={"option_ids": [ids[0], ids[0]]}, headers=headers).status_code == 422
    assert client.post(url, json={"option_ids": [999999]}, headers=headers).status_code == 422
    assert client.post(url, json={"option_ids": ids[:2]}, headers=headers).status_code == 201


def test_a_closed_poll_refuses_ballots_even_before_the_worker_closes_it(client, world, auth):
    poll = create(
        client, auth(world.committee), world.c1, closes_at=(utcnow() + timedelta(seconds=2)).isoformat()
    )
    from app.polls.models import Poll

    db.session.execute(sa.update(Poll).values(closes_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = vote(client, auth(world.resident), poll, "同意")
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "poll_closed")


def test_household_votes_once_and_the_other_member_is_told(client, world, auth):
    housemate = UserFactory()
    member(housemate, world.c1, unit=world.u1)
    db.session.commit()
    poll = create(client, auth(world.committee), world.c1, counting="household")
    assert poll["roll"]["heads"] == 2  # units u1 and u2

    assert vote(client, auth(world.resident), poll, "同意").status_code == 201
    second = vote(client, auth(housemate), poll, "反对")

    assert (second.status_code, second.get_json()["error"]["code"]) == (409, "already_voted")
    assert "household" in second.get_json()["error"]["message"]
    me = client.get(f"{POLLS}/{poll['id']}", headers=auth(housemate)).get_json()["me"]
    assert me == {"eligible": True, "voted": True, "by_me": False, "channel": "app"}


def test_frozen_rules_after_the_first_ballot(client, world, auth):
    headers = auth(world.committee)
    poll = create(client, headers, world.c1)
    url = f"{POLLS}/{poll['id']}"

    changed = client.patch(url, json={"title": "新标题", "counting": "household"}, headers=headers)
    assert changed.status_code == 200
    assert changed.get_json()["counting"] == "household"
    poll = changed.get_json()
    vote(client, auth(world.resident), poll, "同意")
    frozen = client.patch(url, json={"title": "再改"}, headers=headers)

    assert (frozen.status_code, frozen.get_json()["error"]["code"]) == (409, "rules_frozen")
    assert client.get(url, headers=headers).get_json()["title"] == "新标题"


# --- paper ballots ----------------------------------------------------------------------------------------


def test_paper_then_app_is_refused_with_the_reason(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)

    paper = vote(client, auth(world.worker), poll, "反对", channel="paper", voter_id=world.resident.id)
    app_vote = vote(client, auth(world.resident), poll, "同意")

    assert paper.status_code == 201
    assert paper.get_json()["channel"] == "paper"
    error = app_vote.get_json()["error"]
    assert (app_vote.status_code, error["code"], error["fields"]) == (
        409,
        "already_voted",
        {"channel": ["paper"]},
    )
    assert "paper" in error["message"]
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "poll.paper_ballot")).all()
    assert [(a.actor_id, a.object_id) for a in audit] == [(world.worker.id, poll["id"])]
    assert "反对" not in audit[0].summary  # the audit says for whom, not what


def test_app_then_paper_is_refused(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    vote(client, auth(world.resident), poll, "同意")

    paper = vote(client, auth(world.worker), poll, "反对", channel="paper", voter_id=world.resident.id)

    assert (paper.status_code, paper.get_json()["error"]["code"]) == (409, "already_voted")
    assert paper.get_json()["error"]["fields"] == {"channel": ["app"]}


def test_paper_ballots_only_by_workers_and_only_for_the_roll(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)

    by_resident = vote(
        client, auth(world.resident), poll, "同意", channel="paper", voter_id=world.resident2.id
    )
    off_roll = vote(client, auth(world.worker), poll, "同意", channel="paper", voter_id=world.outsider.id)

    assert by_resident.status_code == 403
    assert (off_roll.status_code, off_roll.get_json()["error"]["code"]) == (403, "not_eligible")
    roll = client.get(f"{POLLS}/{poll['id']}/roll", headers=auth(world.worker)).get_json()["data"]
    assert {r["voter_id"] for r in roll} == {world.resident.id, world.resident2.id}


# --- results, secrecy, receipts ----------------------------------------------------------------------------


def test_results_are_hidden_until_close_when_asked(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    vote(client, auth(world.resident), poll, "同意")

    for user in (world.resident, world.committee):
        hidden = client.get(f"{POLLS}/{poll['id']}/results", headers=auth(user))
        assert (hidden.status_code, hidden.get_json()["error"]["code"]) == (403, "results_hidden")
    assert (
        client.get(f"{POLLS}/{poll['id']}", headers=auth(world.resident)).get_json()["ballot_count"] is None
    )

    close(poll["id"])
    shown = client.get(f"{POLLS}/{poll['id']}/results", headers=auth(world.resident)).get_json()
    assert [(o["label"], o["count"]) for o in shown["options"]] == [("同意", 1), ("反对", 0), ("弃权", 0)]
    assert shown["turnout"] == {"heads": 1, "eligible_heads": 2}


def test_live_results_show_while_open(client, world, auth):
    poll = create(client, auth(world.committee), world.c1, results="live")
    vote(client, auth(world.resident), poll, "反对")

    shown = client.get(f"{POLLS}/{poll['id']}/results", headers=auth(world.resident2)).get_json()

    assert shown["status"] == "open"
    assert [o["count"] for o in shown["options"]] == [0, 1, 0]


def test_secret_ballots_are_not_linked_to_voters(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    vote(client, auth(world.resident), poll, "同意")

    assert db.session.scalar(sa.select(PollBallot.voter_key)) is None
    assert set(PollVoter.__table__.columns.keys()) == {
        "poll_id",
        "voter_key",
        "user_id",
        "channel",
        "entered_by_id",
    }
    close(poll["id"])
    denied = client.get(f"{POLLS}/{poll['id']}/ballots", headers=auth(world.committee))
    assert denied.status_code == 403


def test_named_polls_show_the_committee_who_voted_what(client, world, auth):
    poll = create(client, auth(world.committee), world.c1, secrecy="named", results="live")
    vote(client, auth(world.resident), poll, "反对")

    rows = client.get(f"{POLLS}/{poll['id']}/ballots", headers=auth(world.committee)).get_json()

    no = next(o["id"] for o in poll["options"] if o["label"] == "反对")
    assert rows == [
        {"voter_id": world.resident.id, "label": world.resident.name, "option_ids": [no], "channel": "app"}
    ]
    assert client.get(f"{POLLS}/{poll['id']}/ballots", headers=auth(world.resident)).status_code == 403


def test_receipts_are_published_at_close_and_the_chain_recomputes(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    mine = vote(client, auth(world.resident), poll, "同意").get_json()["receipt"]
    paper = vote(client, auth(world.worker), poll, "反对", channel="paper", voter_id=world.resident2.id)
    url = f"{POLLS}/{poll['id']}/receipts"

    early = client.get(url, headers=auth(world.resident))
    assert (early.status_code, early.get_json()["error"]["code"]) == (409, "poll_not_closed")
    close(poll["id"])
    page = client.get(url, headers=auth(world.resident)).get_json()

    assert {e["receipt"] for e in page["data"]} == {mine, paper.get_json()["receipt"]}
    assert verify_chain(page) == page["chain_head"]
    detail = client.get(f"{POLLS}/{poll['id']}", headers=auth(world.resident)).get_json()
    assert detail["chain_head"] == page["chain_head"]
    assert page["roll_fingerprint"] == detail["roll"]["fingerprint"]
    # Tampering with any published link breaks the recomputation.
    page["data"][0]["digest"] = "0" * 64
    with pytest.raises(AssertionError):
        verify_chain(page)


# --- owners' votes through the API ----------------------------------------------------------------------


def test_owners_vote_with_area_and_multi_unit_and_joint_owners_count_once(client, world, auth):
    c = world.c1
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    owner(c, ["100.00", "50.00"], users=[alice])  # two units, one owner
    owner(c, ["100.00"], kind=OwnerKind.JOINT, users=[bob, carol])
    owner(c, ["150.00"], kind=OwnerKind.DEVELOPER)
    db.session.commit()
    poll = create(client, auth(world.committee), c, counting="owners", threshold="special", results="live")
    assert poll["roll"] == {"fingerprint": poll["roll"]["fingerprint"], "heads": 3, "area": "400.00"}
    assert poll["options"][0]["approves"] is True  # 同意 approves by default in an owners' vote

    assert vote(client, auth(alice), poll, "同意").status_code == 201
    assert vote(client, auth(bob), poll, "同意").status_code == 201
    carol_again = vote(client, auth(carol), poll, "反对")
    resident = vote(client, auth(world.resident), poll, "同意")  # lives here, owns nothing

    assert carol_again.get_json()["error"]["code"] == "already_voted"
    assert (resident.status_code, resident.get_json()["error"]["code"]) == (403, "not_eligible")
    result = client.get(f"{POLLS}/{poll['id']}/results", headers=auth(alice)).get_json()
    assert result["turnout"] == {"heads": 2, "eligible_heads": 3, "area": "250.00", "eligible_area": "400.00"}
    assert result["options"][0] == {
        "id": poll["options"][0]["id"],
        "label": "同意",
        "count": 2,
        "area": "250.00",
        "approves": True,
    }
    # 2 of 3 heads (exactly 2/3) but 250 of 400 m² (< 2/3): no quorum.
    assert (result["quorum_met"], result["passed"]) == (False, False)


def test_a_paper_ballot_for_the_developer_brings_the_quorum(client, world, auth):
    c = world.c1
    pairs = owners_with_users(c, ["100.00", "100.00"])
    developer = owner(c, ["100.00"], kind=OwnerKind.DEVELOPER)
    db.session.commit()
    poll = create(client, auth(world.committee), c, counting="owners", results="live")
    vote(client, auth(pairs[0][1]), poll, "同意")
    vote(client, auth(pairs[1][1]), poll, "弃权")

    before = client.get(f"{POLLS}/{poll['id']}/results", headers=auth(world.committee)).get_json()
    vote(client, auth(world.worker), poll, "同意", channel="paper", voter_id=developer.id)
    after = client.get(f"{POLLS}/{poll['id']}/results", headers=auth(world.committee)).get_json()

    assert (before["quorum_met"], before["passed"]) == (True, False)  # 1 yes of 2 is exactly half
    assert (after["quorum_met"], after["passed"]) == (True, True)  # 2 of 3 heads, 200 of 300 m²


def test_units_of_another_community_are_not_on_an_owners_roll(client, world, auth):
    owners_with_users(world.c1, ["80.00"])
    owners_with_users(world.c2, ["90.00"])
    poll = create(client, auth(world.committee), world.c1, counting="owners")
    assert (poll["roll"]["heads"], poll["roll"]["area"]) == (1, "80.00")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) >= 5


# --- closing, notice, push, decision ---------------------------------------------------------------------


def test_the_worker_closes_the_poll_publishes_a_notice_and_pushes(client, world, auth, app):
    from app.outbox.worker import Worker

    poll = create(client, auth(world.committee), world.c1)
    vote(client, auth(world.resident), poll, "同意")
    from app.polls.models import Poll

    db.session.execute(sa.update(Poll).values(closes_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    Worker(app, concurrency=1).run_until_idle(now=utcnow())
    db.session.expire_all()

    detail = client.get(f"{POLLS}/{poll['id']}", headers=auth(world.resident)).get_json()
    assert detail["status"] == "closed"
    assert detail["notice_id"]
    notice = db.session.get(Notice, detail["notice_id"])
    assert poll["title"] in notice.title
    assert detail["chain_head"] in notice.body
    assert detail["roll"]["fingerprint"] in notice.body
    assert "同意：1 票" in notice.body
    assert client.get(f"/api/v1/notices/{notice.id}", headers=auth(world.resident)).status_code == 200
    # The worker turned the fan-outs into push messages of kind POLL: opened, then results.
    sent = db.session.execute(sa.select(PushMessage.kind, PushMessage.ref)).all()
    assert ("poll", f"poll:{poll['id']}:results") in {(k, r) for k, r in sent}


def test_a_reminder_goes_only_to_those_who_have_not_voted(client, world, auth):
    from app.polls.jobs import tick

    poll = create(
        client, auth(world.committee), world.c1, closes_at=(utcnow() + timedelta(hours=30)).isoformat()
    )
    vote(client, auth(world.resident), poll, "同意")

    assert tick(utcnow() + timedelta(hours=7))["reminded"] == 1
    assert tick(utcnow() + timedelta(hours=8))["reminded"] == 0
    db.session.commit()

    assert _pushes(":closing")[0]["audience"] == {"users": [world.resident2.id]}


def test_decision_and_follow_through(client, world, auth):
    headers = auth(world.committee)
    poll = create(client, headers, world.c1)
    url = f"{POLLS}/{poll['id']}"

    early = client.post(f"{url}/decision", json={"body": "启动加装电梯"}, headers=headers)
    assert (early.status_code, early.get_json()["error"]["code"]) == (409, "poll_not_closed")
    close(poll["id"])
    no_decision = client.post(f"{url}/followups", json={"body": "x", "progress": 10}, headers=headers)
    assert no_decision.get_json()["error"]["code"] == "no_decision"
    assert (
        client.post(
            f"{url}/decision", json={"body": "启动加装电梯"}, headers=auth(world.resident)
        ).status_code
        == 403
    )

    assert client.post(f"{url}/decision", json={"body": "启动加装电梯"}, headers=headers).status_code == 200
    assert (
        client.post(
            f"{url}/followups", json={"body": "已联系施工方", "progress": 30}, headers=headers
        ).status_code
        == 201
    )
    bad = client.post(f"{url}/followups", json={"body": "x", "progress": 101}, headers=headers)
    assert bad.status_code == 422

    detail = client.get(url, headers=auth(world.resident)).get_json()
    assert detail["decision"] == "启动加装电梯"
    assert detail["progress"] == 30
    assert [f["body"] for f in detail["followups"]] == ["已联系施工方"]


def test_poll_turnout_stats(client, world, auth):
    from app.polls.stats import poll_turnout

    start = utcnow() - timedelta(hours=1)
    a = create(client, auth(world.committee), world.c1)
    vote(client, auth(world.resident), a, "同意")
    create(client, auth(world.committee), world.c1)  # still open: not counted
    other = create(client, auth(world.worker2), world.c2)
    close(a["id"])
    close(other["id"])
    end = utcnow() + timedelta(hours=1)

    assert poll_turnout([world.c1.id], start, end) == {"polls": 1, "ballots": 1, "eligible": 2}
    assert poll_turnout([world.street1.id], start, end) == {"polls": 2, "ballots": 1, "eligible": 3}
    assert poll_turnout([world.c1.id], end, end + timedelta(days=1)) == {
        "polls": 0,
        "ballots": 0,
        "eligible": 0,
    }
    assert poll_turnout([], start, end)["polls"] == 0


def test_secret_owners_ballots_keep_no_area_or_channel_yet_results_count_area(client, world, auth):
    pairs = owners_with_users(world.c1, ["123.45", "80.00"])
    developer = owner(world.c1, ["300.00"], kind=OwnerKind.DEVELOPER)
    db.session.commit()
    poll = create(client, auth(world.committee), world.c1, counting="owners", results="live")
    vote(client, auth(pairs[0][1]), poll, "同意")
    vote(client, auth(world.worker), poll, "反对", channel="paper", voter_id=developer.id)

    stored = db.session.execute(sa.select(PollBallot.area, PollBallot.channel, PollBallot.voter_key)).all()
    assert stored == [(None, None, None), (None, None, None)]  # a unit's area or "paper" would name the voter
    result = client.get(f"{POLLS}/{poll['id']}/results", headers=auth(world.committee)).get_json()
    assert [(o["count"], o["area"]) for o in result["options"]] == [(1, "123.45"), (1, "300.00"), (0, "0.00")]
    assert result["turnout"]["area"] == "423.45"


def test_the_running_totals_agree_with_a_recount_of_the_ballots(client, world, auth):
    from app.polls import service
    from app.polls.models import Poll

    pairs = owners_with_users(world.c1, ["100.00", "90.50", "60.25", "75.00"])
    poll = create(
        client,
        auth(world.committee),
        world.c1,
        counting="owners",
        secrecy="named",
        kind="multiple",
        max_choices=2,
    )
    for (_, user), labels in zip(
        pairs, [("同意",), ("同意", "弃权"), ("反对",), ("弃权", "反对")], strict=True
    ):
        assert vote(client, auth(user), poll, *labels).status_code == 201

    stored = db.session.get(Poll, poll["id"])
    assert service.compute_result(stored) == service.recount(stored)
    assert service.compute_result(stored)["options"][0] == {
        "id": poll["options"][0]["id"],
        "label": "同意",
        "count": 2,
        "area": "190.50",
        "approves": True,
    }


def test_only_managers_change_a_poll_and_never_after_close(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    url = f"{POLLS}/{poll['id']}"

    by_resident = client.patch(url, json={"title": "x"}, headers=auth(world.resident))
    assert (by_resident.status_code, by_resident.get_json()["error"]["code"]) == (403, "forbidden")
    assert client.patch(url, json={"title": "x"}, headers=auth(world.outsider)).status_code == 404
    close(poll["id"])
    closed = client.patch(url, json={"title": "x"}, headers=auth(world.committee))
    assert (closed.status_code, closed.get_json()["error"]["code"]) == (409, "poll_closed")


def test_moving_the_opening_later_unfreezes_the_roll_until_then(client, world, auth):
    headers = auth(world.committee)
    poll = create(client, headers, world.c1)
    later = (utcnow() + timedelta(hours=2)).isoformat()

    moved = client.patch(f"{POLLS}/{poll['id']}", json={"opens_at": later}, headers=headers).get_json()

    assert (moved["status"], moved["roll"]) == ("scheduled", None)
    refused = vote(client, auth(world.resident), moved, "同意")
    assert refused.get_json()["error"]["code"] == "poll_not_open"


def test_a_retried_ballot_gets_its_first_receipt_and_stores_nothing_twice(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    headers = {**auth(world.resident), "Idempotency-Key": "vote-7f3a"}

    first = vote(client, headers, poll, "同意")
    retry = vote(client, headers, poll, "同意")
    other_key = vote(client, {**headers, "Idempotency-Key": "another"}, poll, "同意")
    by_body = vote(client, auth(world.resident2), poll, "反对", client_id="k-1")
    by_body_again = vote(client, auth(world.resident2), poll, "反对", client_id="k-1")

    assert (retry.status_code, retry.get_json()["receipt"]) == (201, first.get_json()["receipt"])
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert other_key.get_json()["error"]["code"] == "already_voted"
    assert by_body_again.get_json()["receipt"] == by_body.get_json()["receipt"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PollBallot)) == 2
    # The stored replay key is a hash with the user id: it names nobody without the client's key.
    from app.polls.models import PollReplay

    hashes = db.session.scalars(sa.select(PollReplay.key_hash)).all()
    assert "vote-7f3a" not in "".join(hashes)
    assert all(len(h) == 64 for h in hashes)

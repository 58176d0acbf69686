"""Every figure of the summary on the hand-built October scenario (tests/dashboard/scenario.py)."""

import pytest

SUMMARY = "/api/v1/dashboard/summary"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def ratio(numerator, denominator):
    return {"rate": round(numerator / denominator, 4), "numerator": numerator, "denominator": denominator}


def get_summary(client, headers, region, **period):
    response = client.get(
        SUMMARY, query_string={"region_id": region.id, **OCTOBER, **period}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_community_month_three_rates_with_counts(client, world, auth, scenario):
    body = get_summary(client, auth(world.worker), world.c1)

    assert body["region"] == {"id": world.c1.id, "name": "海裕社区", "level": "community"}
    assert body["period"]["start"] == "2026-09-30T16:00:00+00:00"
    assert body["period"]["end"] == "2026-10-31T16:00:00+00:00"
    # Due in October: R1 R2 R3 R9 (R4 rejected, R5's deadline is in November, R7's in September); R2 late.
    assert body["rates"]["response"] == ratio(3, 4)
    # Latest October ratings: R1 yes/5, R2 yes/3, R3 yes/4 (its first "no" superseded), R9 no/1.
    assert body["rates"]["resolution"] == ratio(3, 4)
    assert body["rates"]["satisfaction"] == ratio(2, 4)
    assert body["score"] == pytest.approx((30 * 0.75 + 35 * 0.75 + 35 * 0.5), abs=0.05)
    assert body["excluded"] == {"rejected": 1, "merged_duplicates": 0}


def test_community_month_counts_and_live_counts(client, world, auth, scenario):
    counts = get_summary(client, auth(world.worker), world.c1)["counts"]

    assert counts == {
        "submitted": 5,  # R1 R2 R3 R5 R9 (R4 rejected, R6 November, R7 September)
        "fixed": 3,  # R1 R2 R3 closed with an October resolution
        "redone": 2,  # R3 R9
        "supervised": 1,  # R9
        "open_now": 5,  # R5 R6 R7 R8 R9
        "yellow_now": 1,  # R8
        "red_now": 4,  # R5 R6 (signing) R7 (contact) R9 (resolve)
        "supervised_now": 1,
    }


def test_on_time_rates_and_timings(client, world, auth, scenario):
    body = get_summary(client, auth(world.worker), world.c1)

    assert body["on_time"] == {
        "sign": ratio(3, 4),  # R2 signed after 3 h of 2
        "contact": ratio(3, 4),  # R2 contacted after 30 h
        "resolve": ratio(2, 3),  # R2 after 8 d of 1; R9 is not resolved now
    }
    hour, day = 3600, 86400
    # sign: 1h 3h 1h 1h; contact: 3h 30h 2h 2h; resolve: 2d 8d 3d (percentile_cont interpolation).
    assert body["timings"] == {
        "sign": {"median_s": hour, "p90_s": round(hour + 0.7 * 2 * hour), "count": 4},
        "contact": {"median_s": round(2.5 * hour), "p90_s": round(3 * hour + 0.7 * 27 * hour), "count": 4},
        "resolve": {"median_s": 3 * day, "p90_s": round(3 * day + 0.8 * 5 * day), "count": 3},
    }


def test_drill_down_to_grids_and_subjects(client, world, auth, scenario):
    body = get_summary(client, auth(world.worker), world.c1)

    assert body["child_level"] == "grid"
    children = {row["region"]["id"]: row for row in body["children"]}
    assert set(children) == {world.g1.id, world.g2.id}
    assert children[world.g1.id]["counts"]["submitted"] == 5
    assert children[world.g1.id]["rates"]["response"] == ratio(3, 4)
    assert children[world.g2.id]["counts"]["submitted"] == 0
    assert children[world.g2.id]["rates"]["response"]["rate"] is None
    subjects = {row["subject"]["code"]: row for row in body["categories"]}
    assert subjects["noise"]["counts"]["submitted"] == 4
    assert subjects["noise"]["excluded"]["rejected"] == 1
    assert subjects["lift"]["counts"]["submitted"] == 1
    assert subjects["lift"]["rates"]["response"] == {"rate": 0.0, "numerator": 0, "denominator": 1}
    assert subjects["lift"]["rates"]["satisfaction"] == {"rate": 0.0, "numerator": 0, "denominator": 1}


def test_street_drills_down_to_communities(client, world, auth, scenario):
    body = get_summary(client, auth(world.street_staff), world.street1)

    assert body["counts"]["submitted"] == 6
    assert body["rates"]["response"] == ratio(4, 5)
    assert body["rates"]["resolution"] == ratio(4, 5)
    assert body["rates"]["satisfaction"] == ratio(3, 5)
    children = {row["region"]["id"]: row for row in body["children"]}
    assert children[world.c2.id]["rates"]["satisfaction"] == ratio(1, 1)
    assert children[world.c2.id]["score"] == 100.0
    assert children[world.c1.id]["counts"]["submitted"] == 5


def test_district_rolls_communities_up_into_streets(client, world, auth, scenario):
    body = get_summary(client, auth(world.admin), world.district)

    children = {row["region"]["id"]: row for row in body["children"]}
    assert children[world.street1.id]["counts"]["submitted"] == 6
    assert children[world.street2.id]["counts"]["submitted"] == 0
    assert children[world.street2.id]["score"] is None


@pytest.mark.parametrize(
    ("day", "reports"),
    [("2026-10-31", {5}), ("2026-11-01", {6})],
    ids=["23:59 local on the last day", "00:00 local the next day"],
)
def test_local_day_boundaries(client, world, auth, scenario, day, reports):
    body = get_summary(client, auth(world.worker), world.c1, **{"from": day, "to": day})

    assert body["counts"]["submitted"] == len(reports)
    assert body["period"]["timezone"] == "Asia/Shanghai"


def test_november_excludes_the_october_report_at_2359(client, world, auth, scenario):
    body = get_summary(client, auth(world.worker), world.c1, **{"from": "2026-11-01", "to": "2026-11-01"})
    october = get_summary(client, auth(world.worker), world.c1, **{"from": "2026-10-31", "to": "2026-10-31"})

    assert (body["counts"]["submitted"], october["counts"]["submitted"]) == (1, 1)
    # R5's signing deadline (2 h) fell on 1 Nov local and has passed; R5 was never contacted.
    assert october["rates"]["response"]["denominator"] == 0


def test_participation_notices_and_verified_residents(client, world, auth, scenario):
    body = get_summary(client, auth(world.worker), world.c1)

    participation = body["participation"]
    assert participation["verified_residents"] == {"total": 2, "new_in_period": 1, "pending": 1}
    # c1 notice: audience resident + resident2, read by resident (the worker's read does not count);
    # g1 notice: audience resident, read by resident.
    assert participation["notices"] == {"notices": 2, **ratio(2, 3)}


def test_polls_and_consultations_of_the_region_and_beneath_it_in_the_period(client, world, auth, scenario):
    """c1: a poll closed 31 Oct 23:30 local (12 ballots of 40), one closed 1 Nov 00:10 local (not October);
    a g1 consultation opened in October with two opinions and a reply by two people, one opinion on
    1 Nov local; a c2 consultation (another community) that never counts for c1."""
    from datetime import UTC, datetime

    from app.consultations.models import Consultation, ConsultationComment, ConsultationStatus, Stance
    from app.extensions import db
    from app.polls.models import Poll, PollStatus

    def poll(region, closed_at, ballots, eligible):
        db.session.add(Poll(region_id=region.id, created_by_id=world.committee.id, title="议题",
                            status=PollStatus.CLOSED, closes_at=closed_at, closed_at=closed_at,
                            ballot_count=ballots, roll_heads=eligible))  # fmt: skip

    poll(world.c1, datetime(2026, 10, 31, 15, 30, tzinfo=UTC), 12, 40)
    poll(world.c1, datetime(2026, 10, 31, 16, 10, tzinfo=UTC), 30, 40)
    opened = datetime(2026, 10, 10, 2, 0, tzinfo=UTC)
    here, there = (
        Consultation(
            region_id=region.id,
            author_id=world.committee.id,
            title="加装电梯",
            body="征求意见",
            status=ConsultationStatus.OPEN,
            opened_at=opened,
            closes_at=datetime(2026, 11, 30, tzinfo=UTC),
            outcome_due_at=datetime(2026, 12, 31, tzinfo=UTC),
        )
        for region in (world.g1, world.c2)
    )
    db.session.add_all([here, there])
    db.session.flush()

    def comment(consultation, by, at, *, parent=None, stance=Stance.FOR):
        row = ConsultationComment(
            consultation_id=consultation.id,
            author_id=by.id,
            body="意见",
            created_at=at,
            stance=None if parent else stance,
            parent_id=parent.id if parent else None,
        )
        db.session.add(row)
        db.session.flush()
        return row

    first = comment(here, world.resident, datetime(2026, 10, 11, 3, 0, tzinfo=UTC))
    comment(here, world.resident2, datetime(2026, 10, 12, 3, 0, tzinfo=UTC), stance=Stance.AGAINST)
    comment(here, world.resident2, datetime(2026, 10, 13, 3, 0, tzinfo=UTC), parent=first)
    comment(here, world.resident, datetime(2026, 10, 31, 16, 30, tzinfo=UTC))  # 1 Nov local
    comment(there, world.outsider, datetime(2026, 10, 11, 3, 0, tzinfo=UTC))
    db.session.commit()

    body = get_summary(client, auth(world.worker), world.c1)

    participation = body["participation"]
    assert participation["polls"] == {"polls": 1, "ballots": 12, "eligible": 40, "turnout": 0.3}
    assert participation["consultations"] == {"consultations": 1, "opinions": 2, "participants": 2}


def test_chat_first_responses_waiting_and_csat_of_the_communities(client, world, auth, scenario):
    """c1 in October: answered after 120 s (5 stars) and 600 s (3 stars); one asked 31 Oct 23:50 local, still
    waiting. Not counted: a c1 conversation of 1 Nov local, and one of c2."""
    from datetime import UTC, datetime, timedelta

    from app.chat.models import Conversation, ConversationStatus
    from app.extensions import db
    from tests.factories import UserFactory

    def conversation(who, community, asked, *, answered_after=None, rating=None):
        db.session.add(
            Conversation(
                resident_id=who.id,
                community_id=community.id,
                created_at=asked,
                first_message_at=asked,
                first_response_at=asked + timedelta(seconds=answered_after) if answered_after else None,
                status=ConversationStatus.RESOLVED if answered_after else ConversationStatus.OPEN,
                waiting_since=None if answered_after else asked,
                csat_rating=rating,
                rated_at=asked + timedelta(hours=1) if rating else None,
            )
        )

    conversation(
        world.resident, world.c1, datetime(2026, 10, 10, 2, 0, tzinfo=UTC), answered_after=120, rating=5
    )
    conversation(
        world.resident2, world.c1, datetime(2026, 10, 20, 2, 0, tzinfo=UTC), answered_after=600, rating=3
    )
    conversation(UserFactory(), world.c1, datetime(2026, 10, 31, 15, 50, tzinfo=UTC))
    conversation(
        UserFactory(), world.c1, datetime(2026, 10, 31, 16, 30, tzinfo=UTC), answered_after=60, rating=1
    )
    conversation(
        world.outsider, world.c2, datetime(2026, 10, 12, 2, 0, tzinfo=UTC), answered_after=30, rating=1
    )
    db.session.commit()

    chat = get_summary(client, auth(world.worker), world.c1)["chat"]

    assert chat["first_response"] == {"median_s": 360, "p90_s": 600, "count": 2}
    assert chat["waiting_now"] == 1
    assert chat["csat"] == {"rated": 2, "satisfied": 1, "rate": 0.5}


def test_default_period_is_this_local_month(client, world, auth, scenario):
    response = client.get(SUMMARY, headers=auth(world.worker))

    body = response.get_json()
    assert body["region"]["id"] == world.c1.id
    assert body["period"]["from"].endswith("-01")


def test_period_that_ends_before_it_starts_is_422(client, world, auth, categories):
    response = client.get(
        SUMMARY, query_string={"from": "2026-10-31", "to": "2026-10-01"}, headers=auth(world.worker)
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert "to" in response.get_json()["error"]["fields"]


def test_feature_figures_keep_their_shape_once_wired():
    from app.dashboard.participation import shape_feature_figures

    shaped = shape_feature_figures(
        {"first_response": {"median_s": 90, "p90_s": 600, "count": 12}, "waiting_now": 2,
         "csat": {"rated": 8, "satisfied": 6}},
        {"polls": 2, "ballots": 30, "eligible": 120},
        {"consultations": 1, "opinions": 14, "participants": 9},
    )  # fmt: skip

    assert shaped["chat"]["csat"] == {"rated": 8, "satisfied": 6, "rate": 0.75}
    assert shaped["polls"]["turnout"] == 0.25
    assert shaped["consultations"]["opinions"] == 14
    assert shaped["chat"]["first_response"]["median_s"] == 90

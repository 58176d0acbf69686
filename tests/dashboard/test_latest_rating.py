"""The latest-rating bookkeeping the summary counts from: a rating is superseded by the report's next one, the
report carries its latest verdict, and a redo across a month's end counts in each month with that month's
latest rating."""

from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report, ReportRating
from app.reports.workflow import Action
from tests.dashboard.scenario import D, H, rate, report, step

SUMMARY = "/api/v1/dashboard/summary"
# 30 Oct 2026 10:00 local; the second rating falls on 2 Nov local.
T = datetime(2026, 10, 30, 2, 0, tzinfo=UTC)


def ratio(numerator, denominator):
    return {"rate": round(numerator / denominator, 4), "numerator": numerator, "denominator": denominator}


def redone_across_the_month_end(w) -> Report:
    gw, res = w.grid_worker, w.resident
    rep = report(res, T)
    step(rep, gw, Action.ACCEPT, T + H)
    step(rep, gw, Action.CONTACT, T + 2 * H)
    step(rep, gw, Action.RESOLVE, T + 5 * H)
    rate(rep, res, T + 6 * H, resolved=False, satisfaction=2)  # 30 Oct: sent back for redo
    step(rep, gw, Action.RESOLVE, T + 2 * D)
    rate(rep, res, T + 3 * D, resolved=True, satisfaction=5)  # 2 Nov: resolved, closed
    return rep


def ratings_of(rep: Report) -> list[ReportRating]:
    return list(db.session.scalars(sa.select(ReportRating).where(ReportRating.report_id == rep.id)
                                   .order_by(ReportRating.round)))  # fmt: skip


def test_a_rating_is_superseded_by_the_next_and_the_report_keeps_the_latest_verdict(world, categories):
    gw, res = world.grid_worker, world.resident
    rep = report(res, T)
    step(rep, gw, Action.ACCEPT, T + H)
    step(rep, gw, Action.CONTACT, T + 2 * H)
    step(rep, gw, Action.RESOLVE, T + 5 * H)
    assert (rep.rated_at, rep.rated_resolved, rep.rated_satisfaction) == (None, None, None)

    rate(rep, res, T + 6 * H, resolved=False, satisfaction=2)
    first = ratings_of(rep)
    assert [r.superseded_at for r in first] == [None]
    assert (rep.rated_at, rep.rated_resolved, rep.rated_satisfaction) == (T + 6 * H, False, 2)

    step(rep, gw, Action.RESOLVE, T + 2 * D)
    rate(rep, res, T + 3 * D, resolved=True, satisfaction=5)
    db.session.expire_all()
    both = ratings_of(rep)
    assert [(r.round, r.superseded_at) for r in both] == [(first[0].round, T + 3 * D), (both[1].round, None)]
    rep = db.session.get(Report, rep.id)
    assert (rep.rated_at, rep.rated_resolved, rep.rated_satisfaction) == (T + 3 * D, True, 5)


def test_a_redo_across_the_month_end_counts_in_each_month_its_latest_rating(client, world, auth, categories):
    redone_across_the_month_end(world)
    headers = auth(world.worker)

    def rates(first, last):
        query = {"region_id": world.c1.id, "from": first, "to": last}
        response = client.get(SUMMARY, query_string=query, headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["rates"]

    october = rates("2026-10-01", "2026-10-31")  # the "not resolved, 2" of 30 Oct, superseded in November
    assert october["resolution"] == ratio(0, 1)
    assert october["satisfaction"] == ratio(0, 1)
    november = rates("2026-11-01", "2026-11-30")  # the "resolved, 5" of 2 Nov
    assert november["resolution"] == ratio(1, 1)
    assert november["satisfaction"] == ratio(1, 1)
    both = rates("2026-10-01", "2026-11-30")  # one report, counted once: its latest rating of the two months
    assert both["resolution"] == ratio(1, 1)
    # A district-wide view counts the same (the root district has no place filter).
    query = {"region_id": world.district.id, "from": "2026-10-01", "to": "2026-10-31"}
    district = client.get(SUMMARY, query_string=query, headers=auth(world.admin)).get_json()["rates"]
    assert district["resolution"] == ratio(0, 1)

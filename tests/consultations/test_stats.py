"""consultation_figures for the dashboard: counts per regions (with their subtrees) and a half-open period."""

from datetime import UTC, datetime, timedelta

from app.consultations.models import ConsultationComment, ConsultationSupport
from app.consultations.stats import consultation_figures
from app.extensions import db
from tests.consultations.helpers import make_consultation


def test_figures_count_opinions_and_people_in_the_period_and_regions(world):
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    in_c1 = make_consultation(world.committee, world.c1, open=True, now=t0, closes_at=t0 + 100 * hour)
    in_c2 = make_consultation(world.worker2, world.c2, open=True, now=t0, closes_at=t0 + 100 * hour)

    def comment(c, user, at, parent=None, stance="for"):
        row = ConsultationComment(
            consultation_id=c.id,
            author_id=user.id,
            body="x",
            created_at=at,
            parent_id=parent.id if parent else None,
            stance=None if parent else stance,
        )
        db.session.add(row)
        db.session.flush()
        return row

    first = comment(in_c1, world.resident, t0 + hour)
    comment(in_c1, world.committee, t0 + 2 * hour, parent=first)  # a reply: a participant, not an opinion
    comment(in_c1, world.resident2, t0 + 10 * hour)  # exactly at the end: outside [start, end)
    comment(in_c2, world.outsider, t0 + hour)  # another community
    db.session.add(
        ConsultationSupport(consultation_id=in_c1.id, user_id=world.resident2.id, created_at=t0 + hour)
    )
    db.session.commit()

    figures = consultation_figures([world.c1.id], t0, t0 + 10 * hour)
    street = consultation_figures([world.street1.id], t0, t0 + 11 * hour)

    assert figures == {"consultations": 1, "opinions": 1, "participants": 3}
    assert street == {"consultations": 2, "opinions": 3, "participants": 4}
    assert consultation_figures([world.c3.id], t0, t0 + 11 * hour) == {
        "consultations": 0, "opinions": 0, "participants": 0,
    }  # fmt: skip
    assert consultation_figures([], t0, t0 + hour)["opinions"] == 0

"""The demo seed files a few reports in different states, once."""

import sqlalchemy as sa

from app.demo import seed_demo
from app.extensions import db
from app.reports.models import Report, ReportEvent


def test_demo_reports_cover_the_workflow_and_are_made_once():
    summary = seed_demo()
    statuses = sorted(db.session.scalars(sa.select(Report.status)))
    events = db.session.scalar(sa.select(sa.func.count()).select_from(ReportEvent))

    again = seed_demo()

    assert "reports" in summary
    assert statuses == ["accepted", "accepted", "closed", "resolved", "submitted", "submitted"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportEvent)) == events
    assert any(
        line.split()[:1] == ["reports"] and line.rstrip().endswith("0 created now")
        for line in again.splitlines()
    )

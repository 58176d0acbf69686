"""Indexes the dashboard's period queries need on the reports tables, declared here so the reports models stay
as they are: each period figure starts from one timestamp range (bench/bench_dashboard.py)."""

import sqlalchemy as sa

from app.reports.models import Report, ReportRating

_OPEN = sa.text("status IN ('submitted', 'accepted', 'in_progress')")

_SUPERSEDED = sa.text("superseded_at IS NOT NULL")

INDEXES = (
    sa.Index("ix_reports_created_at", Report.created_at),
    sa.Index("ix_reports_contact_due", Report.contact_due),
    sa.Index("ix_reports_resolved_at", Report.resolved_at),
    sa.Index("ix_report_ratings_created_at", ReportRating.created_at),
    sa.Index("ix_reports_rated_at", Report.rated_at),
    # Superseded ratings (a redo followed) are few; the summary reads only those given in its period.
    sa.Index(
        "ix_report_ratings_superseded",
        ReportRating.created_at,
        postgresql_where=_SUPERSEDED,
        sqlite_where=_SUPERSEDED,
    ),
    # Open reports are few; the live counts and the overdue list read only them.
    sa.Index("ix_reports_open_due", Report.due_at, Report.id, postgresql_where=_OPEN, sqlite_where=_OPEN),
    sa.Index("ix_reports_open_community", Report.community_id, postgresql_where=_OPEN, sqlite_where=_OPEN),
)

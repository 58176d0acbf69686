"""Poll figures for the dashboard: turnout of the polls closed in a period, in regions and beneath them."""

from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.polls.models import Poll, PollStatus
from app.regions.models import Region


def poll_turnout(region_ids: list[int], start: datetime, end: datetime) -> dict:
    """{"polls", "ballots", "eligible"} over polls closed in [start, end) (UTC) whose region is one of
    `region_ids` or lies beneath one of them; eligible is the voter keys on their frozen rolls."""
    if not region_ids:
        return {"polls": 0, "ballots": 0, "eligible": 0}
    paths = db.session.scalars(sa.select(Region.path).where(Region.id.in_(region_ids))).all()
    if not paths:
        return {"polls": 0, "ballots": 0, "eligible": 0}
    within = sa.select(Region.id).where(sa.or_(*[Region.path.startswith(p) for p in paths]))
    row = db.session.execute(
        sa.select(
            sa.func.count(Poll.id),
            sa.func.coalesce(sa.func.sum(Poll.ballot_count), 0),
            sa.func.coalesce(sa.func.sum(Poll.roll_heads), 0),
        ).where(
            Poll.status == PollStatus.CLOSED,
            Poll.closed_at >= start,
            Poll.closed_at < end,
            Poll.region_id.in_(within),
        )
    ).one()
    return {"polls": int(row[0]), "ballots": int(row[1]), "eligible": int(row[2])}

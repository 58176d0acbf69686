"""The polls' periodic job, run by the outbox worker: open due polls, remind before close, close due polls."""

import sqlalchemy as sa

from app.extensions import db
from app.outbox import every, now
from app.polls import notify, service
from app.polls.models import Poll, PollStatus

TICK_SECONDS = 30
BATCH = 50


@every(TICK_SECONDS, name="polls.tick")
def _tick() -> None:
    tick(now())


def tick(at) -> dict:
    """One pass; returns how many polls were opened, reminded and closed (a batch of each)."""
    done = {"opened": 0, "reminded": 0, "closed": 0}

    def due(*where):
        stmt = sa.select(Poll).where(*where).order_by(Poll.id).limit(BATCH)
        if db.session.get_bind().dialect.name == "postgresql":
            # Several workers, or a ballot request holding the row: skip it, the next tick gets it.
            stmt = stmt.with_for_update(skip_locked=True, of=Poll)
        return list(db.session.scalars(stmt))

    for poll in due(Poll.status == PollStatus.SCHEDULED, Poll.opens_at <= at, Poll.closes_at > at):
        service.open_poll(poll, at)
        done["opened"] += 1
    for poll in due(
        Poll.status == PollStatus.OPEN,
        Poll.reminded_at.is_(None),
        Poll.closes_at > at,
        Poll.closes_at <= at + service.REMIND_BEFORE,
    ):
        poll.reminded_at = at
        notify.closing_soon(poll)
        done["reminded"] += 1
    for poll in due(Poll.status != PollStatus.CLOSED, Poll.closes_at <= at):
        if poll.status == PollStatus.SCHEDULED:
            # Never opened (the worker was down the whole time): freeze the roll so the totals still publish.
            service.open_poll(poll, at, announce=False)
        service.close_poll(poll, at)
        done["closed"] += 1
    db.session.flush()
    return done

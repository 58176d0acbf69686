"""Chat figures for the dashboard: first response times, conversations waiting now, and CSAT."""

import math
import statistics
from datetime import datetime

import sqlalchemy as sa

from app.chat.models import Conversation, ConversationStatus
from app.extensions import db

C = Conversation


def chat_figures(community_ids: list[int], start: datetime, end: datetime) -> dict:
    """Over conversations of these communities created in [start, end) (aware UTC datetimes):
    first response (seconds from the resident's first message to the first worker answer; median, p90 by
    nearest rank, and how many were answered), and CSAT (rated, satisfied = 4 or 5 stars).
    `waiting_now` counts open conversations of these communities waiting for an answer at this moment,
    whenever they were created."""
    ids = list(community_ids)
    window = sa.and_(C.community_id.in_(ids), C.created_at >= start, C.created_at < end)
    pairs = db.session.execute(
        sa.select(C.first_message_at, C.first_response_at).where(
            window, C.first_message_at.is_not(None), C.first_response_at.is_not(None)
        )
    ).all()
    waits = sorted(max((answered - asked).total_seconds(), 0.0) for asked, answered in pairs)
    rated, satisfied = db.session.execute(
        sa.select(
            sa.func.count(C.rated_at),
            sa.func.count(sa.case((C.csat_rating >= 4, 1))),
        ).where(window, C.rated_at.is_not(None))
    ).one()
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(C)
        .where(C.community_id.in_(ids), C.status == ConversationStatus.OPEN, C.waiting_since.is_not(None))
    )
    return {
        "first_response": {
            "median_s": statistics.median(waits) if waits else None,
            "p90_s": waits[math.ceil(0.9 * len(waits)) - 1] if waits else None,
            "count": len(waits),
        },
        "waiting_now": int(waiting or 0),
        "csat": {"rated": int(rated or 0), "satisfied": int(satisfied or 0)},
    }

"""Helpers for consultation tests: posting through the service, reading outbox rows and audit entries."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.consultations import service
from app.consultations.models import Consultation
from app.core.db import utcnow
from app.extensions import db
from app.outbox.models import OutboxEvent
from app.regions.models import Region

BASE = "/api/v1/consultations"


def make_consultation(
    by: User, region: Region, *, open: bool = False, now: datetime | None = None, **overrides
) -> Consultation:
    """A committed consultation posted through the service; closes in 7 days, answer due in 14."""
    now = now or utcnow()
    fields = {
        "title": "小区东门加装电动车充电棚",
        "body": "拟在东门空地加装充电棚，请大家发表意见。",
        "closes_at": now + timedelta(days=7),
        "outcome_due_at": now + timedelta(days=14),
        **overrides,
    }
    consultation = service.create_consultation(by=by, region_id=region.id, open=open, now=now, **fields)
    db.session.commit()
    return consultation


def iso(moment: datetime) -> str:
    return moment.isoformat()


def fanouts() -> list[dict]:
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(OutboxEvent).where(OutboxEvent.kind == "push.fanout").order_by(OutboxEvent.id)
    )
    return [{"message": e.payload["message"], "audience": e.payload["audience"]} for e in rows]


def clear_outbox() -> None:
    db.session.execute(sa.delete(OutboxEvent).where(OutboxEvent.kind == "push.fanout"))
    db.session.commit()


def opinion(client, headers, consultation_id: int, body: str = "同意", stance: str | None = "for", **extra):
    payload = {"body": body, **({"stance": stance} if stance is not None else {}), **extra}
    return client.post(f"{BASE}/{consultation_id}/comments", json=payload, headers=headers)


def count(model) -> int:
    """Rows committed, on a connection of its own: a failed request's flushed rows must not count."""
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model))

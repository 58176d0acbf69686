"""Plain helpers shared by the report tests."""

from datetime import datetime

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.reports import service
from app.reports.models import Report
from app.reports.workflow import Action, move_report

REPORTS = "/api/v1/reports"
# Inside 海裕第一网格 (g1, the square 113.88–113.89 × 22.55–22.56) and 海裕第二网格 (g2, east of it).
IN_G1 = {"lat": 22.555, "lng": 113.885}
IN_G2 = {"lat": 22.555, "lng": 113.895}
IN_G3 = {"lat": 22.565, "lng": 113.885}
NOWHERE = {"lat": 22.70, "lng": 114.20}


def body(**overrides) -> dict:
    return {"category": "env.garbage", "description": "楼下垃圾堆了三天没人清", **IN_G1, **overrides}


def count(model=Report) -> int:
    """Committed rows only, asked on a connection of our own."""
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model))


def make_report(by: User, *, now: datetime | None = None, **overrides) -> Report:
    """A committed report straight through the service (no HTTP), routed like any other."""
    fields = body(**overrides)
    report, _ = service.create_report(by=by, now=now, **fields)
    db.session.commit()
    return report


def advance(report: Report, by: User, *actions: Action, now: datetime | None = None, **fields) -> Report:
    """Move a committed report through `actions` as `by` (a user allowed to), then commit."""
    for action in actions:
        extra = dict(fields)
        if action in (Action.RESOLVE, Action.REJECT, Action.REOPEN, Action.CLOSE, Action.EXTEND):
            extra.setdefault("note", f"{action} note")
        move_report(report, action, by=by, now=now, **extra)
        db.session.flush()
    db.session.commit()
    return report


def transition(client, headers, report_id: int, action: str, **fields):
    return client.post(
        f"{REPORTS}/{report_id}/transitions", json={"action": action, **fields}, headers=headers
    )


def actions_of(detail: dict) -> list[str]:
    return [entry["action"] for entry in detail["timeline"]]

"""Background jobs of consultations, run by the outbox worker every minute: close the due ones, flag late
outcomes to the level above."""

from app.consultations.service import close_due, flag_overdue
from app.outbox import every, now

TICK_SECONDS = 60


@every(TICK_SECONDS, name="consultations.tick")
def _tick() -> None:
    at = now()
    close_due(at)
    flag_overdue(at)

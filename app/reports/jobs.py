"""Background jobs of reports, run by the outbox worker: the deadline check, every minute."""

from app.outbox import every, now
from app.reports.deadlines import check_deadlines

DEADLINE_CHECK_SECONDS = 60


@every(DEADLINE_CHECK_SECONDS, name="reports.check_deadlines")
def _check_deadlines() -> None:
    check_deadlines(now())

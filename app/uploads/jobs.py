"""Background jobs of uploads, run by the outbox worker: dropping images nobody attached, hourly."""

from datetime import timedelta

from app.outbox import every, now
from app.uploads.service import ORPHAN_HOURS, purge_orphans


@every(3600, name="uploads.purge_orphans")
def _purge_orphans() -> None:
    purge_orphans(now() - timedelta(hours=ORPHAN_HOURS))

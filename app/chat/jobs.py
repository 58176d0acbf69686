"""Background jobs of chat, run by the outbox worker: sharing with the whole community the conversations
their grid worker left unanswered, and those of a grid left with no worker on duty."""

from app.chat.service import share_overdue, share_unattended
from app.outbox import every, now

SHARE_CHECK_SECONDS = 30


@every(SHARE_CHECK_SECONDS, name="chat.share_overdue")
def _share_overdue() -> None:
    at = now()
    share_overdue(at)
    share_unattended(at)

"""Background jobs of chat, run by the outbox worker: sharing conversations their grid worker left
unanswered with the whole community."""

from app.chat.service import share_overdue
from app.outbox import every, now

SHARE_CHECK_SECONDS = 30


@every(SHARE_CHECK_SECONDS, name="chat.share_overdue")
def _share_overdue() -> None:
    share_overdue(now())

"""Working hours of the community workstations (CHAT_WORKING_HOURS/DAYS, local time) and the automatic
reply sent outside them."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def _hours() -> tuple[time, time]:
    start, end = current_app.config["CHAT_WORKING_HOURS"].split("-")
    opens = time.fromisoformat(start.strip())
    closes = time(23, 59, 59, 999999) if end.strip() == "24:00" else time.fromisoformat(end.strip())
    return opens, closes


def _days() -> set[int]:
    return {int(d) for d in current_app.config["CHAT_WORKING_DAYS"].split(",") if d.strip()}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def is_working_time(at: datetime) -> bool:
    local = at.astimezone(_zone())
    opens, closes = _hours()
    return local.isoweekday() in _days() and opens <= local.time() < closes


def next_opening(at: datetime) -> datetime:
    """The next moment the workstation opens after `at` (in UTC)."""
    local = at.astimezone(_zone())
    opens, _ = _hours()
    days = _days()
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        start = datetime.combine(day, opens, tzinfo=_zone())
        if day.isoweekday() in days and start > local:
            return start.astimezone(UTC)
    return at


def auto_reply_text(at: datetime) -> str:
    opens, closes = _hours()
    nxt = next_opening(at).astimezone(_zone())
    return (
        f"您好，现在是非工作时间（工作时间 {opens:%H:%M}–{closes:%H:%M}）。"
        f"您的留言已收到，工作人员将在 {nxt.month}月{nxt.day}日 {nxt:%H:%M} 后尽快回复您。"
        "如遇紧急情况请拨打 110 / 119 / 120。"
    )

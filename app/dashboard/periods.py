"""Reporting periods in local time (Asia/Shanghai by default): local dates in, UTC half-open bounds out."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from app.core.db import utcnow
from app.core.errors import UnprocessableError

MAX_DAYS = 366


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


@dataclass(frozen=True)
class Period:
    """Local dates `first`..`last`, both included; `start` and `end` are the UTC instants bounding them
    (start inclusive, end exclusive), so a report at 23:59:59 local on `last` is in and 00:00 next is out."""

    first: date
    last: date
    start: datetime
    end: datetime
    timezone: str

    def view(self) -> dict:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "timezone": self.timezone,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def period(first: date, last: date) -> Period:
    if last < first:
        raise UnprocessableError(fields={"to": ["The period ends before it starts."]})
    if (last - first).days >= MAX_DAYS:
        raise UnprocessableError(fields={"to": [f"A period spans at most {MAX_DAYS} days."]})
    zone = local_zone()
    return Period(
        first, last, local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone), zone.key
    )


def today() -> date:
    return utcnow().astimezone(local_zone()).date()


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return period(first, following - timedelta(days=1))


def resolve(first: date | None, last: date | None) -> Period:
    """Defaults: from the first of the current local month, to today."""
    now = today()
    return period(first or now.replace(day=1), last or max(now, first or now))


def parse_month(value: str) -> Period:
    """'YYYY-MM' → that local calendar month."""
    try:
        day = datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise UnprocessableError(fields={"period": ["Use a month as YYYY-MM."]}) from exc
    return month_of(day)

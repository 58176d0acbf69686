"""Rows sent to PostgreSQL as one JSON parameter (app.core.db.json_rows): what each value becomes."""

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest

from app.chat.models import MessageKind
from app.core.db import json_rows


def test_timestamps_keep_their_zone_and_enums_their_values():
    at = datetime(2026, 12, 6, 8, 30, 0, 125000, tzinfo=timezone(timedelta(hours=8)))
    rows = orjson.loads(json_rows([{"created_at": at, "kind": MessageKind.AUTO, "seq": 3, "body": "好"}]))
    expected = {"created_at": "2026-12-06T08:30:00.125000+08:00", "kind": "auto", "seq": 3, "body": "好"}
    assert rows == [expected]
    assert datetime.fromisoformat(rows[0]["created_at"]) == at.astimezone(UTC)


def test_a_naive_timestamp_is_refused_as_the_columns_refuse_it():
    with pytest.raises(TypeError) as refused:
        json_rows([{"run_at": datetime(2026, 12, 6, 8, 30)}])
    assert "Naive datetimes are ambiguous" in str(refused.value.__cause__)

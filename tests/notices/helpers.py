"""Plain helpers shared by the notice tests."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.notices.models import Notice


def count(model) -> int:
    """Committed rows only: requests in tests share the test's session, so ask on a connection of our own."""
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model))


def hours(n: float):
    return utcnow() + timedelta(hours=n)


def feed_ids(client, headers, **params) -> list[int]:
    response = client.get("/api/v1/notices", headers=headers, query_string={"limit": 100, **params})
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["data"]]


def bulk_notices(world, n: int, *, start=None) -> list[int]:
    """n published notices spread over the first community's chain, inserted without the service."""
    start = start or utcnow() - timedelta(days=1)
    regions = [world.g1, world.c1, world.street1, world.district]
    rows = [
        Notice(
            region_id=regions[i % len(regions)].id,
            author_id=world.worker.id,
            title=f"通知 {i}",
            body="内容",
            pinned=i % 11 == 0,
            # Every third shares a timestamp with its neighbour, so the id tie-break matters.
            publish_at=start + timedelta(minutes=i - i % 3),
        )
        for i in range(n)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [r.id for r in rows]

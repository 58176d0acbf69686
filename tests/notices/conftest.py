"""Fixtures for notice tests: post notices straight through the service."""

import pytest

from app.extensions import db
from app.notices import service


@pytest.fixture
def post(world):
    """post(region=c1, by=worker, **fields) -> id of a committed notice."""

    def _post(region=None, by=None, *, title="停水通知", body="明天上午停水。", **fields):
        notice = service.create_notice(
            by=by or world.worker, region_id=(region or world.c1).id, title=title, body=body, **fields
        )
        db.session.commit()
        return notice.id

    return _post

"""Fixtures for Open311 tests: categories, and a live API key issued by the admin."""

import pytest

from app.extensions import db
from app.open311 import keys
from app.reports.categories import seed_categories


@pytest.fixture(autouse=True)
def categories(app):
    seed_categories()
    db.session.commit()


@pytest.fixture
def api_key(world) -> str:
    _row, key = keys.issue_key(by=world.admin, name="深圳12345平台")
    db.session.commit()
    return key

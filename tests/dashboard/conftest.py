"""Fixtures for dashboard tests: the seeded categories and the hand-built October scenario."""

import pytest

from app.extensions import db
from app.reports.categories import seed_categories
from tests.dashboard.scenario import Scenario


@pytest.fixture
def categories():
    seed_categories()
    db.session.commit()


@pytest.fixture
def scenario(world, categories, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", tmp_path / "uploads")
    return Scenario.build(world)

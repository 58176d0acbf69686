"""Fixtures for consultation tests: an upload directory, and an open consultation of 海裕社区 (c1)."""

import pytest

from tests.consultations.helpers import make_consultation


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", path)
    return path


@pytest.fixture
def consultation(world):
    return make_consultation(world.committee, world.c1, open=True)

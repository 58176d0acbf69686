"""Fixtures for upload tests: a private storage directory per test, and images made on the spot."""

import pytest


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", path)
    return path

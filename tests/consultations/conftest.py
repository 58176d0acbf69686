"""Fixtures for consultation tests: an open consultation of 海裕社区 (c1)."""

import pytest

from tests.consultations.helpers import make_consultation


@pytest.fixture
def consultation(world):
    return make_consultation(world.committee, world.c1, open=True)

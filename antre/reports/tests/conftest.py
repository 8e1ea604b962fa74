"""The hand-built day (``hand_day.py``) as a fixture of the report tests."""

from __future__ import annotations

import pytest

from antre.reports.tests.hand_day import HandDay, build_hand_day
from antre.testing.personas import City


@pytest.fixture
def hand_day(city: City) -> HandDay:
    return build_hand_day(city)

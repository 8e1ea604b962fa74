"""Project-wide pytest fixtures: the frozen clock, personas, and the test services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from antre.core import clock
from antre.testing.personas import City, build_city

# A Tuesday morning in Bekasi: inside opening hours, not a holiday.
DEFAULT_NOW = "2026-06-02T09:05:00+07:00"


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[clock.FrozenClock]:
    """Every test runs on a frozen clock; move it with ``frozen_clock.advance``."""
    with clock.freeze(DEFAULT_NOW) as frozen:
        yield frozen


@pytest.fixture
def city(db: None) -> City:
    return build_city()

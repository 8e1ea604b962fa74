"""Slots for the citizen pages' tests. The clock is frozen at Tuesday
2 June 2026 09:05 WIB (the root conftest)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from antre.booking.models import Slot
from antre.catalog.models import SiteService
from antre.testing import factories as f
from antre.testing.personas import City

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def at(day: str, time: str, tz: dt.tzinfo = JAKARTA) -> dt.datetime:
    """An instant from a local date and time: at("2026-06-03", "09:00")."""
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=tz)


def make_slot(
    site_service: SiteService,
    day: str,
    time: str,
    *,
    capacity: int = 5,
    booked: int = 0,
    minutes: int = 30,
    **fields: object,
) -> Slot:
    start = at(day, time, site_service.site.tzinfo)
    return f.SlotFactory(
        site_service=site_service,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        capacity=capacity,
        booked=booked,
        **fields,
    )


@pytest.fixture
def site_service_sa(city: City) -> SiteService:
    """Layanan A at Gerai S, the service most tests book."""
    return city.site_service(city.site_s, city.service_a)


@pytest.fixture
def slots(site_service_sa: SiteService) -> dict[str, Slot]:
    """Wednesday 3 June: two slots with seats and a full one; Thursday 4 June
    full; Friday 5 June one slot."""
    return {
        "wed_0900": make_slot(site_service_sa, "2026-06-03", "09:00", capacity=5, booked=2),
        "wed_0930": make_slot(site_service_sa, "2026-06-03", "09:30", capacity=5),
        "wed_1000_full": make_slot(site_service_sa, "2026-06-03", "10:00", capacity=3, booked=3),
        "thu_full": make_slot(site_service_sa, "2026-06-04", "09:00", capacity=2, booked=2),
        "fri_0900": make_slot(site_service_sa, "2026-06-05", "09:00", capacity=4),
    }

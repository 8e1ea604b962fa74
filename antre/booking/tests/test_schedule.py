import datetime as dt

import pytest

from antre.booking.models import Slot
from antre.booking.schedule import materialise_slots
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def test_slots_follow_rules_hours_and_closures():
    rule = f.ScheduleRuleFactory(starts_at=dt.time(9), ends_at=dt.time(11), slot_minutes=30)
    site_service = rule.site_service
    f.ClosureFactory(site=site_service.site, start_date=dt.date(2026, 6, 4))

    changes = materialise_slots(
        site_service=site_service, start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 7)
    )

    starts = [slot.start.astimezone(site_service.site.tzinfo) for slot in Slot.objects.all()]
    days = sorted({start.date() for start in starts})
    # Tuesday 2 June from 09:05 (09:00 has begun), Wed 3, Fri 5; Thu 4 is closed; no weekend.
    assert days == [dt.date(2026, 6, 2), dt.date(2026, 6, 3), dt.date(2026, 6, 5)]
    assert changes.created == 3 + 4 + 4
    assert {start.strftime("%H:%M") for start in starts} == {"09:00", "09:30", "10:00", "10:30"}


def test_regeneration_keeps_booked_slots_and_capacity_floor():
    rule = f.ScheduleRuleFactory(starts_at=dt.time(9), ends_at=dt.time(10), capacity=5)
    site_service = rule.site_service
    materialise_slots(site_service=site_service, start=dt.date(2026, 6, 3), end=dt.date(2026, 6, 3))
    booked_slot, free_slot = Slot.objects.order_by("start")
    f.BookingFactory(slot=booked_slot)
    Slot.objects.filter(pk=booked_slot.pk).update(booked=3)

    rule.starts_at, rule.ends_at, rule.capacity = dt.time(13), dt.time(14), 2
    rule.save()
    changes = materialise_slots(
        site_service=site_service, start=dt.date(2026, 6, 3), end=dt.date(2026, 6, 3)
    )

    booked_slot.refresh_from_db()
    assert not booked_slot.is_open
    assert booked_slot.booked == 3
    assert not Slot.objects.filter(pk=free_slot.pk).exists()
    assert changes.deleted == 1
    assert changes.closed == 1
    assert changes.created == 2

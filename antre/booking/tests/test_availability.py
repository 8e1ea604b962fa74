"""The reads behind the slot picker: a month calendar in the site's zone,
a day's slots, and the earliest free slot at the other sites."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from antre.booking.availability import (
    DayState,
    active_booking_for,
    day_slots,
    earliest_free_slots_elsewhere,
    find_slot,
    month_calendar,
    sites_offering,
)
from antre.booking.models import BookingStatus
from antre.catalog.models import Closure
from antre.catalog.selectors import find_offered_site_service
from antre.testing import factories as f
from antre.testing.personas import City

pytestmark = pytest.mark.django_db

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
MAKASSAR = zoneinfo.ZoneInfo("Asia/Makassar")
JUNE = dt.date(2026, 6, 1)


def at(day: str, time: str, tz: dt.tzinfo = JAKARTA) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=tz)


def slot(site_service, day, time, *, capacity=5, booked=0, tz=JAKARTA, **fields):
    start = at(day, time, tz)
    return f.SlotFactory(
        site_service=site_service,
        start=start,
        end=start + dt.timedelta(minutes=30),
        capacity=capacity,
        booked=booked,
        **fields,
    )


def loaded(city: City, site, service):
    return find_offered_site_service(site_slug=site.slug, service_slug=service.slug)


def by_date(calendar):
    return {entry.date: entry for entry in calendar}


def test_a_month_has_every_day_with_its_state(city: City) -> None:
    site_service = loaded(city, city.site_s, city.service_a)
    slot(site_service, "2026-06-03", "09:00", capacity=5, booked=2)
    slot(site_service, "2026-06-03", "09:30", capacity=5)
    slot(site_service, "2026-06-04", "09:00", capacity=2, booked=2)
    f.ClosureFactory(site=None, start_date=dt.date(2026, 6, 16), reason="Tahun Baru Islam")

    calendar = month_calendar(site_service=site_service, month=dt.date(2026, 6, 17))

    days = by_date(calendar)
    assert [entry.date for entry in calendar] == [dt.date(2026, 6, day) for day in range(1, 31)]
    assert days[dt.date(2026, 6, 1)].state == DayState.OUTSIDE  # yesterday
    assert days[dt.date(2026, 6, 3)].state == DayState.AVAILABLE
    assert days[dt.date(2026, 6, 3)].free_seats == 8
    assert days[dt.date(2026, 6, 3)].slot_count == 2
    assert days[dt.date(2026, 6, 4)].state == DayState.FULL
    assert days[dt.date(2026, 6, 4)].free_seats == 0
    assert days[dt.date(2026, 6, 5)].state == DayState.NO_SLOTS
    assert days[dt.date(2026, 6, 6)].state == DayState.CLOSED  # Saturday
    assert days[dt.date(2026, 6, 6)].closure_reason == ""
    assert days[dt.date(2026, 6, 16)].state == DayState.CLOSED
    assert days[dt.date(2026, 6, 16)].closure_reason == "Tahun Baru Islam"


def test_days_beyond_the_booking_window_are_outside(city: City) -> None:
    city.service_a.booking_opens_days = 7
    city.service_a.save()
    site_service = loaded(city, city.site_s, city.service_a)
    slot(site_service, "2026-06-09", "09:00")
    slot(site_service, "2026-06-10", "09:00")

    days = by_date(month_calendar(site_service=site_service, month=JUNE))

    assert days[dt.date(2026, 6, 9)].state == DayState.AVAILABLE  # today + 7
    assert days[dt.date(2026, 6, 10)].state == DayState.OUTSIDE


def test_todays_slots_past_the_cut_off_are_not_offered(city: City) -> None:
    # 09:05 now, bookings close 60 minutes before the start.
    site_service = loaded(city, city.site_s, city.service_a)
    slot(site_service, "2026-06-02", "10:00")
    late = slot(site_service, "2026-06-02", "10:30", capacity=3)

    days = by_date(month_calendar(site_service=site_service, month=JUNE))

    assert days[dt.date(2026, 6, 2)].state == DayState.AVAILABLE
    assert days[dt.date(2026, 6, 2)].free_seats == 3
    assert [
        choice.slot_id for choice in day_slots(site_service=site_service, day=dt.date(2026, 6, 2))
    ] == [late.pk]


def test_a_day_whose_slots_are_all_past_the_cut_off_has_no_slots(city: City) -> None:
    site_service = loaded(city, city.site_s, city.service_a)
    slot(site_service, "2026-06-02", "09:30")

    days = by_date(month_calendar(site_service=site_service, month=JUNE))

    assert days[dt.date(2026, 6, 2)].state == DayState.NO_SLOTS


def test_closed_slots_and_a_service_closure_count_for_nothing(city: City) -> None:
    site_service = loaded(city, city.site_s, city.service_a)
    slot(site_service, "2026-06-03", "09:00", is_open=False)
    slot(site_service, "2026-06-08", "09:00")
    f.ClosureFactory(
        site=city.site_s,
        service=city.service_a,
        start_date=dt.date(2026, 6, 8),
        reason="Server SIM",
    )
    f.ClosureFactory(
        site=city.site_s, service=city.service_b, start_date=dt.date(2026, 6, 9), reason="Lain"
    )

    days = by_date(month_calendar(site_service=site_service, month=JUNE))

    assert days[dt.date(2026, 6, 3)].state == DayState.NO_SLOTS
    assert days[dt.date(2026, 6, 8)].state == DayState.CLOSED
    assert days[dt.date(2026, 6, 8)].closure_reason == "Server SIM"
    assert days[dt.date(2026, 6, 9)].state == DayState.NO_SLOTS


def test_a_site_wide_closure_names_the_day_over_a_service_one(city: City) -> None:
    site_service = loaded(city, city.site_s, city.service_a)
    f.ClosureFactory(
        site=city.site_s, service=city.service_a, start_date=dt.date(2026, 6, 16), reason="Servis"
    )
    f.ClosureFactory(
        site=None,
        start_date=dt.date(2026, 6, 16),
        reason="Tahun Baru Islam",
        source=Closure.Source.NATIONAL_HOLIDAY,
    )

    days = by_date(month_calendar(site_service=site_service, month=JUNE))

    assert days[dt.date(2026, 6, 16)].closure_reason == "Tahun Baru Islam"


def test_slots_are_grouped_by_the_sites_local_date(city: City) -> None:
    # 07:30 WITA on 4 June is 23:30 UTC on 3 June.
    makassar = f.SiteFactory(slug="gerai-makassar", timezone="Asia/Makassar")
    f.SiteServiceFactory(site=makassar, service=city.service_a)
    site_service = loaded(city, makassar, city.service_a)
    early = slot(site_service, "2026-06-04", "07:30", tz=MAKASSAR)

    days = by_date(month_calendar(site_service=site_service, month=JUNE))
    [choice] = day_slots(site_service=site_service, day=dt.date(2026, 6, 4))

    assert early.start.astimezone(dt.UTC).date() == dt.date(2026, 6, 3)
    assert days[dt.date(2026, 6, 3)].state == DayState.NO_SLOTS
    assert days[dt.date(2026, 6, 4)].state == DayState.AVAILABLE
    assert choice.start.hour == 7
    assert choice.zone == "WITA"


def test_the_calendar_takes_three_queries_whatever_the_number_of_slots(city: City) -> None:
    site_service = loaded(city, city.site_s, city.service_a)
    for day in range(3, 30):
        for hour in (9, 10, 11, 13):
            slot(site_service, f"2026-06-{day:02d}", f"{hour:02d}:00")

    with CaptureQueriesContext(connection) as queries:
        calendar = month_calendar(site_service=site_service, month=JUNE)

    assert len(queries.captured_queries) == 3
    assert sum(entry.slot_count for entry in calendar) > 50


def test_day_slots_include_full_ones_in_order(city: City) -> None:
    site_service = loaded(city, city.site_s, city.service_a)
    second = slot(site_service, "2026-06-03", "09:30", capacity=2, booked=2)
    first = slot(site_service, "2026-06-03", "09:00", capacity=5, booked=1)
    slot(site_service, "2026-06-04", "09:00")

    with CaptureQueriesContext(connection) as queries:
        choices = day_slots(site_service=site_service, day=dt.date(2026, 6, 3))

    assert len(queries.captured_queries) == 1
    assert [(c.slot_id, c.remaining, c.is_full) for c in choices] == [
        (first.pk, 4, False),
        (second.pk, 0, True),
    ]
    assert choices[0].start == at("2026-06-03", "09:00")
    assert choices[0].zone == "WIB"


def test_day_slots_outside_the_window_are_empty(city: City) -> None:
    site_service = loaded(city, city.site_s, city.service_a)
    slot(site_service, "2026-07-20", "09:00")

    assert day_slots(site_service=site_service, day=dt.date(2026, 7, 20)) == []


def test_earliest_free_slot_at_every_other_site(city: City) -> None:
    third = f.SiteFactory(slug="gerai-u", name="Gerai U")
    f.SiteServiceFactory(site=third, service=city.service_a)
    fourth = f.SiteFactory(slug="gerai-v", name="Gerai V")
    f.SiteServiceFactory(site=fourth, service=city.service_a)
    closed_site = f.SiteFactory(slug="gerai-tutup", name="Gerai Tutup", is_active=False)
    f.SiteServiceFactory(site=closed_site, service=city.service_a)
    at_t = loaded(city, city.site_t, city.service_a)
    at_u = loaded(city, third, city.service_a)
    at_s = loaded(city, city.site_s, city.service_a)
    slot(at_t, "2026-06-03", "09:00", capacity=2, booked=2)  # full
    t_free = slot(at_t, "2026-06-05", "10:00")
    slot(at_t, "2026-06-08", "09:00")
    u_free = slot(at_u, "2026-06-04", "13:00")
    slot(at_s, "2026-06-03", "09:00")  # the excluded site
    slot(loaded(city, city.site_t, city.service_b), "2026-06-03", "08:00")  # another service

    with CaptureQueriesContext(connection) as queries:
        elsewhere = earliest_free_slots_elsewhere(service=city.service_a, exclude_site=city.site_s)

    assert len(queries.captured_queries) == 2
    assert [
        (entry.site.name, entry.slot.slot_id if entry.slot else None) for entry in elsewhere
    ] == [
        ("Gerai U", u_free.pk),
        ("Gerai T", t_free.pk),
        ("Gerai V", None),
    ]


def test_a_free_slot_beyond_the_window_is_not_offered_elsewhere(city: City) -> None:
    city.service_a.booking_opens_days = 3
    city.service_a.save()
    slot(loaded(city, city.site_t, city.service_a), "2026-06-06", "09:00")

    [entry] = earliest_free_slots_elsewhere(service=city.service_a, exclude_site=city.site_s)

    assert entry.site == city.site_t
    assert entry.slot is None


def test_find_slot_tells_whether_it_is_bookable(city: City) -> None:
    site_service = loaded(city, city.site_s, city.service_a)
    open_slot = slot(site_service, "2026-06-03", "09:00", capacity=1, booked=1)
    too_soon = slot(site_service, "2026-06-02", "09:30")
    closed = slot(site_service, "2026-06-04", "09:00", is_open=False)

    found = find_slot(slot_id=open_slot.pk)

    assert found is not None
    assert found.is_bookable
    assert found.choice.is_full
    assert found.site_service.service.agency == city.agency_a
    assert not find_slot(slot_id=too_soon.pk).is_bookable
    assert not find_slot(slot_id=closed.pk).is_bookable
    assert find_slot(slot_id=999999) is None


def test_sites_offering_a_service(city: City) -> None:
    city.site_services[(city.site_t.slug, city.service_a.slug)].is_active = False
    city.site_services[(city.site_t.slug, city.service_a.slug)].save()

    assert sites_offering(service=city.service_a) == [city.site_s]
    assert sites_offering(service=city.service_b) == [city.site_s, city.site_t]


def test_active_booking_for_a_service(city: City) -> None:
    site_service = loaded(city, city.site_s, city.service_a)
    cancelled = f.BookingFactory(
        citizen=city.citizen_a,
        slot=slot(site_service, "2026-06-03", "09:00"),
        status=BookingStatus.CANCELLED,
    )
    assert cancelled.pk
    assert active_booking_for(citizen=city.citizen_a, service=city.service_a) is None
    active = f.BookingFactory(
        citizen=city.citizen_a, slot=slot(site_service, "2026-06-04", "09:00")
    )

    assert active_booking_for(citizen=city.citizen_a, service=city.service_a) == active
    assert active_booking_for(citizen=city.citizen_b, service=city.service_a) is None

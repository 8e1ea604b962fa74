"""The demo history: past days played out at a site, written once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q

from antre.accounts.scopes import StaffScope
from antre.booking.models import Booking, BookingStatus, Slot
from antre.core import clock
from antre.onsite.models import CounterShift, Ticket, TicketEvent, TicketStatus
from antre.reports import selectors, usage
from antre.reports.history import generate_history
from antre.testing import factories as f
from antre.testing.personas import City

CITY = StaffScope(is_city_admin=True)


@pytest.fixture
def site_with_counters(city: City) -> City:
    site = city.site_s
    for number, service in enumerate((city.service_a, city.service_b), start=1):
        site_service = city.site_service(site, service)
        f.ScheduleRuleFactory.create(site_service=site_service, capacity=4)
        counter = f.CounterFactory.create(site=site, number=number)
        counter.site_services.set([site_service])
    return city


def test_a_week_of_history_is_played_out_and_written_once(site_with_counters: City):
    site = site_with_counters.site_s

    summary = generate_history(days=7, sites=[site])

    # 26 May to 1 June 2026: five working days (the factory site opens Mon-Fri).
    assert summary.days == 5
    assert summary.tickets == Ticket.objects.filter(site=site).count() > 50
    assert summary.events == TicketEvent.objects.filter(site=site).count()
    assert summary.shifts == CounterShift.objects.count() == 10
    assert summary.bookings == Booking.objects.count() > 20
    days = set(Ticket.objects.values_list("service_date", flat=True))
    assert days == {
        dt.date(2026, 5, 26),
        dt.date(2026, 5, 27),
        dt.date(2026, 5, 28),
        dt.date(2026, 5, 29),
        dt.date(2026, 6, 1),
    }
    counts = (Slot.objects.count(), Booking.objects.count(), TicketEvent.objects.count())

    again = generate_history(days=7, sites=[site])

    assert (again.days, again.skipped, again.tickets) == (0, 5, 0)
    assert (Slot.objects.count(), Booking.objects.count(), TicketEvent.objects.count()) == counts


def test_the_history_is_anonymous_and_consistent(site_with_counters: City):
    generate_history(days=7, sites=[site_with_counters.site_s])

    assert not Booking.objects.filter(citizen__isnull=False).exists()
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert BookingStatus.COMPLETED in statuses
    assert BookingStatus.CANCELLED in statuses
    for slot in Slot.objects.annotate(
        taken=Count("bookings", filter=~Q(bookings__status=BookingStatus.CANCELLED))
    ):
        assert slot.booked == slot.taken <= slot.capacity
    for ticket in Ticket.objects.all():
        assert ticket.status in (TicketStatus.DONE, TicketStatus.NO_SHOW)
        assert ticket.issued_at <= ticket.called_at <= ticket.finished_at
        assert ticket.admitted_at is not None
        assert ticket.admitted_at <= ticket.called_at
        assert ticket.left_at == ticket.finished_at
        if ticket.booking_id is not None:
            assert ticket.booking.status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def test_the_reports_read_the_history(site_with_counters: City):
    generate_history(days=7, sites=[site_with_counters.site_s])
    report = selectors.ReportFilter(start=dt.date(2026, 5, 26), end=dt.date(2026, 6, 1))

    rows = selectors.daily_rows(CITY, report, now=clock.now())
    total = selectors.totals_by_day(rows, report.days)
    tickets = sum(tally.tickets for tally in total.values())
    no_shows = sum(tally.no_shows for tally in total.values())

    assert tickets == Ticket.objects.count()
    # Bookings never collected and tickets nobody answered: some 5 to 10
    # percent of those expected (a week at a small site varies).
    assert 0.02 < no_shows / (tickets + no_shows) < 0.15
    waits = [wait for tally in total.values() for wait in tally.waits]
    assert min(waits) >= 0
    for item in usage.counter_usage(CITY, report, now=clock.now()):
        assert item.utilisation is not None
        assert 0.1 < item.utilisation <= 1.0

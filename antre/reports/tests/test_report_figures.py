"""Every figure of the reports against the day worked out by hand in
``conftest.py`` (read its table first)."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.accounts.scopes import scope_for
from antre.core import clock
from antre.onsite.models import TicketEventKind
from antre.reports import selectors, timelines, usage
from antre.reports.selectors import ReportFilter
from antre.reports.tests.hand_day import DAY, HandDay

ONE_DAY = ReportFilter(start=DAY, end=DAY)


def rows_by_place(hand_day: HandDay, user: object) -> dict[tuple[str, str], selectors.Tally]:
    rows = selectors.daily_rows(scope_for(user), ONE_DAY, now=clock.now())  # type: ignore[arg-type]
    return {(row.site.slug, row.service.slug): row.tally for row in rows}


def test_the_timeline_kinds_are_the_ticket_event_kinds():
    assert {
        timelines.ISSUED,
        timelines.ADMITTED,
        timelines.CALLED,
        timelines.STARTED,
        timelines.FINISHED,
        timelines.NO_SHOW,
        timelines.TRANSFERRED,
    } <= set(TicketEventKind.values)


def test_counts_per_day_site_and_service(hand_day: HandDay):
    rows = rows_by_place(hand_day, hand_day.city.city_admin)

    assert set(rows) == {
        ("gerai-s", "layanan-a"),
        ("gerai-s", "layanan-b"),
        ("gerai-t", "layanan-b"),
    }
    s_a = rows[("gerai-s", "layanan-a")]
    assert (s_a.bookings, s_a.cancellations, s_a.no_shows, s_a.walk_ins, s_a.tickets) == (
        3,
        1,
        2,
        4,
        5,
    )
    s_b = rows[("gerai-s", "layanan-b")]
    assert (s_b.bookings, s_b.cancellations, s_b.no_shows, s_b.walk_ins, s_b.tickets) == (
        0,
        0,
        0,
        1,
        1,
    )
    t_b = rows[("gerai-t", "layanan-b")]
    assert (t_b.bookings, t_b.cancellations, t_b.no_shows, t_b.walk_ins, t_b.tickets) == (
        1,
        0,
        1,
        0,
        0,
    )


def test_waiting_and_service_time_medians_and_90th_percentiles(hand_day: HandDay):
    rows = rows_by_place(hand_day, hand_day.city.city_admin)

    s_a = rows[("gerai-s", "layanan-a")]
    assert sorted(s_a.waits) == [5, 5, 14, 23, 27]
    assert s_a.waiting.median == 14
    assert s_a.waiting.p90 == pytest.approx(25.4)
    assert s_a.service.median == 10
    assert s_a.service.p90 == pytest.approx(18)
    s_b = rows[("gerai-s", "layanan-b")]
    assert s_b.waiting.median == pytest.approx(1.5)
    assert s_b.waiting.p90 == pytest.approx(1.9)
    assert s_b.service.median == 11
    assert s_b.service.p90 == pytest.approx(11.8)
    t_b = rows[("gerai-t", "layanan-b")]
    assert t_b.waiting.median is None
    assert t_b.service.count == 0


def test_the_day_total_pools_the_durations(hand_day: HandDay):
    rows = selectors.daily_rows(scope_for(hand_day.city.city_admin), ONE_DAY, now=clock.now())

    total = selectors.totals_by_day(rows, ONE_DAY.days)[DAY]

    # Waits 5, 5, 14, 23, 27 (S/A) and 1, 2 (S/B): the 4th of 7 is the median.
    assert total.waiting.median == 5
    assert total.waiting.p90 == pytest.approx(23 + 0.4 * 4)
    assert (total.bookings, total.cancellations, total.no_shows, total.walk_ins) == (4, 1, 3, 5)
    assert total.tickets == 6


def test_a_booking_is_not_missed_before_its_slot_is_over(hand_day: HandDay, frozen_clock):
    early = dt.datetime(2026, 6, 1, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=7)))

    rows = selectors.daily_rows(scope_for(hand_day.city.city_admin), ONE_DAY, now=early)

    s_a = next(row.tally for row in rows if row.service.slug == "layanan-a")
    # BK3's slot ends at 10:30: at 10:15 only T3 has not shown up.
    assert s_a.no_shows == 1


def test_counter_utilisation_is_busy_time_over_open_shift_time(hand_day: HandDay):
    usages = usage.counter_usage(scope_for(hand_day.city.city_admin), ONE_DAY, now=clock.now())

    by_number = {item.counter.number: item for item in usages}
    assert set(by_number) == {1, 2}
    first = by_number[1]
    assert first.open_seconds == 90 * 60
    assert first.busy_seconds == 47 * 60
    assert first.utilisation == pytest.approx(47 / 90)
    assert first.calls == 5
    second = by_number[2]
    assert second.open_seconds == 120 * 60
    assert second.busy_seconds == 24 * 60
    assert second.utilisation == pytest.approx(0.2)


def test_busy_time_outside_a_shift_does_not_count(hand_day: HandDay):
    from antre.onsite.models import CounterShift

    # Counter 1 closed at 09:30: of its tickets only 09:05-09:30 is inside.
    CounterShift.objects.filter(counter=hand_day.counter_1).update(
        closed_at=dt.datetime(2026, 6, 1, 2, 30, tzinfo=dt.UTC)
    )

    usages = usage.counter_usage(scope_for(hand_day.city.city_admin), ONE_DAY, now=clock.now())

    first = next(item for item in usages if item.counter.number == 1)
    assert first.open_seconds == 30 * 60
    assert first.busy_seconds == 25 * 60


def test_demand_against_capacity(hand_day: HandDay):
    result = usage.demand_against_capacity(
        scope_for(hand_day.city.city_admin), ONE_DAY, now=clock.now()
    )

    day = result.by_day[DAY]
    assert (day.seats, day.bookings, day.waiting, day.demand) == (30, 3, 2, 5)
    rows = {(row.site.slug, row.service.slug): row.demand for row in result.rows}
    assert {key: (value.seats, value.bookings, value.waiting) for key, value in rows.items()} == {
        ("gerai-s", "layanan-a"): (20, 2, 1),
        ("gerai-t", "layanan-a"): (0, 0, 1),
        ("gerai-s", "layanan-b"): (4, 0, 1),
        ("gerai-t", "layanan-b"): (6, 1, 0),
    }


def test_people_inside_per_quarter_hour(hand_day: HandDay):
    site = hand_day.city.site_s
    site.refresh_from_db()

    result = usage.occupancy(
        scope_for(hand_day.city.city_admin), ONE_DAY, site=site, now=clock.now()
    )

    assert [moment.strftime("%H:%M") for moment in result.times] == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
    ]
    assert result.peak == [3, 3, 2, 1, 1, 1]
    assert result.mean_peak == [3, 3, 2, 1, 1, 1]
    assert result.room_capacity == 2
    assert result.quarters_over_cap == 2
    assert result.days_with_tickets == 1


def test_mean_and_highest_inside_over_two_days(hand_day: HandDay):
    from antre.onsite.models import Ticket, TicketEvent

    # The next day one visitor spends 09:00-09:20 inside.
    site = hand_day.city.site_s
    next_day = DAY + dt.timedelta(days=1)
    ticket = Ticket.objects.create(
        site=site,
        service=hand_day.city.service_a,
        service_date=next_day,
        prefix="A",
        sequence=1,
        kind="walk_in",
    )
    start = dt.datetime(2026, 6, 2, 2, 0, tzinfo=dt.UTC)
    for kind, minutes in (("issued", 0), ("admitted", 0), ("called", 10), ("finished", 20)):
        TicketEvent.objects.create(
            ticket=ticket,
            kind=kind,
            at=start + dt.timedelta(minutes=minutes),
            site=site,
            service=hand_day.city.service_a,
        )
    site.refresh_from_db()

    result = usage.occupancy(
        scope_for(hand_day.city.city_admin),
        ReportFilter(start=DAY, end=next_day),
        site=site,
        now=clock.now(),
    )

    assert result.peak == [3, 3, 2, 1, 1, 1]
    assert result.mean_peak == [2, 2, 1, 0.5, 0.5, 0.5]
    assert result.days_with_tickets == 2


def test_a_recall_is_not_a_new_wait(hand_day: HandDay):
    rows = rows_by_place(hand_day, hand_day.city.city_admin)

    # T3 was called at 09:37 and recalled at 09:39 and 09:41: it waited 27 minutes.
    assert 27 in rows[("gerai-s", "layanan-a")].waits

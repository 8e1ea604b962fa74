"""The deadline-miss forecast, the honest "seats expected to free up", and the
daily digest to agency admins."""

import datetime as dt

import pytest

from antre.accounts.models import Role
from antre.accounts.scopes import scope_for
from antre.booking.models import BookingStatus, Slot
from antre.notifications.models import OutboxMessage
from antre.reports.selectors import ReportFilter, deadline_miss_forecast
from antre.testing import factories as f
from antre.waitlist.digest import send_deadline_digests
from antre.waitlist.forecast import (
    Waiter,
    expected_freed_seats,
    forecast_service,
    release_rate,
    seats_to_clear,
    simulate,
    whole_seats,
)
from antre.waitlist.services import join_waitlist

WIB = dt.timezone(dt.timedelta(hours=7))
TODAY = dt.date(2026, 6, 2)  # conftest's frozen clock: 2026-06-02 09:05 WIB
S, T = 1, 2


def waiter(pk, latest, *, earliest=TODAY, sites=(S,), minute=0):
    return Waiter(
        pk=pk,
        latest=latest,
        created_at=dt.datetime(2026, 5, 1, 8, minute, tzinfo=WIB),
        earliest=earliest,
        sites=frozenset(sites),
    )


def day(offset):
    return TODAY + dt.timedelta(days=offset)


# --- the pure simulation ---------------------------------------------------------


def test_seats_go_by_deadline_and_the_latest_deadlines_miss():
    waiters = [waiter(1, day(9), minute=1), waiter(2, day(3), minute=2), waiter(3, day(5))]
    supply = {(day(4), S): 1, (day(6), S): 1}

    missing = simulate(waiters, supply, today=TODAY)

    # Day 4's seat goes to #3 (deadline day 5): #2's deadline (day 3) has no seat.
    assert [w.pk for w in missing] == [2]


def test_an_entry_takes_only_seats_at_its_sites_and_in_its_range():
    waiters = [waiter(1, day(5), sites=(T,)), waiter(2, day(5), earliest=day(3), minute=1)]
    supply = {(day(1), S): 1, (day(2), S): 1}

    assert [w.pk for w in simulate(waiters, supply, today=TODAY)] == [1, 2]


def test_first_come_breaks_a_tie_of_deadlines():
    waiters = [waiter(2, day(3), minute=5), waiter(1, day(3), minute=1)]

    assert [w.pk for w in simulate(waiters, {(day(1), S): 1}, today=TODAY)] == [2]


def test_the_extra_seats_per_open_day_are_the_fewest_that_clear_the_misses():
    # Five waiters, all due by day 2; open days 1 and 2 with no free seat.
    waiters = [waiter(pk, day(2), minute=pk) for pk in range(5)]
    supply = {(day(1), S): 0, (day(2), S): 0}

    assert seats_to_clear(waiters, supply, today=TODAY) == 3  # 2 days x 3 >= 5 > 2 x 2
    assert not simulate(waiters, supply, today=TODAY, extra_per_open_day=3)
    assert simulate(waiters, supply, today=TODAY, extra_per_open_day=2)


def test_nothing_to_clear_and_impossible_to_clear():
    assert seats_to_clear([waiter(1, day(2))], {(day(1), S): 1}, today=TODAY) == 0
    # The deadline falls before the only open day: only a new session helps.
    assert seats_to_clear([waiter(1, day(2))], {(day(5), S): 0}, today=TODAY) is None


def test_expected_seats_add_up_over_days_and_never_exceed_the_expectation():
    expected = {(day(d), S): 0.4 for d in range(5)}  # 2.0 seats over 5 days

    supply = whole_seats(expected, {(day(0), S): 1})

    assert supply[(day(0), S)] == 1  # the free seat; 0.4 expected is not a seat yet
    assert sum(supply.values()) == 3
    assert [supply[(day(d), S)] for d in range(1, 5)] == [0, 1, 0, 1]


# --- from the database -------------------------------------------------------------


@pytest.fixture
def full_service(db):
    """Service A at site S: ten full one-seat slots, one a day from tomorrow,
    and 40 past bookings of which 20 were cancelled (release rate 50%) and 10
    not used (no-shows free no seat: not counted)."""
    site_service = f.SiteServiceFactory()
    slots = []
    for offset in range(1, 11):
        start = dt.datetime.combine(day(offset), dt.time(9), tzinfo=WIB)
        slot = f.SlotFactory(site_service=site_service, start=start, capacity=1, booked=1)
        f.BookingFactory(slot=slot)
        slots.append(slot)
    for number in range(40):
        start = dt.datetime.combine(day(-1 - number), dt.time(9), tzinfo=WIB)
        past = f.SlotFactory(site_service=site_service, start=start, capacity=1, booked=1)
        status = (
            BookingStatus.CANCELLED
            if number < 20
            else BookingStatus.NO_SHOW
            if number < 30
            else BookingStatus.COMPLETED
        )
        f.BookingFactory(slot=past, status=status)
    return site_service, slots


def join(site_service, latest, *, earliest=TODAY):
    return join_waitlist(
        citizen=f.CitizenFactory(),
        service=site_service.service,
        sites=[site_service.site],
        earliest=earliest,
        latest=latest,
        auto_book=False,
    )


def test_the_release_rate_is_measured_from_the_last_90_days(full_service):
    site_service, _slots = full_service

    assert release_rate(site_service.service_id, today=TODAY) == pytest.approx(0.5)


def test_without_enough_history_nothing_is_expected_to_free_up(db):
    site_service = f.SiteServiceFactory()
    start = dt.datetime.combine(day(-3), dt.time(9), tzinfo=WIB)
    f.BookingFactory(slot=f.SlotFactory(site_service=site_service, start=start), status="cancelled")

    assert release_rate(site_service.service_id, today=TODAY) == 0.0


def test_a_full_service_forecast_counts_who_misses(full_service):
    site_service, _slots = full_service
    urgent = [join(site_service, day(4)) for _ in range(3)]
    join(site_service, day(10))

    outlook = forecast_service(site_service.service, today=TODAY)

    # Days 1-4 hold 4 booked seats; at 50%, 2 are expected back by day 4
    # (0.5 a day, whole seats on days 2 and 4): two of the three urgent get one.
    assert len(outlook.waiting) == 4
    assert [w.pk for w in outlook.missing] == [urgent[2].pk]
    assert outlook.misses_by_date() == [(day(4), 1)]
    assert outlook.extra_seats_per_day == 1


def test_overbooking_seats_count_as_supply(full_service):
    site_service, slots = full_service
    urgent = [join(site_service, day(4)) for _ in range(3)]
    # One overbooking seat on day 3, not taken: the third urgent entry gets it.
    Slot.objects.filter(pk=slots[2].pk).update(overbook=1)

    outlook = forecast_service(site_service.service, today=TODAY)

    assert outlook.missing == []
    assert len(outlook.waiting) == len(urgent)


def test_seats_expected_to_free_up_before_a_deadline(full_service):
    site_service, _slots = full_service

    assert expected_freed_seats(site_service.service, [site_service.site_id], day(4)) == 2
    assert expected_freed_seats(site_service.service, [site_service.site_id], day(10)) == 5
    assert expected_freed_seats(site_service.service, [site_service.site_id], day(-1)) == 0


def test_the_report_forecast_is_scoped_and_adding_seats_clears_it(full_service):
    site_service, slots = full_service
    for _ in range(3):
        join(site_service, day(4))
    own = f.StaffFactory(role=Role.AGENCY_ADMIN, role__agency=site_service.service.agency)
    other = f.StaffFactory(role=Role.AGENCY_ADMIN, role__agency=f.AgencyFactory())
    week = ReportFilter(start=day(-7), end=day(-1))

    rows = deadline_miss_forecast(scope_for(own), week)
    assert [(row.service, row.waiting, row.will_miss) for row in rows] == [
        (site_service.service, 3, 1)
    ]
    assert rows[0].extra_seats_per_day == 1
    assert deadline_miss_forecast(scope_for(other), week) == []

    # The admin adds a seat on day 3: the forecast falls to nobody.
    slots[2].capacity = 2
    slots[2].save()
    assert deadline_miss_forecast(scope_for(own), week)[0].will_miss == 0


# --- the digest --------------------------------------------------------------------------


def test_the_digest_goes_once_a_day_to_the_agency_admins_when_someone_will_miss(
    full_service, frozen_clock
):
    site_service, _slots = full_service
    agency = site_service.service.agency
    admin = f.StaffFactory(role=Role.AGENCY_ADMIN, role__agency=agency, email="admin@example.test")
    f.StaffFactory(
        role=Role.AGENCY_ADMIN, role__agency=f.AgencyFactory(), email="other@example.test"
    )
    for _ in range(3):
        join(site_service, day(4))

    assert send_deadline_digests() == 1
    assert send_deadline_digests() == 0  # the same day: already sent

    digest = OutboxMessage.objects.get(kind="deadline_digest")
    assert digest.recipient == admin.email
    assert site_service.service.name in digest.body_text
    assert "Akan terlewat: 1" in digest.body_text

    frozen_clock.advance(days=1)
    assert send_deadline_digests() == 1


def test_no_digest_when_nobody_will_miss_and_none_before_seven(full_service, frozen_clock):
    site_service, _slots = full_service
    f.StaffFactory(
        role=Role.AGENCY_ADMIN, role__agency=site_service.service.agency, email="a@x.test"
    )
    join(site_service, day(10))

    assert send_deadline_digests() == 0

    for _ in range(3):
        join(site_service, day(4))
    frozen_clock.advance(hours=-3)  # 06:05 WIB
    assert send_deadline_digests() == 0
    assert not OutboxMessage.objects.filter(kind="deadline_digest").exists()


# --- what the citizen is told --------------------------------------------------------------


def test_the_citizen_is_told_honestly_how_many_seats_usually_free_up(full_service, client):
    site_service, _slots = full_service
    hopeful = join(site_service, day(10))
    client.force_login(hopeful.citizen)

    page = client.get("/daftar-tunggu/").content.decode()
    assert "biasanya sekitar 5 kursi lowong kembali sebelum tenggat Anda: cukup" in page

    for _ in range(2):
        join(site_service, day(4))
    late = join(site_service, day(4))
    client.force_login(late.citizen)
    page = client.get("/daftar-tunggu/").content.decode()
    assert "Posisi Anda: 3" in page
    assert "Terus terang: biasanya hanya sekitar 2 kursi lowong kembali" in page


def test_the_service_page_says_plainly_that_it_is_full_up_to_the_deadline(full_service, client):
    site_service, _slots = full_service
    for _ in range(2):
        join(site_service, day(4))
    mine = join(site_service, day(4))
    client.force_login(mine.citizen)
    url = f"/gerai/{site_service.site.slug}/layanan/{site_service.service.slug}/"

    page = client.get(url).content.decode()

    assert "Di gerai ini semua kursi penuh sampai tenggat Anda, 6 Juni 2026" in page
    assert "posisi 3" in page
    assert "biasanya sekitar 2 kursi lowong kembali di sini" in page
    assert "Masuk daftar tunggu</a>" not in page  # already on it

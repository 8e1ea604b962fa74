"""Fair release of high-demand days: requests while the window runs, then
deadline first and a recorded, recomputable lottery (issue #5, item 5)."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connections

from antre.booking import errors as booking_errors
from antre.booking.models import Booking, BookingStatus
from antre.booking.services import create_booking
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.waitlist import errors, lottery
from antre.waitlist.models import (
    ReleaseOutcome,
    ReleaseRequest,
    ReleaseRound,
    ReleaseRoundStatus,
    ReleaseVia,
    WaitlistEntry,
    WaitlistStatus,
)
from antre.waitlist.release import draw_due_rounds, draw_round, request_seat, request_window
from antre.waitlist.release_selectors import verify_round
from antre.waitlist.services import join_waitlist

pytestmark = pytest.mark.django_db

WIB = dt.timezone(dt.timedelta(hours=7))
# The frozen clock is Tuesday 2 June 2026, 09:05 WIB; with 30 booking days the
# day that opened at midnight is Thursday 2 July.
DAY = dt.date(2026, 7, 2)


@pytest.fixture
def site_service():
    service = f.ServiceFactory(high_demand=True, release_window_hours=24, booking_opens_days=30)
    return f.SiteServiceFactory(service=service)


def make_slots(site_service, *, seats, count=2):
    return [
        f.SlotFactory(
            site_service=site_service,
            start=dt.datetime.combine(DAY, dt.time(9 + hour), tzinfo=WIB),
            end=dt.datetime.combine(DAY, dt.time(9 + hour, 30), tzinfo=WIB),
            capacity=seats,
        )
        for hour in range(count)
    ]


def after_window(frozen_clock, site_service):
    _opens, closes = request_window(site_service, DAY)
    frozen_clock.move_to(closes + dt.timedelta(minutes=1))


def test_the_window_runs_from_the_day_opening_for_the_service_hours(site_service):
    opens, closes = request_window(site_service, DAY)
    assert opens == dt.datetime(2026, 6, 2, tzinfo=WIB)
    assert closes == dt.datetime(2026, 6, 3, tzinfo=WIB)


def test_a_high_demand_day_is_not_bookable_first_come_while_its_window_runs(site_service):
    slot, _ = make_slots(site_service, seats=5)
    with pytest.raises(errors.RequestWindowOpen) as raised:
        create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    assert raised.value.until == dt.datetime(2026, 6, 3, tzinfo=WIB)
    assert raised.value.code == "request_window_open"
    assert raised.value.status == 409


def test_an_ordinary_service_books_first_come_as_before():
    site_service = f.SiteServiceFactory(service=f.ServiceFactory(booking_opens_days=30))
    slot, _ = make_slots(site_service, seats=1)
    assert create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk).status == "confirmed"


def test_one_request_per_nik_per_service_and_day_at_any_site(site_service):
    make_slots(site_service, seats=1)
    other_site = f.SiteServiceFactory(service=site_service.service)
    make_slots(other_site, seats=1)
    citizen = f.CitizenFactory()
    request_seat(citizen=citizen, site_service=site_service, day=DAY)

    with pytest.raises(errors.AlreadyRequested):
        request_seat(citizen=citizen, site_service=site_service, day=DAY)
    with pytest.raises(errors.AlreadyRequested):
        request_seat(citizen=citizen, site_service=other_site, day=DAY)
    assert ReleaseRequest.objects.count() == 1
    assert ReleaseRequest.objects.get().nik_digest == citizen.nik_digest


def test_requests_are_refused_outside_the_window_and_for_ordinary_services(
    site_service, frozen_clock
):
    make_slots(site_service, seats=1)
    ordinary = f.SiteServiceFactory(service=f.ServiceFactory(booking_opens_days=30))
    with pytest.raises(errors.NotHighDemand):
        request_seat(citizen=f.CitizenFactory(), site_service=ordinary, day=DAY)
    with pytest.raises(errors.RequestWindowClosed):
        request_seat(
            citizen=f.CitizenFactory(), site_service=site_service, day=DAY - dt.timedelta(days=1)
        )
    after_window(frozen_clock, site_service)
    with pytest.raises(errors.RequestWindowClosed):
        request_seat(citizen=f.CitizenFactory(), site_service=site_service, day=DAY)


def test_the_draw_books_as_many_as_there_are_seats_and_the_rest_wait(site_service, frozen_clock):
    slots = make_slots(site_service, seats=2)  # four seats in two slots
    citizens = [f.CitizenFactory() for _ in range(10)]
    for citizen in citizens:
        request_seat(citizen=citizen, site_service=site_service, day=DAY)

    # The window has closed but the round is not drawn: still no first come.
    after_window(frozen_clock, site_service)
    with pytest.raises(errors.RequestWindowOpen):
        create_booking(citizen=f.CitizenFactory(), slot_id=slots[0].pk)

    assert draw_due_rounds() == 1

    round_ = ReleaseRound.objects.get()
    assert round_.status == ReleaseRoundStatus.DRAWN
    assert round_.seats == 4
    won = ReleaseRequest.objects.filter(outcome=ReleaseOutcome.WON)
    lost = ReleaseRequest.objects.filter(outcome=ReleaseOutcome.LOST)
    assert won.count() == 4
    assert lost.count() == 6
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 4
    assert all(request.via == ReleaseVia.LOTTERY for request in won)
    # Losers stay on the waiting list for this site, up to the day they asked for.
    for request in lost:
        entry = WaitlistEntry.objects.get(citizen=request.citizen)
        assert entry.status == WaitlistStatus.WAITING
        assert entry.latest == DAY
        assert list(entry.sites.all()) == [site_service.site]


def test_the_recorded_seed_and_request_ids_reproduce_the_winners(site_service, frozen_clock):
    make_slots(site_service, seats=3, count=1)
    for _ in range(12):
        request_seat(citizen=f.CitizenFactory(), site_service=site_service, day=DAY)
    after_window(frozen_clock, site_service)
    draw_due_rounds()

    round_ = ReleaseRound.objects.get()
    assert len(round_.seed) == 64
    assert round_.request_ids == sorted(round_.request_ids)
    winners = set(
        ReleaseRequest.objects.filter(outcome=ReleaseOutcome.WON).values_list("pk", flat=True)
    )
    assert set(lottery.draw(round_.seed, round_.request_ids, round_.seats)) == winners
    ranks = dict(ReleaseRequest.objects.values_list("pk", "rank"))
    recomputed = lottery.ranking(round_.seed, round_.request_ids)
    assert {request_id: recomputed.index(request_id) + 1 for request_id in recomputed} == ranks
    assert verify_round(round_).valid


def test_a_tampered_result_fails_verification(site_service, frozen_clock):
    make_slots(site_service, seats=1, count=1)
    for _ in range(5):
        request_seat(citizen=f.CitizenFactory(), site_service=site_service, day=DAY)
    after_window(frozen_clock, site_service)
    draw_due_rounds()
    round_ = ReleaseRound.objects.get()
    loser = ReleaseRequest.objects.filter(outcome=ReleaseOutcome.LOST).first()
    ReleaseRequest.objects.filter(outcome=ReleaseOutcome.WON).update(outcome=ReleaseOutcome.LOST)
    ReleaseRequest.objects.filter(pk=loser.pk).update(outcome=ReleaseOutcome.WON)

    assert not verify_round(round_).valid


def test_requests_with_a_deadline_on_or_before_the_day_come_first(site_service, frozen_clock):
    make_slots(site_service, seats=1, count=1)
    others = [f.CitizenFactory() for _ in range(15)]
    urgent = f.CitizenFactory()
    late = f.CitizenFactory()
    # On the list with a deadline of the day (urgent) and one after it (late):
    # only a deadline that falls on or before the day counts.
    join_waitlist(
        citizen=urgent,
        service=site_service.service,
        sites=[site_service.site],
        earliest=dt.date(2026, 6, 2),
        latest=DAY,
    )
    join_waitlist(
        citizen=late,
        service=site_service.service,
        sites=[site_service.site],
        earliest=dt.date(2026, 6, 2),
        latest=DAY + dt.timedelta(days=20),
    )
    # Joining the list did not hand out the day's seat around the draw.
    assert WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).count() == 2
    for citizen in [*others, late, urgent]:
        request_seat(citizen=citizen, site_service=site_service, day=DAY)
    after_window(frozen_clock, site_service)
    draw_due_rounds()

    won = ReleaseRequest.objects.get(outcome=ReleaseOutcome.WON)
    assert won.citizen == urgent
    assert won.via == ReleaseVia.DEADLINE
    assert won.deadline == DAY
    assert ReleaseRequest.objects.get(citizen=late).deadline is None
    assert WaitlistEntry.objects.get(citizen=urgent).status == WaitlistStatus.BOOKED
    assert verify_round(ReleaseRound.objects.get()).valid


def test_running_the_job_twice_draws_once_and_mails_once(site_service, frozen_clock):
    make_slots(site_service, seats=2, count=1)
    for _ in range(5):
        request_seat(citizen=f.CitizenFactory(), site_service=site_service, day=DAY)
    after_window(frozen_clock, site_service)

    assert draw_due_rounds() == 1
    round_ = ReleaseRound.objects.get()
    seed = round_.seed
    mails = list(OutboxMessage.objects.values_list("kind", "recipient"))
    assert draw_due_rounds() == 0
    assert draw_round(round_id=round_.pk) is False

    round_.refresh_from_db()
    assert round_.seed == seed
    assert sorted(mails) == sorted(OutboxMessage.objects.values_list("kind", "recipient"))
    kinds = sorted(kind for kind, _ in mails)
    assert kinds == ["booking_confirmed"] * 2 + ["release_lost"] * 3
    # Everyone is told exactly once.
    assert len({recipient for _, recipient in mails}) == 5
    lost_mail = OutboxMessage.objects.filter(kind="release_lost").first()
    assert seed in lost_mail.body_text
    assert "Hasil undian kursi" in lost_mail.subject


def test_after_the_draw_the_remaining_seats_are_public(site_service, frozen_clock):
    slot, _ = make_slots(site_service, seats=2)
    request_seat(citizen=f.CitizenFactory(), site_service=site_service, day=DAY)
    after_window(frozen_clock, site_service)
    draw_due_rounds()

    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    assert booking.status == BookingStatus.CONFIRMED


def test_a_day_nobody_asked_for_opens_when_its_window_closes(site_service, frozen_clock):
    slot, _ = make_slots(site_service, seats=1)
    after_window(frozen_clock, site_service)
    assert create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk).status == "confirmed"


def test_a_winner_who_booked_elsewhere_meanwhile_is_passed_over(site_service, frozen_clock):
    make_slots(site_service, seats=1, count=1)
    citizens = [f.CitizenFactory() for _ in range(4)]
    for citizen in citizens:
        request_seat(citizen=citizen, site_service=site_service, day=DAY)
    # Three of them book the service on an earlier day at another site
    # meanwhile: one active booking per service, so they cannot win a seat.
    ordinary = f.SlotFactory(
        site_service=f.SiteServiceFactory(service=site_service.service),
        start=dt.datetime(2026, 6, 10, 9, tzinfo=WIB),
        end=dt.datetime(2026, 6, 10, 9, 30, tzinfo=WIB),
        capacity=10,
    )
    for citizen in citizens[:3]:
        create_booking(citizen=citizen, slot_id=ordinary.pk)
    after_window(frozen_clock, site_service)
    draw_due_rounds()

    won = ReleaseRequest.objects.get(outcome=ReleaseOutcome.WON)
    assert won.citizen == citizens[3]
    # Those ranked before the winner were tried and passed over; those after
    # it simply lost.
    for request in ReleaseRequest.objects.exclude(pk=won.pk):
        expected = ReleaseVia.SKIPPED if request.rank < won.rank else ""
        assert (request.outcome, request.via) == (ReleaseOutcome.LOST, expected)
    assert verify_round(ReleaseRound.objects.get()).valid


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    settings.DATABASE_IS_SQLITE,
    reason="needs PostgreSQL: SQLite has no row locks to contend on",
)
def test_two_workers_drawing_at_once_draw_once(site_service, frozen_clock):
    make_slots(site_service, seats=2, count=1)
    for _ in range(6):
        request_seat(citizen=f.CitizenFactory(), site_service=site_service, day=DAY)
    after_window(frozen_clock, site_service)
    barrier = threading.Barrier(4)
    drawn = []

    def run():
        try:
            barrier.wait(timeout=30)
            drawn.append(draw_due_rounds())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(drawn) == [0, 0, 0, 1]
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 2
    assert OutboxMessage.objects.filter(kind="release_lost").count() == 4


def test_a_citizen_holding_a_booking_of_the_service_cannot_request(site_service):
    make_slots(site_service, seats=1)
    booking = f.BookingFactory(
        slot=f.SlotFactory(site_service=site_service), citizen=f.CitizenFactory()
    )
    with pytest.raises(booking_errors.DuplicateBooking):
        request_seat(citizen=booking.citizen, site_service=site_service, day=DAY)


def test_deleting_an_account_withdraws_its_request_and_drops_the_nik_digest(site_service):
    from antre.accounts.services import delete_account

    make_slots(site_service, seats=1)
    citizen = f.CitizenFactory()
    nik_digest = citizen.nik_digest
    request_seat(citizen=citizen, site_service=site_service, day=DAY)

    delete_account(user=citizen, password="rahasia-Kuat-123")

    request = ReleaseRequest.objects.get()
    assert request.outcome == ReleaseOutcome.WITHDRAWN
    assert request.nik_digest == f"deleted-{request.pk}"
    assert not ReleaseRequest.objects.filter(nik_digest=nik_digest).exists()
    # The same person, registered again, may ask again.
    again = f.CitizenFactory(nik=citizen.nik, nik_digest=nik_digest)
    request_seat(citizen=again, site_service=site_service, day=DAY)


def test_a_requester_passed_over_opens_no_side_door_for_the_waiting_list(
    site_service, frozen_clock, settings, monkeypatch
):
    """The capped requester drawn first is passed over and put on the list;
    the day's seat is still the draw's, for the next request, not for an
    entry of the list that never asked for the day."""
    from antre.waitlist import release

    settings.ANTRE_MAX_ACTIVE_BOOKINGS = 1
    [slot] = make_slots(site_service, seats=1, count=1)
    capped = f.CitizenFactory()
    elsewhere = f.SlotFactory(
        start=dt.datetime(2026, 6, 10, 9, tzinfo=WIB),
        end=dt.datetime(2026, 6, 10, 9, 30, tzinfo=WIB),
    )
    create_booking(citizen=capped, slot_id=elsewhere.pk)  # at the cap
    requester = f.CitizenFactory()
    request_seat(citizen=capped, site_service=site_service, day=DAY)
    asked = request_seat(citizen=requester, site_service=site_service, day=DAY)
    outsider = join_waitlist(
        citizen=f.CitizenFactory(),
        service=site_service.service,
        sites=[site_service.site],
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 7, 20),
        auto_book=True,
    )
    # The capped requester first, whatever the seed.
    monkeypatch.setattr(release, "allocation_order", lambda seed, ids, deadlines: sorted(ids))
    after_window(frozen_clock, site_service)

    draw_due_rounds()

    asked.refresh_from_db()
    assert asked.outcome == ReleaseOutcome.WON
    assert Booking.objects.get(slot=slot).citizen == requester
    outsider.refresh_from_db()
    assert outsider.status == WaitlistStatus.WAITING

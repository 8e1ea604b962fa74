import datetime as dt

import pytest

from antre.booking import errors as booking_errors
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.services import cancel_booking, create_booking, reschedule_booking
from antre.core import clock
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.waitlist import errors
from antre.waitlist.models import Offer, OfferStatus, WaitlistEntry, WaitlistStatus
from antre.waitlist.selectors import standing
from antre.waitlist.services import (
    accept_offer,
    expire_offers,
    join_waitlist,
    offer_free_seats,
    request_earlier_seat,
    withdraw_entry,
)

pytestmark = pytest.mark.django_db

JUNE = dt.date(2026, 6, 1)


@pytest.fixture
def full_slot():
    start = dt.datetime(2026, 6, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=1)
    holder = f.CitizenFactory()
    booking = create_booking(citizen=holder, slot_id=slot.pk)
    slot.refresh_from_db()
    return slot, booking


def join(slot, latest, *, auto_book=False, citizen=None):
    return join_waitlist(
        citizen=citizen or f.CitizenFactory(),
        service=slot.site_service.service,
        sites=[slot.site_service.site],
        earliest=JUNE,
        latest=latest,
        auto_book=auto_book,
    )


def test_a_freed_seat_goes_to_the_earliest_deadline_not_the_first_to_join(full_slot, frozen_clock):
    slot, booking = full_slot
    later = [join(slot, dt.date(2026, 6, 29)) for _ in range(5)]
    frozen_clock.advance(minutes=5)
    urgent = join(slot, dt.date(2026, 6, 12))
    assert standing(urgent).position == 1
    assert standing(later[0]).position == 2

    cancel_booking(booking=booking, actor=None)

    urgent.refresh_from_db()
    assert urgent.status == WaitlistStatus.OFFERED
    offer = Offer.objects.get()
    assert offer.entry == urgent
    slot.refresh_from_db()
    assert (slot.booked, slot.held) == (0, 1)
    assert OutboxMessage.objects.filter(kind="waitlist_offer", recipient=urgent.citizen.email)


def test_an_offered_seat_is_blocked_for_the_public(full_slot):
    slot, booking = full_slot
    join(slot, dt.date(2026, 6, 12))
    cancel_booking(booking=booking, actor=None)

    with pytest.raises(booking_errors.SlotFull):
        create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)


def test_accepting_an_offer_books_the_held_seat(full_slot):
    slot, booking = full_slot
    entry = join(slot, dt.date(2026, 6, 12))
    cancel_booking(booking=booking, actor=None)
    offer = Offer.objects.get()

    booked = accept_offer(entry=entry, offer_id=offer.pk, citizen=entry.citizen)

    slot.refresh_from_db()
    entry.refresh_from_db()
    assert booked.citizen == entry.citizen
    assert booked.slot == slot
    assert (slot.booked, slot.held) == (1, 0)
    assert entry.status == WaitlistStatus.BOOKED
    with pytest.raises(errors.OfferExpired):
        accept_offer(entry=entry, offer_id=offer.pk, citizen=entry.citizen)


def test_automatic_booking_books_at_once(full_slot):
    slot, booking = full_slot
    entry = join(slot, dt.date(2026, 6, 12), auto_book=True)
    cancel_booking(booking=booking, actor=None)

    entry.refresh_from_db()
    slot.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED
    assert Booking.objects.get(citizen=entry.citizen, status=BookingStatus.CONFIRMED).slot == slot
    assert (slot.booked, slot.held) == (1, 0)


def test_offers_expire_and_pass_on_exactly_once(full_slot, frozen_clock):
    slot, booking = full_slot
    first = join(slot, dt.date(2026, 6, 11))
    second = join(slot, dt.date(2026, 6, 12))
    cancel_booking(booking=booking, actor=None)
    frozen_clock.advance(hours=12, seconds=1)

    assert expire_offers() == 1
    assert expire_offers() == 0

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitlistStatus.WAITING  # still on the list, for other seats
    assert second.status == WaitlistStatus.OFFERED
    assert Offer.objects.filter(entry=second, status=OfferStatus.OPEN).count() == 1
    with pytest.raises(errors.OfferExpired):
        accept_offer(entry=first, offer_id=Offer.objects.get(entry=first).pk, citizen=first.citizen)
    slot.refresh_from_db()
    assert (slot.booked, slot.held) == (0, 1)


def test_a_seat_nobody_waits_for_goes_back_to_the_public(full_slot, frozen_clock):
    slot, booking = full_slot
    entry = join(slot, dt.date(2026, 6, 12))
    cancel_booking(booking=booking, actor=None)
    withdraw_entry(entry=entry, actor=None)

    slot.refresh_from_db()
    assert (slot.booked, slot.held) == (0, 0)
    assert create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)


def test_entries_only_get_seats_that_meet_their_constraints(full_slot):
    slot, booking = full_slot
    too_late_for_them = join(slot, dt.date(2026, 6, 9))  # deadline before the slot's day
    other_site = join_waitlist(
        citizen=f.CitizenFactory(),
        service=slot.site_service.service,
        sites=[f.SiteServiceFactory(service=slot.site_service.service).site],
        earliest=JUNE,
        latest=dt.date(2026, 6, 30),
    )
    cancel_booking(booking=booking, actor=None)

    for entry in (too_late_for_them, other_site):
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.WAITING
    slot.refresh_from_db()
    assert (slot.booked, slot.held) == (0, 0)


def test_a_reschedule_frees_the_old_seat_to_the_list(full_slot):
    slot, booking = full_slot
    later = f.SlotFactory(
        site_service=slot.site_service,
        start=slot.start + dt.timedelta(days=1),
        end=slot.end + dt.timedelta(days=1),
    )
    entry = join(slot, dt.date(2026, 6, 10), auto_book=True)
    reschedule_booking(booking=booking, slot_id=later.pk, actor=None)

    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED


def test_capacity_added_goes_to_the_list_first(full_slot):
    slot, _booking = full_slot
    entry = join(slot, dt.date(2026, 6, 12))
    Slot.objects.filter(pk=slot.pk).update(capacity=3)

    assert offer_free_seats(slot_id=slot.pk) == 1  # one entry waits; the rest is public

    entry.refresh_from_db()
    slot.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    assert (slot.booked, slot.held, slot.capacity) == (1, 1, 3)


def test_joining_when_a_seat_is_free_offers_it_at_once():
    start = dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC)
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=2)
    entry = join(slot, dt.date(2026, 6, 12))
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED


def test_booking_directly_closes_the_entry_and_passes_a_held_seat_on(full_slot):
    slot, booking = full_slot
    citizen = f.CitizenFactory()
    entry = join(slot, dt.date(2026, 6, 12), citizen=citizen)
    runner_up = join(slot, dt.date(2026, 6, 13))
    cancel_booking(booking=booking, actor=None)  # offered to `entry`
    elsewhere = f.SlotFactory(
        site_service=slot.site_service,
        start=slot.start + dt.timedelta(days=2),
        end=slot.end + dt.timedelta(days=2),
    )

    create_booking(citizen=citizen, slot_id=elsewhere.pk)

    entry.refresh_from_db()
    runner_up.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED
    assert runner_up.status == WaitlistStatus.OFFERED


def test_an_earlier_seat_request_comes_after_deadline_entries_and_moves_the_booking(full_slot):
    slot, booking = full_slot
    later_slot = f.SlotFactory(
        site_service=slot.site_service,
        start=slot.start + dt.timedelta(days=5),
        end=slot.end + dt.timedelta(days=5),
        capacity=1,
    )
    mover = f.CitizenFactory()
    later_booking = create_booking(citizen=mover, slot_id=later_slot.pk)
    request = request_earlier_seat(citizen=mover, booking=later_booking, auto_book=True)
    deadline = join(slot, dt.date(2026, 6, 20))

    cancel_booking(booking=booking, actor=None)

    deadline.refresh_from_db()
    request.refresh_from_db()
    assert deadline.status == WaitlistStatus.OFFERED
    assert request.status == WaitlistStatus.WAITING
    withdraw_entry(entry=deadline, actor=None)  # the seat moves on to the mover

    later_booking.refresh_from_db()
    later_slot.refresh_from_db()
    assert later_booking.slot == slot
    assert later_slot.booked == 0


def test_joining_rules(full_slot):
    slot, booking = full_slot
    with pytest.raises(booking_errors.DuplicateBooking):
        join(slot, dt.date(2026, 6, 12), citizen=booking.citizen)
    citizen = f.CitizenFactory()
    join(slot, dt.date(2026, 6, 12), citizen=citizen)
    with pytest.raises(errors.AlreadyWaiting):
        join(slot, dt.date(2026, 6, 12), citizen=citizen)
    with pytest.raises(errors.DeadlinePassed):
        join(slot, dt.date(2026, 5, 1))
    with pytest.raises(booking_errors.EmailNotVerified):
        join(slot, dt.date(2026, 6, 12), citizen=f.CitizenFactory(email_verified_at=None))


def test_a_first_day_after_the_deadline_is_its_own_error(full_slot):
    slot, _booking = full_slot
    with pytest.raises(errors.EarliestAfterDeadline) as refused:
        join_waitlist(
            citizen=f.CitizenFactory(),
            service=slot.site_service.service,
            sites=[slot.site_service.site],
            earliest=dt.date(2026, 6, 20),
            latest=dt.date(2026, 6, 12),
            auto_book=False,
        )

    # One code for the API, whichever date is wrong.
    assert refused.value.code == "invalid_range"
    assert not WaitlistEntry.objects.exists()


def test_an_offer_never_made_to_the_entry_is_not_found(full_slot):
    slot, booking = full_slot
    first = join(slot, dt.date(2026, 6, 11))
    second = join(slot, dt.date(2026, 6, 12))
    cancel_booking(booking=booking, actor=None)
    offer = Offer.objects.get(entry=first)

    with pytest.raises(errors.OfferNotFound):
        accept_offer(entry=second, offer_id=offer.pk, citizen=second.citizen)
    with pytest.raises(errors.OfferNotFound):
        accept_offer(entry=first, offer_id=offer.pk + 1000, citizen=first.citizen)

    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.OPEN


def test_accepting_an_offer_keeps_to_the_cap_on_active_bookings(full_slot, settings):
    settings.ANTRE_MAX_ACTIVE_BOOKINGS = 1
    slot, booking = full_slot
    entry = join(slot, dt.date(2026, 6, 12))
    cancel_booking(booking=booking, actor=None)
    offer = Offer.objects.get(entry=entry)
    other = f.SlotFactory(start=slot.start, end=slot.end)  # another service
    elsewhere = create_booking(citizen=entry.citizen, slot_id=other.pk)

    with pytest.raises(booking_errors.BookingLimitReached):
        accept_offer(entry=entry, offer_id=offer.pk, citizen=entry.citizen)

    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.OPEN  # still theirs
    cancel_booking(booking=elsewhere, actor=None)
    assert accept_offer(entry=entry, offer_id=offer.pk, citizen=entry.citizen).slot == slot


def test_moving_a_booking_by_hand_ends_its_request_for_an_earlier_seat(full_slot):
    slot, _booking = full_slot
    day = dt.timedelta(days=1)
    middle = f.SlotFactory(
        site_service=slot.site_service, start=slot.start + 2 * day, end=slot.end + 2 * day
    )
    late = f.SlotFactory(
        site_service=slot.site_service, start=slot.start + 5 * day, end=slot.end + 5 * day
    )
    mover = f.CitizenFactory()
    booking = create_booking(citizen=mover, slot_id=middle.pk)
    request = request_earlier_seat(citizen=mover, booking=booking, auto_book=True)

    moved = reschedule_booking(booking=booking, slot_id=late.pk, actor=mover)

    # The seat it left is earlier than the new one, but the citizen chose.
    assert moved.slot == late
    request.refresh_from_db()
    assert request.status == WaitlistStatus.WITHDRAWN
    middle.refresh_from_db()
    assert middle.booked == 0


def test_entries_that_can_no_longer_be_served_are_closed(full_slot, frozen_clock):
    from antre.booking.services import mark_missed_bookings
    from antre.waitlist.services import end_stale_entries

    slot, booking = full_slot
    waiting = join(slot, dt.date(2026, 6, 12))
    later = f.SlotFactory(
        site_service=slot.site_service,
        start=slot.start + dt.timedelta(days=7),
        end=slot.end + dt.timedelta(days=7),
    )
    request = request_earlier_seat(citizen=booking.citizen, booking=booking, auto_book=True)
    assert end_stale_entries() == 0

    frozen_clock.advance(dt.timedelta(days=9))  # 11 June: the slot of 10 June was missed
    mark_missed_bookings()
    assert end_stale_entries() == 1  # the request of a booking that is a no-show now
    request.refresh_from_db()
    assert request.status == WaitlistStatus.WITHDRAWN

    frozen_clock.advance(dt.timedelta(days=2))  # 13 June: past the deadline of 12 June
    assert end_stale_entries() == 1
    assert end_stale_entries() == 0
    waiting.refresh_from_db()
    assert waiting.status == WaitlistStatus.EXPIRED
    assert standing(waiting).position == 0  # not counted as waiting
    # Its citizen may join again, for another deadline.
    again = join_waitlist(
        citizen=waiting.citizen,
        service=later.site_service.service,
        sites=[later.site_service.site],
        earliest=dt.date(2026, 6, 14),
        latest=dt.date(2026, 6, 30),
        auto_book=False,
    )
    assert again.status == WaitlistStatus.OFFERED  # the free seat of 17 June, at once


def test_near_the_cut_off_a_seat_is_booked_for_the_list_or_left_to_the_public(
    full_slot, frozen_clock
):
    """Less than 15 minutes to answer is no offer: an entry that books at once
    still gets the seat; otherwise the public may take it."""
    slot, _booking = full_slot
    asks = join(slot, dt.date(2026, 6, 12))
    service = slot.site_service.service
    cut_off = slot.start - dt.timedelta(minutes=service.booking_closes_minutes)
    frozen_clock.advance(cut_off - dt.timedelta(minutes=10) - clock.now())
    Slot.objects.filter(pk=slot.pk).update(capacity=2)

    assert offer_free_seats(slot_id=slot.pk) == 0

    asks.refresh_from_db()
    assert asks.status == WaitlistStatus.WAITING
    assert not Offer.objects.exists()
    books = join(slot, dt.date(2026, 6, 12), auto_book=True)  # joining finds the seat
    books.refresh_from_db()
    assert books.status == WaitlistStatus.BOOKED
    slot.refresh_from_db()
    assert (slot.booked, slot.held) == (2, 0)


def test_an_entry_stands_only_behind_those_who_want_the_same_days(full_slot):
    slot, _booking = full_slot
    early = join_waitlist(
        citizen=f.CitizenFactory(),
        service=slot.site_service.service,
        sites=[slot.site_service.site],
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 7),
    )
    late = join_waitlist(
        citizen=f.CitizenFactory(),
        service=slot.site_service.service,
        sites=[slot.site_service.site],
        earliest=dt.date(2026, 6, 22),
        latest=dt.date(2026, 6, 27),
    )

    assert standing(early).position == 1
    assert standing(late).position == 1  # the early one never wants its days

"""A seat held by an offer cannot be booked by anyone else (issue #5's
required concurrency test, on PostgreSQL).

Many citizens press "book" on the slot's last seat at the same instant while
an offer holds it: none gets it; the holder accepts; when an offer runs out
the seat goes to the next entry on the list, not to whoever clicks first.
Each attempt runs in its own thread and connection, released by a barrier.
"""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connections

from antre.booking.errors import SlotFull
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.services import cancel_booking, create_booking
from antre.core.errors import DomainError
from antre.testing import factories as f
from antre.waitlist.models import Offer, OfferStatus, WaitlistStatus
from antre.waitlist.services import accept_offer, expire_offers, join_waitlist

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        settings.DATABASE_IS_SQLITE,
        reason="concurrency test for PostgreSQL's row locks: SQLite serialises every "
        "writer on one file lock, so threads racing on it prove nothing (run with "
        "DATABASE_URL=postgres://...)",
    ),
]

THREADS = 40
WIB = dt.timezone(dt.timedelta(hours=7))


def race(works):
    """Run every callable at once, each in its own thread and connection;
    how often each outcome (or problem code) came."""
    barrier = threading.Barrier(len(works))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(work):
        try:
            barrier.wait(timeout=60)
            try:
                outcome = work()
            except DomainError as error:
                outcome = error.code
            with lock:
                outcomes[outcome] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def offered_seat():
    """A one-seat slot whose seat was freed and is now held by an offer to the
    first of two waiting citizens."""
    start = dt.datetime(2026, 6, 10, 9, tzinfo=WIB)
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=1)
    holder = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    service = slot.site_service.service
    site = slot.site_service.site
    first = join_waitlist(
        citizen=f.CitizenFactory(),
        service=service,
        sites=[site],
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 12),
    )
    second = join_waitlist(
        citizen=f.CitizenFactory(),
        service=service,
        sites=[site],
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 20),
    )
    cancel_booking(booking=holder, actor=None)
    slot.refresh_from_db()
    assert (slot.booked, slot.held) == (0, 1)
    return slot, first, second


def book_as(citizen, slot):
    def work():
        create_booking(citizen=citizen, slot_id=slot.pk)
        return "booked"

    return work


def test_nobody_else_can_book_a_held_seat_and_the_holder_accepts(offered_seat):
    slot, first, _second = offered_seat
    public = [f.CitizenFactory() for _ in range(THREADS)]
    offer = Offer.objects.get(entry=first)

    outcomes = race([book_as(citizen, slot) for citizen in public])

    assert outcomes == {SlotFull.code: THREADS}, outcomes
    slot.refresh_from_db()
    assert (slot.booked, slot.held) == (0, 1)
    booking = accept_offer(entry=first, offer_id=offer.pk, citizen=first.citizen)
    assert booking.status == BookingStatus.CONFIRMED
    slot.refresh_from_db()
    assert (slot.booked, slot.held) == (1, 0)
    assert list(Booking.objects.filter(slot=slot, status="confirmed")) == [booking]


def test_a_held_seat_raced_by_the_public_and_its_acceptance_goes_to_the_holder(offered_seat):
    slot, first, _second = offered_seat
    offer = Offer.objects.get(entry=first)

    def accept():
        accept_offer(entry=first, offer_id=offer.pk, citizen=first.citizen)
        return "accepted"

    works = [book_as(f.CitizenFactory(), slot) for _ in range(THREADS - 1)] + [accept]
    outcomes = race(works)

    assert outcomes == {SlotFull.code: THREADS - 1, "accepted": 1}, outcomes
    slot.refresh_from_db()
    assert (slot.booked, slot.held) == (1, 0)


def test_an_expired_offer_passes_the_seat_to_the_next_entry_not_the_public(
    offered_seat, frozen_clock
):
    slot, first, second = offered_seat
    offer = Offer.objects.get(entry=first)
    frozen_clock.move_to(offer.expires_at + dt.timedelta(minutes=1))

    works = [book_as(f.CitizenFactory(), slot) for _ in range(THREADS - 1)]
    works.append(expire_offers)
    outcomes = race(works)

    # The expiry job reports the one offer it closed; every public attempt,
    # before or after it, met a held seat.
    assert outcomes == {SlotFull.code: THREADS - 1, 1: 1}, outcomes
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    second.refresh_from_db()
    assert second.status == WaitlistStatus.OFFERED
    next_offer = Offer.objects.get(entry=second)
    assert next_offer.status == OfferStatus.OPEN
    slot = Slot.objects.get(pk=slot.pk)
    assert (slot.booked, slot.held) == (0, 1)
    assert not Booking.objects.filter(slot=slot, status=BookingStatus.CONFIRMED).exists()

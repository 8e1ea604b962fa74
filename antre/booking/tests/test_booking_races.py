"""Never oversold: many citizens press "book" at the same instant.

Each attempt runs in its own thread with its own database connection, against
the real database (SQLite file or PostgreSQL), released together by a barrier.
"""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from antre.booking.errors import SlotFull
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.services import create_booking, reschedule_booking
from antre.core.errors import DomainError
from antre.testing import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 200
# PostgreSQL's default max_connections is 100: run the 200 attempts over 48
# threads, each keeping its own connection for its attempts.
THREADS = 48


def race(attempts, work):
    """Run ``work(i)`` for every i in ``attempts``: THREADS threads, each with its
    own connection, released together by a barrier; each thread takes every
    THREADS-th attempt. Returns how often each outcome (or problem code) came."""
    attempts = list(attempts)
    threads_used = min(THREADS, len(attempts))
    barrier = threading.Barrier(threads_used)
    outcomes = Counter()
    lock = threading.Lock()

    def run(offset):
        try:
            barrier.wait(timeout=60)
            for index in attempts[offset::threads_used]:
                try:
                    work(index)
                    outcome = "booked"
                except DomainError as error:
                    outcome = error.code
                with lock:
                    outcomes[outcome] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(offset,)) for offset in range(threads_used)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


def test_200_concurrent_bookings_for_10_seats_book_exactly_10():
    start = dt.datetime(2026, 6, 3, 9, tzinfo=dt.UTC)
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=10)
    citizens = [f.CitizenFactory() for _ in range(ATTEMPTS)]

    outcomes = race(range(ATTEMPTS), lambda i: create_booking(citizen=citizens[i], slot_id=slot.pk))

    slot.refresh_from_db()
    assert outcomes == {"booked": 10, SlotFull.code: ATTEMPTS - 10}, outcomes
    assert slot.booked == 10
    assert Booking.objects.filter(slot=slot, status=BookingStatus.CONFIRMED).count() == 10
    print(f"\n[{connection.vendor}] {ATTEMPTS} attempts on 10 seats: {dict(outcomes)}")


def test_one_citizen_racing_themselves_books_once():
    start = dt.datetime(2026, 6, 3, 9, tzinfo=dt.UTC)
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=50)
    citizen = f.CitizenFactory()

    outcomes = race(range(40), lambda i: create_booking(citizen=citizen, slot_id=slot.pk))

    slot.refresh_from_db()
    assert outcomes["booked"] == 1
    assert slot.booked == 1
    assert Booking.objects.filter(citizen=citizen).count() == 1


def test_200_concurrent_reschedules_into_10_seats_move_exactly_10():
    start = dt.datetime(2026, 6, 3, 9, tzinfo=dt.UTC)
    target = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=10)
    site_service = target.site_service
    origin = f.SlotFactory(
        site_service=site_service,
        start=start + dt.timedelta(days=1),
        end=start + dt.timedelta(days=1, minutes=30),
        capacity=ATTEMPTS,
    )
    bookings = [
        create_booking(citizen=f.CitizenFactory(), slot_id=origin.pk) for _ in range(ATTEMPTS)
    ]

    outcomes = race(
        range(ATTEMPTS),
        lambda i: reschedule_booking(booking=bookings[i], slot_id=target.pk, actor=None),
    )

    target.refresh_from_db()
    origin.refresh_from_db()
    assert outcomes == {"booked": 10, SlotFull.code: ATTEMPTS - 10}, outcomes
    assert target.booked == 10
    assert origin.booked == ATTEMPTS - 10
    assert Booking.objects.filter(slot=target).count() == 10
    assert Slot.objects.get(pk=origin.pk).booked == Booking.objects.filter(slot=origin).count()

"""The deadline reserve under concurrency: the public, racing citizens whose
deadline is near, never gets into the reserved seats (run on PostgreSQL too)."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection

from antre.booking.errors import SlotFull
from antre.booking.models import Booking, BookingStatus
from antre.booking.services import create_booking
from antre.booking.tests.test_booking_races import race
from antre.testing import factories as f
from antre.waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = 150
URGENT = 20


def test_the_public_racing_near_deadline_citizens_never_takes_reserved_seats():
    start = dt.datetime(2026, 6, 10, 2, tzinfo=dt.UTC)
    service = f.ServiceFactory(reserve_percent=30, reserve_window_days=14)
    slot = f.SlotFactory(
        site_service__service=service,
        start=start,
        end=start + dt.timedelta(minutes=30),
        capacity=10,
        reserved=3,
    )
    site = slot.site_service.site
    public = [f.CitizenFactory() for _ in range(PUBLIC)]
    urgent = [f.CitizenFactory() for _ in range(URGENT)]
    for citizen in urgent:
        entry = WaitlistEntry.objects.create(
            citizen=citizen,
            service=service,
            earliest=dt.date(2026, 6, 2),
            latest=dt.date(2026, 6, 12),
        )
        entry.sites.set([site])
    # Interleaved so that both kinds press "book" in the same instant.
    everyone = [(citizen, False) for citizen in public] + [(citizen, True) for citizen in urgent]
    everyone.sort(key=lambda pair: hash(pair[0].pk * 7919) % 1000)
    kinds: Counter[str] = Counter()
    lock = threading.Lock()

    def book(index):
        citizen, is_urgent = everyone[index]
        create_booking(citizen=citizen, slot_id=slot.pk)
        with lock:
            kinds["urgent" if is_urgent else "public"] += 1

    outcomes = race(range(len(everyone)), book)

    slot.refresh_from_db()
    assert outcomes["booked"] == 10, outcomes
    assert outcomes[SlotFull.code] == len(everyone) - 10
    assert slot.booked == 10
    assert Booking.objects.filter(slot=slot, status=BookingStatus.CONFIRMED).count() == 10
    # The public's share is capacity minus the reserve, whoever came first.
    assert kinds["public"] <= 7, kinds
    assert kinds["urgent"] >= 3, kinds
    print(f"\n[{connection.vendor}] reserve race: {dict(kinds)}, reserve left {slot.reserved}")


def test_the_public_alone_books_exactly_the_unreserved_seats():
    start = dt.datetime(2026, 6, 10, 2, tzinfo=dt.UTC)
    slot = f.SlotFactory(
        start=start, end=start + dt.timedelta(minutes=30), capacity=10, reserved=3, overbook=2
    )
    citizens = [f.CitizenFactory() for _ in range(PUBLIC)]

    outcomes = race(range(PUBLIC), lambda i: create_booking(citizen=citizens[i], slot_id=slot.pk))

    slot.refresh_from_db()
    assert outcomes == {"booked": 9, SlotFull.code: PUBLIC - 9}, outcomes
    assert (slot.booked, slot.reserved) == (9, 3)

"""Any interleaving of book, cancel and reschedule keeps every slot's count true:
``booked == count(active bookings)`` and ``booked <= capacity``."""

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from antre.booking.models import ACTIVE_BOOKING_STATUSES, Booking, Slot
from antre.booking.services import cancel_booking, create_booking, reschedule_booking
from antre.core.errors import DomainError
from antre.testing import factories as f

SLOTS = 3
CITIZENS = 6


class BookingMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        first = f.SlotFactory(
            start=dt.datetime(2026, 6, 3, 9, tzinfo=dt.UTC),
            end=dt.datetime(2026, 6, 3, 9, 30, tzinfo=dt.UTC),
            capacity=2,
        )
        self.slots = [first] + [
            f.SlotFactory(
                site_service=first.site_service,
                start=first.start + dt.timedelta(hours=hour),
                end=first.end + dt.timedelta(hours=hour),
                capacity=capacity,
            )
            for hour, capacity in [(1, 1), (2, 3)]
        ]
        self.citizens = [f.CitizenFactory() for _ in range(CITIZENS)]

    def bookings(self):
        return list(Booking.objects.filter(slot__in=self.slots).select_related("slot", "service"))

    @rule(citizen=st.integers(0, CITIZENS - 1), slot=st.integers(0, SLOTS - 1))
    def book(self, citizen, slot):
        with contextlib.suppress(DomainError):
            create_booking(citizen=self.citizens[citizen], slot_id=self.slots[slot].pk)

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick):
        bookings = self.bookings()
        if bookings:
            with contextlib.suppress(DomainError):
                cancel_booking(booking=bookings[pick % len(bookings)], actor=None)

    @rule(pick=st.integers(0, 50), slot=st.integers(0, SLOTS - 1))
    def reschedule(self, pick, slot):
        bookings = self.bookings()
        if bookings:
            with contextlib.suppress(DomainError):
                reschedule_booking(
                    booking=bookings[pick % len(bookings)],
                    slot_id=self.slots[slot].pk,
                    actor=None,
                )

    @invariant()
    def counts_are_true(self):
        for slot in Slot.objects.filter(pk__in=[slot.pk for slot in self.slots]):
            active = Booking.objects.filter(slot=slot, status__in=ACTIVE_BOOKING_STATUSES).count()
            assert slot.booked == active
            assert 0 <= slot.booked <= slot.capacity


@pytest.mark.django_db
def test_any_interleaving_keeps_slot_counts_true():
    BookingMachine.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    BookingMachine.TestCase().runTest()

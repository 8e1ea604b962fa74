"""Whatever the order of joins, cancellations and capacity changes, every freed
seat goes to the matching entry with the earliest deadline (then the earliest
join), never to two people, and never to someone whose constraints it does not
meet."""

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from antre.booking.models import ACTIVE_BOOKING_STATUSES, Booking, Slot
from antre.booking.services import cancel_booking, create_booking
from antre.core import clock
from antre.core.errors import DomainError
from antre.testing import factories as f
from antre.waitlist.models import Offer, OfferStatus, WaitlistEntry, WaitlistStatus
from antre.waitlist.services import join_waitlist, offer_free_seats

WIB = dt.timezone(dt.timedelta(hours=7))
DAYS = [dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.date(2026, 6, 12)]


class WaitlistMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        service = f.ServiceFactory()
        self.sites = [f.SiteFactory(), f.SiteFactory()]
        self.site_services = [f.SiteServiceFactory(site=s, service=service) for s in self.sites]
        self.service = service
        self.slots = [
            f.SlotFactory(
                site_service=site_service,
                start=dt.datetime.combine(day, dt.time(9), tzinfo=WIB),
                end=dt.datetime.combine(day, dt.time(9, 30), tzinfo=WIB),
                capacity=1,
            )
            for site_service in self.site_services
            for day in DAYS
        ]
        self.citizens = [f.CitizenFactory() for _ in range(8)]
        # Every seat starts taken (by people outside the cast), so entries
        # wait and compete for what frees up.
        for slot in self.slots:
            create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
        self.tick = 0
        self.contested = 0

    def advance(self):
        self.tick += 1
        clock.set_frozen(clock.now() + dt.timedelta(seconds=1))

    def matches(self, entry, slot):
        day = slot.start.astimezone(WIB).date()
        return (
            entry.earliest <= day <= entry.latest
            and slot.site_service.site_id in {s.pk for s in entry.sites.all()}
            and not Offer.objects.filter(entry=entry, slot=slot).exists()
            and not Booking.objects.filter(
                citizen=entry.citizen, service=self.service, status__in=ACTIVE_BOOKING_STATUSES
            ).exists()
        )

    def expected_recipient(self, slot):
        waiting = WaitlistEntry.objects.filter(
            service=self.service, status=WaitlistStatus.WAITING
        ).order_by("latest", "created_at", "id")
        return next((entry for entry in waiting if self.matches(entry, slot)), None)

    def recipient_of(self, slot, before_offers, before_bookings):
        offer = Offer.objects.filter(slot=slot).exclude(pk__in=before_offers).first()
        if offer is not None:
            return offer.entry
        booking = (
            Booking.objects.filter(slot=slot, status__in=ACTIVE_BOOKING_STATUSES)
            .exclude(pk__in=before_bookings)
            .first()
        )
        if booking is not None:
            return WaitlistEntry.objects.filter(
                citizen=booking.citizen, service=self.service
            ).first()
        return None

    @initialize(
        joins=st.lists(
            st.tuples(
                st.integers(0, 7),
                st.integers(0, 2),
                st.sampled_from(["0", "1", "01"]),
                st.booleans(),
            ),
            min_size=5,
            max_size=8,
        )
    )
    def queue_up(self, joins):
        for citizen, deadline, sites, auto_book in joins:
            self.join(citizen, deadline, sites, auto_book)

    @rule(citizen=st.integers(0, 7), slot=st.integers(0, 5))
    def book(self, citizen, slot):
        self.advance()
        with contextlib.suppress(DomainError):
            create_booking(citizen=self.citizens[citizen], slot_id=self.slots[slot].pk)

    @rule(
        citizen=st.integers(0, 7),
        deadline=st.integers(0, 2),
        sites=st.sampled_from(["0", "1", "01"]),
        auto_book=st.booleans(),
    )
    def join(self, citizen, deadline, sites, auto_book):
        self.advance()
        with contextlib.suppress(DomainError):
            join_waitlist(
                citizen=self.citizens[citizen],
                service=self.service,
                sites=[self.sites[int(index)] for index in sites],
                earliest=DAYS[0],
                latest=DAYS[deadline],
                auto_book=auto_book,
            )

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick):
        self.advance()
        bookings = list(
            Booking.objects.filter(service=self.service, status="confirmed").select_related(
                "slot__site_service__site", "service"
            )
        )
        if not bookings:
            return
        booking = bookings[pick % len(bookings)]
        slot = booking.slot
        expected = self.expected_recipient(slot)
        waiting = WaitlistEntry.objects.filter(service=self.service, status=WaitlistStatus.WAITING)
        if sum(self.matches(entry, slot) for entry in waiting) > 1:
            self.contested += 1
        before_offers = list(Offer.objects.values_list("pk", flat=True))
        before_bookings = list(Booking.objects.values_list("pk", flat=True))
        cancel_booking(booking=booking, actor=None)
        got = self.recipient_of(slot, before_offers, before_bookings)
        assert (got.pk if got else None) == (expected.pk if expected else None)

    @rule(slot=st.integers(0, 5))
    def add_capacity(self, slot):
        self.advance()
        target = self.slots[slot]
        Slot.objects.filter(pk=target.pk).update(capacity=target.capacity + 1)
        target.capacity += 1
        expected = self.expected_recipient(Slot.objects.get(pk=target.pk))
        before_offers = list(Offer.objects.values_list("pk", flat=True))
        before_bookings = list(Booking.objects.values_list("pk", flat=True))
        offer_free_seats(slot_id=target.pk)
        if expected is not None:
            got = self.recipient_of(target, before_offers, before_bookings)
            assert got is not None
            assert got.pk == expected.pk

    @invariant()
    def seats_are_counted_once(self):
        for slot in Slot.objects.filter(pk__in=[s.pk for s in self.slots]):
            active = Booking.objects.filter(slot=slot, status__in=ACTIVE_BOOKING_STATUSES).count()
            held = Offer.objects.filter(slot=slot, status=OfferStatus.OPEN).count()
            assert slot.booked == active
            assert slot.held == held
            assert slot.booked + slot.held <= slot.capacity

    @invariant()
    def offers_meet_their_constraints(self):
        for offer in Offer.objects.filter(entry__service=self.service).select_related(
            "entry", "slot__site_service"
        ):
            day = offer.slot.start.astimezone(WIB).date()
            assert offer.entry.earliest <= day <= offer.entry.latest
            assert offer.entry.sites.filter(pk=offer.slot.site_service.site_id).exists()

    @invariant()
    def nobody_holds_two_seats_of_the_service(self):
        for citizen in self.citizens:
            active = Booking.objects.filter(
                citizen=citizen, service=self.service, status__in=ACTIVE_BOOKING_STATUSES
            ).count()
            held = Offer.objects.filter(entry__citizen=citizen, status=OfferStatus.OPEN).count()
            assert active + held <= 1


@pytest.mark.django_db
def test_freed_seats_follow_the_waiting_list_rules():
    contested = []
    original_teardown = WaitlistMachine.teardown

    def teardown(self):
        contested.append(self.contested)
        original_teardown(self)

    WaitlistMachine.teardown = teardown
    WaitlistMachine.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    try:
        WaitlistMachine.TestCase().runTest()
    finally:
        WaitlistMachine.teardown = original_teardown
    # The runs really had several entries competing for a freed seat.
    assert sum(contested) >= 1, contested

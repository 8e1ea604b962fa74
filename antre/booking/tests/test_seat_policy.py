"""The deadline reserve and overbooking (antre.booking.policy): what the public
may take, what a citizen near their deadline may take, and when the reserve
returns to everyone."""

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antre.booking import availability
from antre.booking.errors import SlotFull
from antre.booking.models import BookingStatus, Slot
from antre.booking.policy import (
    apply_policy,
    measured_no_show_rate,
    policy_for,
    release_due_reserves,
    reserve_eligible,
    reserve_release_moment,
)
from antre.booking.schedule import materialise_slots
from antre.booking.services import cancel_booking, create_booking, take_seat
from antre.catalog.models import OpeningHours
from antre.core import clock
from antre.testing import factories as f
from antre.waitlist.models import Offer, WaitlistEntry, WaitlistStatus
from antre.waitlist.services import join_waitlist, offer_free_seats

pytestmark = pytest.mark.django_db

WIB = dt.timezone(dt.timedelta(hours=7))
# The frozen clock: Tuesday 2 June 2026, 09:05 WIB.
TODAY = dt.date(2026, 6, 2)


def reserved_slot(*, capacity=10, reserved=3, day=dt.date(2026, 6, 10), **service_fields):
    service = f.ServiceFactory(reserve_percent=30, reserve_window_days=14, **service_fields)
    site_service = f.SiteServiceFactory(service=service)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=WIB)
    return f.SlotFactory(
        site_service=site_service,
        start=start,
        end=start + dt.timedelta(minutes=30),
        capacity=capacity,
        reserved=reserved,
    )


def fill_publicly(slot, count):
    for _ in range(count):
        create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)


def waiting_citizen(slot, *, latest):
    """A citizen on the list for the slot's service (joined while the slot had
    no public seat, so the join offers nothing)."""
    citizen = f.CitizenFactory()
    WaitlistEntry.objects.create(
        citizen=citizen,
        service=slot.site_service.service,
        earliest=TODAY,
        latest=latest,
    ).sites.set([slot.site_service.site])
    return citizen


def test_the_public_cannot_book_reserved_seats():
    slot = reserved_slot(capacity=10, reserved=3)
    fill_publicly(slot, 7)

    with pytest.raises(SlotFull):
        create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    slot.refresh_from_db()
    assert slot.booked == 7
    assert slot.remaining == 0
    assert slot.remaining_for_reserve == 3


def test_a_citizen_whose_deadline_is_near_books_a_reserved_seat():
    slot = reserved_slot(capacity=10, reserved=3)
    fill_publicly(slot, 7)
    urgent = waiting_citizen(slot, latest=dt.date(2026, 6, 12))

    booking = create_booking(citizen=urgent, slot_id=slot.pk)

    slot.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert slot.booked == 8
    # Their entry did its work.
    assert WaitlistEntry.objects.get(citizen=urgent).status == WaitlistStatus.BOOKED


def test_a_deadline_outside_the_window_or_before_the_slot_does_not_open_the_reserve():
    slot = reserved_slot(capacity=10, reserved=3)
    fill_publicly(slot, 7)
    far = waiting_citizen(slot, latest=TODAY + dt.timedelta(days=20))  # window is 14 days
    too_early = waiting_citizen(slot, latest=dt.date(2026, 6, 9))  # the slot is on the 10th

    assert not reserve_eligible(citizen_id=far.pk, slot=slot)
    assert not reserve_eligible(citizen_id=too_early.pk, slot=slot)
    for citizen in (far, too_early):
        with pytest.raises(SlotFull):
            create_booking(citizen=citizen, slot_id=slot.pk)


def test_an_eligible_booking_takes_its_seat_from_the_reserve_first():
    slot = reserved_slot(capacity=10, reserved=3)
    urgent = waiting_citizen(slot, latest=dt.date(2026, 6, 12))

    create_booking(citizen=urgent, slot_id=slot.pk)

    # The public's share (10 - 3 = 7 seats) is whole.
    slot.refresh_from_db()
    assert (slot.booked, slot.reserved) == (1, 2)
    assert (slot.remaining, slot.remaining_for_reserve) == (7, 9)


def test_availability_and_the_api_show_the_public_remaining(client):
    slot = reserved_slot(capacity=10, reserved=3)
    fill_publicly(slot, 5)
    site_service = Slot.objects.select_related("site_service__site", "site_service__service").get(
        pk=slot.pk
    )
    [choice] = availability.day_slots(
        site_service=site_service.site_service, day=dt.date(2026, 6, 10)
    )
    assert choice.remaining == 2

    response = client.get(
        "/api/v1/availability",
        {
            "site": slot.site_service.site.slug,
            "service": slot.site_service.service.slug,
            "from": "2026-06-10",
            "to": "2026-06-10",
        },
    )
    assert response.status_code == 200
    assert response.json()["slots"][0]["remaining"] == 2


def test_a_slot_full_to_the_public_is_not_the_earliest_free_elsewhere():
    slot = reserved_slot(capacity=4, reserved=2)
    fill_publicly(slot, 2)
    other_site = f.SiteServiceFactory(service=slot.site_service.service).site

    [elsewhere] = availability.earliest_free_slots_elsewhere(
        service=slot.site_service.service, exclude_site=other_site
    )
    assert elsewhere.slot is None


def test_the_reserve_is_released_at_its_time_to_the_waiting_list_first(frozen_clock):
    slot = reserved_slot(capacity=10, reserved=3, reserve_release_hours=24)
    fill_publicly(slot, 7)
    # Deadline outside the reserve window: only the release gives them a seat.
    patient = waiting_citizen(slot, latest=dt.date(2026, 6, 30))
    moment = reserve_release_moment(slot.site_service, slot.start)
    assert moment == dt.datetime(2026, 6, 10, 0, tzinfo=WIB) - dt.timedelta(hours=24)

    frozen_clock.move_to(moment - dt.timedelta(minutes=1))
    assert release_due_reserves() == 0
    frozen_clock.move_to(moment)
    assert release_due_reserves() == 1
    assert release_due_reserves() == 0  # safe to run twice

    slot.refresh_from_db()
    assert slot.reserved == 0
    offer = Offer.objects.get(entry__citizen=patient)
    assert offer.slot_id == slot.pk
    # One seat held for the waiting list, the other two back to the public.
    assert (slot.held, slot.remaining) == (1, 2)


def test_a_freed_public_seat_goes_to_the_list_even_to_an_entry_far_from_its_deadline():
    slot = reserved_slot(capacity=3, reserved=1)
    first = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    fill_publicly(slot, 1)
    patient = waiting_citizen(slot, latest=dt.date(2026, 6, 30))

    cancel_booking(booking=first, actor=None)

    assert Offer.objects.filter(entry__citizen=patient, slot=slot).exists()
    slot.refresh_from_db()
    assert (slot.booked, slot.held, slot.reserved) == (1, 1, 1)


def test_a_freed_seat_that_belongs_to_the_reserve_waits_for_a_near_deadline():
    slot = reserved_slot(capacity=2, reserved=0)
    first = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    fill_publicly(slot, 1)
    # The admin raised the reserve after both seats were booked.
    Slot.objects.filter(pk=slot.pk).update(reserved=1)
    patient = waiting_citizen(slot, latest=dt.date(2026, 6, 30))

    cancel_booking(booking=first, actor=None)

    slot.refresh_from_db()
    assert not Offer.objects.filter(entry__citizen=patient).exists()
    assert (slot.remaining, slot.remaining_for_reserve) == (0, 1)

    urgent = join_waitlist(
        citizen=f.CitizenFactory(),
        service=slot.site_service.service,
        sites=[slot.site_service.site],
        earliest=TODAY,
        latest=dt.date(2026, 6, 11),
    )
    assert urgent.status == WaitlistStatus.OFFERED
    slot.refresh_from_db()
    assert (slot.held, slot.reserved) == (1, 0)


def test_new_slots_are_born_with_the_reserve_unless_past_its_release():
    service = f.ServiceFactory(reserve_percent=20, reserve_release_hours=48)
    rule = f.ScheduleRuleFactory(site_service__service=service, capacity=10)
    site_service = rule.site_service
    site = site_service.site
    for weekday in range(5):
        OpeningHours.objects.create(
            site=site, weekday=weekday, opens=dt.time(8), closes=dt.time(16)
        )

    materialise_slots(site_service=site_service, end=dt.date(2026, 6, 8))

    by_day: dict[dt.date, set[int]] = {}
    for slot in Slot.objects.filter(site_service=site_service):
        by_day.setdefault(slot.start.astimezone(site.tzinfo).date(), set()).add(slot.reserved)
    # Released 48 h before the day's midnight: at 09:05 on the 2nd that has
    # passed for the 3rd (and the 4th: its midnight minus 48 h is the 2nd's
    # midnight), not for the 5th.
    assert by_day[dt.date(2026, 6, 3)] == {0}
    assert by_day[dt.date(2026, 6, 4)] == {0}
    assert by_day[dt.date(2026, 6, 5)] == {2}
    assert by_day[dt.date(2026, 6, 8)] == {2}


def test_changing_the_share_moves_the_reserve_by_the_difference():
    slot = reserved_slot(capacity=10, reserved=3)
    urgent = waiting_citizen(slot, latest=dt.date(2026, 6, 12))
    create_booking(citizen=urgent, slot_id=slot.pk)  # reserve 3 -> 2
    service = slot.site_service.service
    service.reserve_percent = 50
    service.save()

    apply_policy(site_service=slot.site_service, previous_reserve_percent=30)

    slot.refresh_from_db()
    # 5 - 3 = 2 more; the seat the urgent citizen used is not handed out twice.
    assert slot.reserved == 4
    assert slot.remaining == 5


# Overbooking ---------------------------------------------------------------


def history(service, site, *, no_shows, completed):
    """Past bookings of ``service`` at ``site`` that reached their day."""
    site_service = f.SiteServiceFactory(service=service, site=site)
    start = clock.now() - dt.timedelta(days=3)
    slot = f.SlotFactory(site_service=site_service, start=start, capacity=no_shows + completed + 5)
    for status, count in ((BookingStatus.NO_SHOW, no_shows), (BookingStatus.COMPLETED, completed)):
        for _ in range(count):
            f.BookingFactory(slot=slot, status=status)
    # Cancelled bookings and bookings still to come are not history.
    f.BookingFactory(slot=slot, status=BookingStatus.CANCELLED)
    return site_service


def test_seats_more_overbooking_adds_go_to_the_waiting_list_first():
    """Like any freed seat, a seat the policy adds is offered to the list
    before the public sees it."""
    service = f.ServiceFactory(overbook_percent=20)
    site_service = history(service, f.SiteFactory(), no_shows=5, completed=15)  # 25%
    start = dt.datetime(2026, 6, 10, 9, tzinfo=WIB)
    slot = f.SlotFactory(
        site_service=site_service, start=start, end=start + dt.timedelta(minutes=30), capacity=10
    )
    fill_publicly(slot, 10)
    waiting = waiting_citizen(slot, latest=dt.date(2026, 6, 28))

    apply_policy(site_service=site_service)

    slot.refresh_from_db()
    assert (slot.overbook, slot.booked, slot.held) == (2, 10, 1)
    assert WaitlistEntry.objects.get(citizen=waiting).status == WaitlistStatus.OFFERED
    assert slot.remaining == 1  # the other added seat: nobody else waits


def test_seats_a_smaller_reserve_frees_go_to_the_waiting_list_first():
    slot = reserved_slot(capacity=10, reserved=3)
    fill_publicly(slot, 7)
    waiting = waiting_citizen(slot, latest=dt.date(2026, 6, 28))  # far: not for the reserve
    service = slot.site_service.service
    service.reserve_percent = 0
    service.save()

    apply_policy(site_service=slot.site_service, previous_reserve_percent=30)

    slot.refresh_from_db()
    assert (slot.reserved, slot.booked, slot.held) == (0, 7, 1)
    assert WaitlistEntry.objects.get(citizen=waiting).status == WaitlistStatus.OFFERED


def test_the_no_show_rate_is_measured_from_bookings_that_reached_their_day():
    service = f.ServiceFactory()
    site = f.SiteFactory()
    history(service, site, no_shows=3, completed=17)
    f.BookingFactory(slot=f.SlotFactory(site_service__service=service))  # future

    measured = measured_no_show_rate(service=service, site=site)
    assert (measured.no_shows, measured.bookings, measured.percent_floor) == (3, 20, 15)
    assert measured_no_show_rate(service=f.ServiceFactory()).percent_floor == 0


def test_overbooking_beyond_the_measured_rate_is_refused():
    service = f.ServiceFactory()
    history(service, f.SiteFactory(), no_shows=3, completed=17)  # 15%

    service.overbook_percent = 16
    with pytest.raises(ValidationError) as refused:
        service.full_clean()
    assert "overbook_percent" in refused.value.message_dict
    service.overbook_percent = 15
    service.full_clean()


def test_overbooked_slots_take_up_to_the_rate_rounded_down_per_slot():
    service = f.ServiceFactory(overbook_percent=15)
    site = f.SiteFactory()
    site_service = history(service, site, no_shows=3, completed=17)
    start = dt.datetime(2026, 6, 10, 9, tzinfo=WIB)
    slot = f.SlotFactory(
        site_service=site_service, start=start, end=start + dt.timedelta(minutes=30), capacity=20
    )

    apply_policy(site_service=site_service)

    slot.refresh_from_db()
    assert slot.overbook == 3  # 15% of 20
    fill_publicly(slot, 23)
    with pytest.raises(SlotFull):
        create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)

    # Lowering the share never drops below the seats taken.
    service.overbook_percent = 0
    service.save()
    apply_policy(site_service=site_service)
    slot.refresh_from_db()
    assert slot.overbook == 3
    # An untouched slot drops to the new share at once.
    other = f.SlotFactory(
        site_service=site_service, start=start + dt.timedelta(hours=1), capacity=20, overbook=3
    )
    apply_policy(site_service=site_service)
    other.refresh_from_db()
    assert other.overbook == 0


def test_overbooking_is_capped_by_the_rate_measured_at_each_site():
    service = f.ServiceFactory()
    busy = history(service, f.SiteFactory(), no_shows=5, completed=15)  # 25%
    reliable = history(service, f.SiteFactory(), no_shows=1, completed=19)  # 5%
    service.overbook_percent = 15  # service-wide: 6 of 40 = 15%
    service.full_clean()
    service.save()
    assert policy_for(busy).overbook_percent == 15
    assert policy_for(reliable).overbook_percent == 5


# The guard as a property ----------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    capacity=st.integers(min_value=1, max_value=8),
    reserved=st.integers(min_value=0, max_value=8),
    overbook=st.integers(min_value=0, max_value=3),
    held=st.integers(min_value=0, max_value=3),
    takers=st.lists(st.booleans(), max_size=20),
)
def test_the_guard_follows_the_reserve_rules(capacity, reserved, overbook, held, takers):
    """Public (False) and near-deadline (True) takers in any order: each take
    succeeds exactly when the rules say, and the public never takes more than
    the seats left after the reserve."""
    reserved, held = min(reserved, capacity), min(held, capacity)
    slot = f.SlotFactory(
        start=clock.now() + dt.timedelta(days=3),
        capacity=capacity,
        reserved=reserved,
        overbook=overbook,
        held=held,
    )
    seats = capacity + overbook
    model_booked, model_reserved, public_taken = 0, reserved, 0
    for eligible in takers:
        if eligible:
            expected = model_booked + held < seats
        else:
            expected = model_booked + held + model_reserved < seats
        try:
            take_seat(slot, now=clock.now(), reserve_eligible=eligible)
            taken = True
        except SlotFull:
            taken = False
        assert taken == expected
        if taken:
            model_booked += 1
            if eligible:
                model_reserved = max(model_reserved - 1, 0)
            else:
                public_taken += 1
    slot.refresh_from_db()
    assert (slot.booked, slot.reserved) == (model_booked, model_reserved)
    assert slot.booked + slot.held <= seats
    assert public_taken <= max(seats - held - reserved, 0)


OPERATIONS = st.lists(
    st.sampled_from(["public", "urgent", "patient", "cancel", "release"]), max_size=14
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(capacity=st.integers(min_value=1, max_value=4), share=st.integers(0, 100), ops=OPERATIONS)
def test_the_reserve_stays_free_through_bookings_the_list_and_the_release(
    capacity, share, ops, frozen_clock
):
    """Public bookings, near-deadline and patient citizens joining the list
    (offered what fits at once), cancellations and the release, in any order:
    the seats reserved are always really free, and the counters match the rows."""
    reserved = capacity * share // 100
    slot = reserved_slot(capacity=capacity, reserved=reserved)
    service, site = slot.site_service.service, slot.site_service.site
    for operation in ops:
        if operation == "public":
            with contextlib.suppress(SlotFull):
                create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
        elif operation in ("urgent", "patient"):
            join_waitlist(
                citizen=f.CitizenFactory(),
                service=service,
                sites=[site],
                earliest=TODAY,
                latest=dt.date(2026, 6, 11 if operation == "urgent" else 30),
                auto_book=True,
            )
        elif operation == "cancel":
            booking = slot.bookings.filter(status=BookingStatus.CONFIRMED).order_by("pk").first()
            if booking is not None:
                cancel_booking(booking=booking, actor=None)
        else:
            # What release_due_reserves does to a slot at its release moment.
            Slot.objects.filter(pk=slot.pk).update(reserved=0)
            offer_free_seats(slot_id=slot.pk)
        slot.refresh_from_db()
        assert slot.booked + slot.held + slot.reserved <= slot.capacity + slot.overbook
        assert slot.booked == slot.bookings.filter(status=BookingStatus.CONFIRMED).count()
        assert slot.held == Offer.objects.filter(slot=slot, status="open").count()
        assert slot.reserved <= reserved

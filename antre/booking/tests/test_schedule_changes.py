"""Changing a schedule: the plan (what goes, who is stranded), and applying
it without ever dropping a booking unseen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from antre.accounts.scopes import scope_for
from antre.booking.availability import DayState, month_calendar
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.schedule import WantedSlot, materialise_slots
from antre.booking.schedule_changes import (
    APPLIED_ACTION,
    CapacityChange,
    ConfirmationRequired,
    DayClosure,
    ExistingSlot,
    ExtraSession,
    InvalidScheduleChange,
    RuleChange,
    RuleDeletion,
    StalePlan,
    apply_change,
    diff_slots,
    may_change,
    plan_change,
)
from antre.booking.services import create_booking
from antre.catalog.models import Closure, DayCapacity, ScheduleRule, SiteService
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.testing.personas import City
from antre.waitlist.models import Offer, WaitlistEntry, WaitlistStatus
from antre.waitlist.services import join_waitlist

WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 6, 2, 9, 5, tzinfo=WIB)
WEDNESDAY = dt.date(2026, 6, 3)
SATURDAY = dt.date(2026, 6, 6)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB).astimezone(dt.UTC)


# ---------------------------------------------------------------- pure diff


def existing(slot_id: int, start: dt.datetime, *, capacity: int = 2, confirmed=(), **kw):
    return ExistingSlot(
        slot_id=slot_id,
        start=start,
        end=start + dt.timedelta(minutes=30),
        capacity=capacity,
        booked=kw.pop("booked", len(confirmed)),
        held=kw.pop("held", 0),
        is_open=kw.pop("is_open", True),
        confirmed=tuple(confirmed),
    )


def wanted(start: dt.datetime, capacity: int = 2) -> WantedSlot:
    return WantedSlot(start, start + dt.timedelta(minutes=30), capacity, 1)


def test_a_slot_no_longer_wanted_strands_all_its_bookings() -> None:
    nine, half_past = at(WEDNESDAY, 9), at(WEDNESDAY, 9, 30)
    diff = diff_slots(
        [existing(1, nine, confirmed=[10, 11]), existing(2, half_past)],
        {half_past: wanted(half_past)},
        now=NOW,
    )

    assert [slot.slot_id for slot in diff.removed] == [1]
    assert diff.stranded == {10: 1, 11: 1}
    assert not diff.added
    assert not diff.resized


def test_a_capacity_cut_strands_the_latest_bookings_only() -> None:
    nine = at(WEDNESDAY, 9)
    diff = diff_slots(
        [existing(1, nine, capacity=4, confirmed=[10, 11, 12])], {nine: wanted(nine, 1)}, now=NOW
    )

    assert [(slot.slot_id, seats) for slot, seats in diff.resized] == [(1, 1)]
    assert diff.stranded == {11: 1, 12: 1}


def test_a_cut_that_still_fits_the_bookings_strands_nobody() -> None:
    nine = at(WEDNESDAY, 9)
    diff = diff_slots(
        [existing(1, nine, capacity=4, confirmed=[10])], {nine: wanted(nine, 1)}, now=NOW
    )

    assert diff.stranded == {}
    assert len(diff.resized) == 1


def test_new_and_reopened_slots_are_added_and_past_ones_ignored() -> None:
    past, nine, ten = at(dt.date(2026, 6, 2), 9), at(WEDNESDAY, 9), at(WEDNESDAY, 10)
    diff = diff_slots(
        [existing(1, past, confirmed=[5]), existing(2, nine, is_open=False)],
        {past: wanted(past, 9), nine: wanted(nine), ten: wanted(ten)},
        now=NOW.astimezone(dt.UTC),
    )

    assert [slot.start for slot in diff.added] == [nine, ten]
    assert diff.stranded == {}
    assert not diff.removed


# ---------------------------------------------------------------- with the database


@pytest.fixture
def offering(city: City) -> SiteService:
    """Layanan A at Gerai S: weekdays 09:00-11:00, 30-minute slots of 2 seats."""
    site_service = city.site_service(city.site_s, city.service_a)
    f.ScheduleRuleFactory(
        site_service=site_service, starts_at=dt.time(9), ends_at=dt.time(11), capacity=2
    )
    materialise_slots(site_service=site_service)
    return site_service


def slot_at(site_service: SiteService, start: dt.datetime) -> Slot:
    return Slot.objects.get(site_service=site_service, start=start)


def book(site_service: SiteService, start: dt.datetime, **citizen: object) -> Booking:
    return create_booking(
        citizen=f.CitizenFactory(**citizen), slot_id=slot_at(site_service, start).pk
    )


def apply(site_service: SiteService, change, **kwargs):
    plan = plan_change(site_service=site_service, change=change)
    kwargs.setdefault("change_key", "key-1")
    kwargs.setdefault("actor", None)
    return apply_change(
        site_service=site_service, change=change, fingerprint=plan.fingerprint, **kwargs
    )


def test_the_preview_changes_nothing(offering: SiteService) -> None:
    book(offering, at(WEDNESDAY, 9))
    before = list(Slot.objects.values_list("pk", "capacity", "booked", "is_open"))

    plan = plan_change(
        site_service=offering,
        change=DayClosure(start_date=WEDNESDAY, end_date=WEDNESDAY, reason="Listrik padam"),
    )

    assert len(plan.removed) == 4
    assert [person.why for person in plan.stranded] == ["removed"]
    assert plan.stranded[0].nik_masked
    assert "*" in plan.stranded[0].nik_masked
    assert not Closure.objects.exists()
    assert list(Slot.objects.values_list("pk", "capacity", "booked", "is_open")) == before
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_stranding_without_confirmation_is_refused_and_nothing_changes(
    offering: SiteService,
) -> None:
    booking = book(offering, at(WEDNESDAY, 9))
    change = DayClosure(start_date=WEDNESDAY, end_date=WEDNESDAY, reason="Listrik padam")

    with pytest.raises(ConfirmationRequired):
        apply(offering, change)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not Closure.objects.exists()
    assert slot_at(offering, at(WEDNESDAY, 9)).is_open
    assert not AuditEvent.objects.filter(action=APPLIED_ACTION).exists()


def test_a_confirmed_closure_cancels_apologises_and_waitlists(offering: SiteService) -> None:
    first = book(offering, at(WEDNESDAY, 9), full_name="Siti Aminah")
    second = book(offering, at(WEDNESDAY, 10, 30))
    OutboxMessage.objects.all().delete()
    change = DayClosure(start_date=WEDNESDAY, end_date=WEDNESDAY, reason="Pemadaman listrik PLN")

    applied = apply(offering, change, confirmed=True, join_waitlist=True)

    assert applied.cancelled == 2
    assert applied.waitlisted == 2
    for booking in (first, second):
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
    # Every slot of the day is closed; the next regeneration deletes the free
    # ones, and those holding the cancelled bookings stay for the record.
    day_slots = Slot.objects.filter(
        site_service=offering, start__gte=at(WEDNESDAY, 0), start__lt=at(WEDNESDAY, 23)
    )
    assert set(day_slots.values_list("booked", "is_open")) == {(0, False)}
    assert applied.plan is not None
    assert len(applied.plan.removed) == 4
    materialise_slots(site_service=offering)
    assert day_slots.count() == 2
    mails = OutboxMessage.objects.filter(kind="booking_schedule_change")
    assert sorted(mails.values_list("recipient", flat=True)) == sorted(
        [first.citizen.email, second.citizen.email]
    )
    mail = mails.get(recipient=first.citizen.email)
    assert "Pemadaman listrik PLN" in mail.body_text
    assert "Siti Aminah" in mail.body_text
    assert first.display_code in mail.body_text
    assert "daftar tunggu" in mail.body_text
    assert "waiting list" in mail.body_text.lower()
    assert f"/gerai/{offering.site.slug}/layanan/{offering.service.slug}/" in mail.body_text
    entry = WaitlistEntry.objects.get(citizen=first.citizen)
    assert entry.latest == WEDNESDAY
    # Joining offers a free seat at once: today's 10:30 is still free, and
    # nothing on the closed Wednesday is offered.
    assert entry.status == WaitlistStatus.OFFERED
    offered = Offer.objects.get(entry=entry).slot
    assert offered.is_open
    assert offered.start.astimezone(WIB).date() == NOW.date()
    assert list(entry.sites.all()) == [offering.site]
    cancelled = AuditEvent.objects.filter(action="booking.cancelled", target_id=str(first.pk)).get()
    assert cancelled.data["reason"] == "schedule_change"
    event = AuditEvent.objects.get(action=APPLIED_ACTION)
    assert event.data["change"]["kind"] == "DayClosure"
    assert sorted(event.data["cancelled"]) == sorted([first.display_code, second.display_code])


def test_applying_twice_changes_nothing_more(offering: SiteService) -> None:
    change = RuleChange(
        rule_id=None,
        weekdays=(0, 1, 2, 3, 4),
        starts_at=dt.time(13),
        ends_at=dt.time(14),
        slot_minutes=30,
        capacity=3,
    )
    plan = plan_change(site_service=offering, change=change)
    first = apply_change(
        site_service=offering,
        change=change,
        change_key="k",
        fingerprint=plan.fingerprint,
        actor=None,
    )
    slots = Slot.objects.count()

    again = apply_change(
        site_service=offering,
        change=change,
        change_key="k",
        fingerprint=plan.fingerprint,
        actor=None,
    )

    assert first.slots.created > 0
    assert again.already_applied
    assert ScheduleRule.objects.filter(site_service=offering).count() == 2
    assert Slot.objects.count() == slots
    assert AuditEvent.objects.filter(action=APPLIED_ACTION).count() == 1


def test_a_plan_gone_stale_is_recomputed_not_applied(offering: SiteService) -> None:
    change = CapacityChange(day=WEDNESDAY, starts_at=None, capacity=1)
    book(offering, at(WEDNESDAY, 9))
    plan = plan_change(site_service=offering, change=change)
    assert not plan.stranded
    # Someone books the same slot after the admin saw the preview.
    late = book(offering, at(WEDNESDAY, 9))

    with pytest.raises(StalePlan) as stale:
        apply_change(
            site_service=offering,
            change=change,
            change_key="k",
            fingerprint=plan.fingerprint,
            actor=None,
            confirmed=True,
            reason="Petugas sakit",
        )

    assert [person.booking_id for person in stale.value.plan.stranded] == [late.pk]
    assert not DayCapacity.objects.exists()
    assert slot_at(offering, at(WEDNESDAY, 9)).capacity == 2
    late.refresh_from_db()
    assert late.status == BookingStatus.CONFIRMED


def test_a_day_capacity_cut_keeps_the_earlier_booker(offering: SiteService) -> None:
    early = book(offering, at(WEDNESDAY, 9))
    late = book(offering, at(WEDNESDAY, 9))

    apply(
        offering,
        CapacityChange(day=WEDNESDAY, starts_at=dt.time(9), capacity=1),
        confirmed=True,
        reason="Satu loket rusak",
        join_waitlist=False,
    )

    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)
    slot = slot_at(offering, at(WEDNESDAY, 9))
    assert (slot.capacity, slot.booked) == (1, 1)
    assert slot_at(offering, at(WEDNESDAY, 9, 30)).capacity == 2
    # Regeneration later keeps the day's capacity.
    materialise_slots(site_service=offering)
    assert slot_at(offering, at(WEDNESDAY, 9)).capacity == 1
    assert not WaitlistEntry.objects.exists()


def test_raised_day_capacity_goes_to_the_waiting_list_first(offering: SiteService) -> None:
    for _seat in range(2):
        book(offering, at(WEDNESDAY, 9))
    Slot.objects.filter(site_service=offering).exclude(start=at(WEDNESDAY, 9)).update(
        booked=2
    )  # every other seat taken too: the waiting list is the only hope
    waiting = f.CitizenFactory()
    entry = join_waitlist(
        citizen=waiting,
        service=offering.service,
        sites=[offering.site],
        earliest=WEDNESDAY,
        latest=WEDNESDAY,
    )
    assert entry.status == WaitlistStatus.WAITING

    applied = apply(offering, CapacityChange(day=WEDNESDAY, starts_at=dt.time(9), capacity=3))

    assert applied.offered == 1
    offer = Offer.objects.get(entry=entry)
    assert offer.slot == slot_at(offering, at(WEDNESDAY, 9))
    slot = offer.slot
    assert (slot.capacity, slot.booked, slot.held) == (3, 2, 1)
    assert OutboxMessage.objects.filter(kind="waitlist_offer", recipient=waiting.email).exists()


def test_a_one_off_saturday_session_is_bookable_through_the_api(
    offering: SiteService, client: Client
) -> None:
    change = ExtraSession(
        day=SATURDAY, starts_at=dt.time(6, 30), ends_at=dt.time(8, 30), slot_minutes=30, capacity=5
    )

    applied = apply(offering, change)

    assert applied.slots.created == 4
    response = client.get(
        "/api/v1/availability",
        {
            "site": offering.site.slug,
            "service": offering.service.slug,
            "from": "2026-06-06",
            "to": "2026-06-07",
        },
    )
    assert response.status_code == 200
    slots = response.json()["slots"]
    assert [slot["start"] for slot in slots] == [
        "2026-06-06T06:30:00+07:00",
        "2026-06-06T07:00:00+07:00",
        "2026-06-06T07:30:00+07:00",
        "2026-06-06T08:00:00+07:00",
    ]
    assert {slot["remaining"] for slot in slots} == {5}
    # The session stays through the next regeneration, and only on that Saturday.
    materialise_slots(site_service=offering)
    assert (
        Slot.objects.filter(
            site_service=offering, start__lt=at(SATURDAY, 9), start__gte=at(SATURDAY, 0)
        ).count()
        == 4
    )
    assert not Slot.objects.filter(
        start__gte=at(dt.date(2026, 6, 13), 0), start__lt=at(dt.date(2026, 6, 13), 23)
    ).exists()


def test_a_service_closure_shows_on_the_citizen_calendar_with_its_reason(
    offering: SiteService, city: City
) -> None:
    apply(
        offering,
        DayClosure(
            start_date=WEDNESDAY, end_date=dt.date(2026, 6, 4), reason="Gangguan server SIM"
        ),
    )

    calendar = {day.date: day for day in month_calendar(site_service=offering, month=WEDNESDAY)}
    assert calendar[WEDNESDAY].state == DayState.CLOSED
    assert calendar[WEDNESDAY].closure_reason == "Gangguan server SIM"
    assert calendar[dt.date(2026, 6, 4)].state == DayState.CLOSED
    assert calendar[dt.date(2026, 6, 5)].state == DayState.AVAILABLE
    # Only this service closes: the other agency's service at the site is open.
    other = city.site_service(city.site_s, city.service_b)
    f.ScheduleRuleFactory(site_service=other)
    materialise_slots(site_service=other)
    other_calendar = {day.date: day for day in month_calendar(site_service=other, month=WEDNESDAY)}
    assert other_calendar[WEDNESDAY].state == DayState.AVAILABLE


def test_deleting_a_rule_strands_its_bookings_and_keeps_them_visible(
    offering: SiteService,
) -> None:
    booking = book(offering, at(WEDNESDAY, 10))
    rule = ScheduleRule.objects.get(site_service=offering)

    plan = plan_change(site_service=offering, change=RuleDeletion(rule_id=rule.pk))

    assert [person.code for person in plan.stranded] == [booking.display_code]
    assert not plan.added


def test_an_invalid_session_is_refused(offering: SiteService) -> None:
    with pytest.raises(InvalidScheduleChange):
        plan_change(
            site_service=offering,
            change=ExtraSession(
                day=SATURDAY, starts_at=dt.time(9), ends_at=dt.time(8), slot_minutes=30, capacity=5
            ),
        )


def test_who_may_change_what(city: City) -> None:
    site_service = city.site_service(city.site_s, city.service_a)
    service_day = DayClosure(start_date=WEDNESDAY, end_date=WEDNESDAY, reason="x")
    whole_site = DayClosure(start_date=WEDNESDAY, end_date=WEDNESDAY, reason="x", whole_site=True)

    assert may_change(scope_for(city.agency_admin_a), site_service, service_day)
    assert not may_change(scope_for(city.agency_admin_a), site_service, whole_site)
    assert not may_change(scope_for(city.agency_admin_b), site_service, service_day)
    assert may_change(scope_for(city.site_admin_s), site_service, whole_site)
    assert not may_change(
        scope_for(city.site_admin_s), city.site_service(city.site_t, city.service_a), service_day
    )
    assert may_change(scope_for(city.city_admin), site_service, whole_site)
    assert not may_change(scope_for(city.officer_s_a), site_service, service_day)

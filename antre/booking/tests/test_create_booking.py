import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from antre.booking import errors
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.services import cancel_booking, create_booking, reschedule_booking
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def slot_at(when: str, **kwargs) -> Slot:
    start = dt.datetime.fromisoformat(when)
    return f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), **kwargs)


def test_booking_takes_a_seat_writes_the_outbox_and_the_audit_log():
    slot = slot_at("2026-06-03T09:00+07:00", capacity=2)
    citizen = f.CitizenFactory()

    booking = create_booking(citizen=citizen, slot_id=slot.pk)

    slot.refresh_from_db()
    assert slot.booked == 1
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.site == slot.site_service.site
    assert OutboxMessage.objects.filter(recipient=citizen.email, kind="booking_confirmed").exists()
    assert AuditEvent.objects.filter(action="booking.created", target_id=str(booking.pk)).exists()


def test_a_full_slot_is_refused_and_nothing_changes():
    slot = slot_at("2026-06-03T09:00+07:00", capacity=1)
    create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    late = f.CitizenFactory()

    with pytest.raises(errors.SlotFull):
        create_booking(citizen=late, slot_id=slot.pk)

    assert Booking.objects.count() == 1
    assert not OutboxMessage.objects.filter(recipient=late.email).exists()


def test_one_active_booking_per_service():
    first = slot_at("2026-06-03T09:00+07:00")
    second = f.SlotFactory(
        site_service=first.site_service,
        start=first.start + dt.timedelta(days=1),
        end=first.end + dt.timedelta(days=1),
    )
    citizen = f.CitizenFactory()
    booking = create_booking(citizen=citizen, slot_id=first.pk)

    with pytest.raises(errors.DuplicateBooking):
        create_booking(citizen=citizen, slot_id=second.pk)

    cancel_booking(booking=booking, actor=citizen)
    assert create_booking(citizen=citizen, slot_id=second.pk).slot == second


def test_the_cap_on_active_bookings_across_services(settings):
    settings.ANTRE_MAX_ACTIVE_BOOKINGS = 2
    citizen = f.CitizenFactory()
    for _ in range(2):
        create_booking(citizen=citizen, slot_id=slot_at("2026-06-03T09:00+07:00").pk)

    with pytest.raises(errors.BookingLimitReached):
        create_booking(citizen=citizen, slot_id=slot_at("2026-06-03T09:00+07:00").pk)


@pytest.mark.parametrize(
    ("start", "error"),
    [
        ("2026-06-02T09:00+07:00", errors.SlotClosed),  # began five minutes ago
        ("2026-06-02T09:30+07:00", errors.OutsideBookingWindow),  # closes 60 min before
        ("2026-07-03T09:00+07:00", errors.OutsideBookingWindow),  # opens 30 days ahead
    ],
)
def test_the_booking_window(start, error):
    slot = slot_at(start)
    with pytest.raises(error):
        create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    slot.refresh_from_db()
    assert slot.booked == 0


def test_the_window_opens_at_the_sites_midnight():
    # Opens 30 days ahead: on 2 June, 2 July is bookable, at any hour.
    slot = slot_at("2026-07-02T14:30+07:00")
    assert create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)


def test_a_closed_slot_is_refused():
    slot = slot_at("2026-06-03T09:00+07:00", is_open=False)
    with pytest.raises(errors.SlotClosed):
        create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)


def test_an_unverified_citizen_cannot_book():
    slot = slot_at("2026-06-03T09:00+07:00")
    with pytest.raises(errors.EmailNotVerified):
        create_booking(citizen=f.CitizenFactory(email_verified_at=None), slot_id=slot.pk)


def test_staff_cannot_book():
    slot = slot_at("2026-06-03T09:00+07:00")
    with pytest.raises(errors.NotACitizen):
        create_booking(citizen=f.UserFactory(), slot_id=slot.pk)


def test_an_unknown_slot_is_not_found():
    with pytest.raises(errors.SlotNotFound):
        create_booking(citizen=f.CitizenFactory(), slot_id=987654)


def test_cancel_frees_the_seat_once():
    slot = slot_at("2026-06-03T09:00+07:00", capacity=1)
    citizen = f.CitizenFactory()
    booking = create_booking(citizen=citizen, slot_id=slot.pk)

    cancel_booking(booking=booking, actor=citizen)
    with pytest.raises(errors.NotCancellable):
        cancel_booking(booking=booking, actor=citizen)

    slot.refresh_from_db()
    assert slot.booked == 0
    assert Booking.objects.get().status == BookingStatus.CANCELLED


def test_no_cancel_after_the_cutoff(frozen_clock):
    slot = slot_at("2026-06-03T09:00+07:00")
    citizen = f.CitizenFactory()
    booking = create_booking(citizen=citizen, slot_id=slot.pk)
    frozen_clock.move_to("2026-06-03T07:01+07:00")  # cut-off is 120 minutes before

    with pytest.raises(errors.NotCancellable):
        cancel_booking(booking=booking, actor=citizen)


def test_reschedule_moves_the_seat_and_keeps_the_code():
    old = slot_at("2026-06-03T09:00+07:00", capacity=1)
    new = f.SlotFactory(
        site_service=old.site_service,
        start=old.start + dt.timedelta(hours=2),
        end=old.end + dt.timedelta(hours=2),
        capacity=1,
    )
    citizen = f.CitizenFactory()
    booking = create_booking(citizen=citizen, slot_id=old.pk)
    code = booking.code

    moved = reschedule_booking(booking=booking, slot_id=new.pk, actor=citizen)

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.booked, new.booked) == (0, 1)
    assert moved.slot == new
    assert moved.code == code
    assert OutboxMessage.objects.filter(kind="booking_rescheduled").count() == 1


def test_reschedule_to_a_full_slot_leaves_the_booking_where_it_was():
    old = slot_at("2026-06-03T09:00+07:00")
    full = f.SlotFactory(
        site_service=old.site_service,
        start=old.start + dt.timedelta(hours=2),
        end=old.end + dt.timedelta(hours=2),
        capacity=1,
        booked=1,
    )
    citizen = f.CitizenFactory()
    booking = create_booking(citizen=citizen, slot_id=old.pk)

    with pytest.raises(errors.SlotFull):
        reschedule_booking(booking=booking, slot_id=full.pk, actor=citizen)

    old.refresh_from_db()
    booking.refresh_from_db()
    assert old.booked == 1
    assert booking.slot == old


def test_reschedule_to_another_service_is_refused():
    old = slot_at("2026-06-03T09:00+07:00")
    other = slot_at("2026-06-03T11:00+07:00")
    citizen = f.CitizenFactory()
    booking = create_booking(citizen=citizen, slot_id=old.pk)

    with pytest.raises(errors.WrongService):
        reschedule_booking(booking=booking, slot_id=other.pk, actor=citizen)


def test_a_slot_full_when_read_is_refused_before_the_write_transaction():
    """In a rush the many late requests take no write lock (SQLite's one,
    PostgreSQL's slot row) only to be refused. A public-full slot with seats
    left in the reserve is still booked under the lock by an eligible
    citizen (test_seat_policy)."""
    slot = slot_at("2026-06-03T09:00+07:00", capacity=1, booked=1)
    late = f.CitizenFactory()

    with CaptureQueriesContext(connection) as captured, pytest.raises(errors.SlotFull):
        create_booking(citizen=late, slot_id=slot.pk)

    statements = " ".join(query["sql"] for query in captured.captured_queries)
    assert "INSERT" not in statements
    assert "UPDATE" not in statements
    assert "SAVEPOINT" not in statements


def test_a_full_slot_still_says_the_service_is_booked_first():
    """Refused before the transaction, the citizen's own rules come first, as
    under the lock: their booking of the service is the better answer."""
    slot = slot_at("2026-06-03T09:00+07:00", capacity=1)
    citizen = f.CitizenFactory()
    create_booking(citizen=citizen, slot_id=slot.pk)
    full = slot_at("2026-06-03T10:00+07:00", site_service=slot.site_service, capacity=1, booked=1)

    with pytest.raises(errors.DuplicateBooking):
        create_booking(citizen=citizen, slot_id=full.pk)

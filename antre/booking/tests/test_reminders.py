"""Reminders: once, from 08:00 at the site on the working day before the slot.

The clock starts on Tuesday 2 June 2026, 09:05 WIB (see conftest.py).
"""

import datetime as dt

import pytest

from antre.booking.models import BookingStatus
from antre.booking.reminders import send_due_reminders, working_day_before
from antre.booking.services import reschedule_booking
from antre.core.periodic import registered_jobs
from antre.notifications.delivery import deliver_message
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

WIB = dt.timezone(dt.timedelta(hours=7))
WITA = dt.timezone(dt.timedelta(hours=8))


def at(year_month_day: str, hour: int, minute: int = 0, tz=WIB) -> dt.datetime:
    day = dt.date.fromisoformat(year_month_day)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def booking_at(start: dt.datetime, **slot_fields):
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), **slot_fields)
    return f.BookingFactory(slot=slot)


def reminders():
    return OutboxMessage.objects.filter(kind="booking_reminder")


def test_working_day_before_skips_weekends_and_closed_days():
    monday = dt.date(2026, 6, 8)
    assert working_day_before(monday, set()) == dt.date(2026, 6, 5)  # Friday
    assert working_day_before(dt.date(2026, 6, 3), set()) == dt.date(2026, 6, 2)
    closed = {dt.date(2026, 6, 4), dt.date(2026, 6, 5)}  # Thursday and Friday
    assert working_day_before(monday, closed) == dt.date(2026, 6, 3)  # Wednesday


def test_a_monday_slot_is_reminded_on_friday_from_eight_once(frozen_clock):
    booking = booking_at(at("2026-06-08", 9))

    frozen_clock.move_to(at("2026-06-04", 12))  # Thursday
    assert send_due_reminders() == 0
    frozen_clock.move_to(at("2026-06-05", 7, 59))  # Friday, before eight
    assert send_due_reminders() == 0
    frozen_clock.move_to(at("2026-06-05", 8, 0))
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0  # the same run again
    frozen_clock.advance(minutes=15)
    assert send_due_reminders() == 0  # the next run
    frozen_clock.move_to(at("2026-06-06", 10))  # Saturday
    assert send_due_reminders() == 0

    [reminder] = reminders()
    assert reminder.recipient == booking.citizen.email
    assert reminder.context == {"booking": booking.pk, "slot": booking.slot_id}
    booking.refresh_from_db()
    assert booking.reminder_sent_at == at("2026-06-05", 8, 0)


def test_a_national_holiday_moves_the_reminder_to_the_working_day_before(frozen_clock):
    # Thursday 4 June is a national holiday; a site's own closure on the
    # Wednesday does not count, the citizen's working week does.
    f.ClosureFactory(site=None, start_date=dt.date(2026, 6, 4), reason="Libur nasional")
    booking = booking_at(at("2026-06-05", 10))  # Friday
    f.ClosureFactory(site=booking.site, start_date=dt.date(2026, 6, 3), reason="Renovasi")

    frozen_clock.move_to(at("2026-06-03", 7, 59))
    assert send_due_reminders() == 0
    frozen_clock.move_to(at("2026-06-03", 8, 0))
    assert send_due_reminders() == 1


def test_a_missed_run_still_reminds_before_the_slot(frozen_clock):
    # The worker was down all of Friday: Monday's reminder goes when it is back.
    booking_at(at("2026-06-08", 13))

    frozen_clock.move_to(at("2026-06-08", 8, 30))
    assert send_due_reminders() == 1


def test_no_reminder_for_a_slot_that_has_begun(frozen_clock):
    booking_at(at("2026-06-08", 9))

    frozen_clock.move_to(at("2026-06-08", 9, 1))
    assert send_due_reminders() == 0


def test_a_booking_made_after_its_reminder_time_gets_none():
    # Made now (Tuesday 09:05) for Wednesday: the confirmation just arrived.
    booking_at(at("2026-06-03", 10))

    assert send_due_reminders() == 0


def test_cancelled_bookings_get_no_reminder(frozen_clock):
    booking = booking_at(at("2026-06-04", 10))
    booking.status = BookingStatus.CANCELLED
    booking.save()

    frozen_clock.move_to(at("2026-06-03", 8))
    assert send_due_reminders() == 0


def test_a_booking_moved_to_a_later_day_is_reminded_again(frozen_clock):
    booking = booking_at(at("2026-06-04", 10))  # Thursday
    thursday = booking.slot
    friday = f.SlotFactory(
        site_service=booking.slot.site_service,
        start=at("2026-06-05", 10),
        end=at("2026-06-05", 10, 30),
    )
    frozen_clock.move_to(at("2026-06-03", 8))
    assert send_due_reminders() == 1

    frozen_clock.move_to(at("2026-06-03", 9))
    reschedule_booking(booking=booking, slot_id=friday.pk, actor=booking.citizen)
    frozen_clock.advance(minutes=15)
    assert send_due_reminders() == 0
    frozen_clock.move_to(at("2026-06-04", 8))
    assert send_due_reminders() == 1

    first, second = reminders().order_by("pk")
    assert (first.context["slot"], second.context["slot"]) == (thursday.pk, friday.pk)


def test_reminders_go_at_eight_in_the_sites_own_zone(frozen_clock):
    booking_at(at("2026-06-04", 9, tz=WITA), site_service__site__timezone="Asia/Makassar")
    booking_at(at("2026-06-04", 9, tz=WIB))

    frozen_clock.move_to(at("2026-06-03", 7, 59, tz=WITA))
    assert send_due_reminders() == 0
    frozen_clock.move_to(at("2026-06-03", 8, 0, tz=WITA))  # 07:00 in Jakarta
    assert send_due_reminders() == 1
    frozen_clock.move_to(at("2026-06-03", 8, 0, tz=WIB))
    assert send_due_reminders() == 1


def test_the_reminder_email_says_when(frozen_clock, mailoutbox):
    booking = booking_at(at("2026-06-08", 9, 30))
    frozen_clock.move_to(at("2026-06-05", 8))
    send_due_reminders()

    assert deliver_message(reminders().get().pk)

    [mail] = mailoutbox
    assert mail.subject == (
        f"Pengingat jadwal layanan: {booking.display_code} · Appointment reminder"
    )
    assert "jadwal layanan Anda pada Senin, 8 Juni 2026 pukul 09.30 WIB" in mail.body
    assert "appointment on Monday, 8 June 2026 at 09:30 WIB" in mail.body


def test_the_reminder_job_runs_every_quarter_hour():
    job = registered_jobs()["antre.booking.periodic_jobs.send_booking_reminders"]

    assert job.interval == dt.timedelta(minutes=15)

"""Periodic jobs of the booking app (discovered by antre.core.periodic)."""

from __future__ import annotations

import datetime as dt

from antre.booking.confirmation import release_unconfirmed, send_attendance_requests
from antre.booking.policy import apply_all_policies, release_due_reserves
from antre.booking.reminders import send_due_reminders
from antre.booking.schedule import materialise_all_slots
from antre.booking.services import mark_missed_bookings
from antre.core.periodic import periodic


@periodic(every=dt.timedelta(hours=1))
def materialise_slot_horizon() -> None:
    """Each hour the booking horizon moves on; new days get their slots."""
    materialise_all_slots()


@periodic(every=dt.timedelta(minutes=15))
def send_booking_reminders() -> None:
    """Reminders go from 08:00 on the working day before; each run queues
    what became due since the last one (see ``antre.booking.reminders``)."""
    send_due_reminders()


@periodic(every=dt.timedelta(hours=1))
def apply_seat_policies() -> None:
    """The measured no-show rate and slot capacities move: overbooking and
    the deadline reserve of future slots follow (``antre.booking.policy``)."""
    apply_all_policies()


@periodic(every=dt.timedelta(minutes=15))
def release_deadline_reserves() -> None:
    """Unused reserved seats return to everyone at their release time, the
    waiting list first; safe to run twice (each release is a guarded UPDATE)."""
    release_due_reserves()


@periodic(every=dt.timedelta(minutes=15))
def confirm_or_release() -> None:
    """Ask for attendance confirmations that became due, then release the
    bookings still unconfirmed at their deadline (``antre.booking.confirmation``)."""
    send_attendance_requests()
    release_unconfirmed()


@periodic(every=dt.timedelta(minutes=15))
def mark_no_shows() -> None:
    """Bookings whose check-in window closed without a check-in become
    no-shows, which frees the citizen to book the service again."""
    mark_missed_bookings()

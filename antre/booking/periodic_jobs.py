"""Periodic jobs of the booking app (discovered by antre.core.periodic)."""

from __future__ import annotations

import datetime as dt

from antre.booking.reminders import send_due_reminders
from antre.booking.schedule import materialise_all_slots
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

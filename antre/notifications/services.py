"""Writes of the notifications app: messages go into the outbox, in the
caller's transaction, and are delivered by the worker after commit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from antre.notifications.models import OutboxMessage

if TYPE_CHECKING:
    from antre.booking.models import Booking

BookingEvent = Literal["confirmed", "cancelled", "rescheduled", "reminder"]


def notify_booking(*, booking: Booking, event: BookingEvent) -> OutboxMessage | None:
    """Queue the e-mail that tells the citizen about ``event``; None when the
    booking has no citizen e-mail (an anonymised account)."""
    citizen = booking.citizen
    if citizen is None or not citizen.email:
        return None
    return OutboxMessage.objects.create(
        kind=f"booking_{event}",
        recipient=citizen.email,
        subject=f"antre {booking.display_code}",
        body_text=booking.display_code,
    )

"""What follows a new booking: its audit row, the confirmation e-mail, and
the end of the citizen's wait on the list for that service.

A booking's own transaction writes only what the seat needs: the guarded
UPDATE of the slot, the booking row and, from the API, the record of its
answer. On SQLite that transaction holds the database's one write lock and
on PostgreSQL the slot's row lock, so everything that can wait a moment is
left out of it: the booking is written with ``announce_pending`` set and
the worker (``antre worker``, every ``ANTRE_ANNOUNCE_INTERVAL_MS``) writes
the rest in a transaction that also clears the flag. The booking row is the
durable record: a crash before the worker's transaction commits leaves the
flag set for the next round, and a booking is announced exactly once
(PostgreSQL: ``SKIP LOCKED`` lets several workers share the work; SQLite:
one writer at a time). With ``ANTRE_BOOKING_ANNOUNCE=inline`` (the default
under tests) the booking's own transaction announces it, as one unit.

The audit row carries the booking's own time, not the worker's. A booking
cancelled before it is announced gets its audit row but no confirmation
e-mail (its cancellation e-mail already went), and leaves the citizen's
waiting-list entries alone (they may have joined again since).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from antre.booking.models import ACTIVE_BOOKING_STATUSES, Booking
from antre.core.audit import record_event
from antre.notifications.services import notify_booking

BATCH = 50


def inline() -> bool:
    """Whether a booking announces itself in its own transaction."""
    return bool(settings.ANTRE_BOOKING_ANNOUNCE == "inline")


def announce(booking: Booking) -> None:
    """Write what follows ``booking`` (inside the caller's transaction)."""
    from antre.waitlist.services import close_entries_after_booking

    active = booking.status in ACTIVE_BOOKING_STATUSES
    if active and booking.citizen is not None:
        close_entries_after_booking(citizen=booking.citizen, service_id=booking.service_id)
    record_event(
        action="booking.created",
        actor=booking.citizen,
        target=booking,
        site_id=booking.site_id,
        agency_id=booking.service.agency_id,
        data={"slot": booking.slot_id},
        at=booking.created_at,
    )
    if active:
        notify_booking(booking=booking, event="confirmed")


def announce_pending(*, limit: int = 10 * BATCH) -> int:
    """Announce up to ``limit`` bookings still waiting for it, ``BATCH`` per
    transaction; the number announced."""
    done = 0
    while done < limit:
        announced = _announce_batch()
        done += announced
        if announced < BATCH:
            break
    return done


def _announce_batch() -> int:
    with transaction.atomic():
        pending = Booking.objects.filter(announce_pending=True).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        ids = list(pending.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return 0
        Booking.objects.filter(pk__in=ids).update(announce_pending=False)
        bookings = Booking.objects.filter(pk__in=ids).select_related("citizen", "service")
        for booking in bookings.order_by("pk"):
            announce(booking)
    return len(ids)

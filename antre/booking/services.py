"""Writes of the booking app: book, cancel, reschedule.

Each function is one transaction (STYLE.md rule 2). Seats are taken with the
guarded UPDATE of ``antre.core.locking`` and never by reading ``booked`` first.
Locks are taken in one order everywhere — the citizen's row, then the slot(s)
in id order — so two requests can never wait on each other in a cycle.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from types import ModuleType
from typing import cast

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest

from antre.accounts.models import User
from antre.booking import announce, policy
from antre.booking.errors import (
    BookingLimitReached,
    DuplicateBooking,
    EmailNotVerified,
    NotACitizen,
    NotCancellable,
    OutsideBookingWindow,
    SlotClosed,
    SlotFull,
    SlotNotFound,
    WrongService,
)
from antre.booking.models import (
    ACTIVE_BOOKING_STATUSES,
    Booking,
    BookingStatus,
    CancelReason,
    Slot,
)
from antre.catalog import cache as catalog_cache
from antre.catalog.models import Site
from antre.core import clock, rows
from antre.core.audit import record_event
from antre.core.codes import new_code
from antre.core.locking import capacity_guard
from antre.notifications.services import notify_booking

_CODE_ATTEMPTS = 5
_ROW_ID_MIN, _ROW_ID_MAX = -(2**63), 2**63 - 1

# The booking path's statements, compiled once per process (antre.core.rows):
# the slot, the citizen's row lock (PostgreSQL), the citizen's active
# bookings, and the seat's guarded UPDATE for
# the public (seats held by waiting-list offers and the deadline reserve are
# not theirs) and for a citizen who may take a reserved seat (the same guard
# without the reserve, which gives up the seat first). Overbooking and the
# reserve are read by the same single UPDATE, so the public can never slip
# into reserved seats between a read and a write.
_SLOT = rows.Prepared(lambda slot_id: Slot.objects.filter(pk=slot_id))
_ACTIVE_SERVICES = rows.Prepared(
    lambda citizen_id: (
        Booking.objects.filter(citizen_id=citizen_id, status__in=ACTIVE_BOOKING_STATUSES)
        .order_by()
        .values_list("service_id")
    )
)
_LOCK_CITIZEN = rows.Prepared(
    lambda citizen_id: (
        User.objects.select_for_update(no_key=True).filter(pk=citizen_id).values_list("pk")
    )
)
_SEATS = F("capacity") + F("overbook") - F("held")
_PUBLIC_SEAT = rows.Prepared(
    lambda slot_id, now: capacity_guard(
        Slot,
        slot_id,
        used="booked",
        limit=_SEATS - F("reserved"),
        condition=Q(is_open=True, start__gt=now),
    )
)
_RESERVE_SEAT = rows.Prepared(
    lambda slot_id, now: (
        Slot.objects.filter(Q(is_open=True, start__gt=now), pk=slot_id, booked__lte=_SEATS - 1),
        {"booked": F("booked") + 1, "reserved": Greatest(F("reserved") - 1, 0)},
    )
)


def load_slot(slot_id: int) -> Slot:
    """The slot, with its site service, site, service and agency attached
    from the per-process catalogue cache (``antre.catalog.cache``): a change
    to a site's or service's settings made in another process reaches the
    booking rules here within seconds. Seats are never read from it: they
    are taken by the guarded UPDATE in ``take_seat``. The attached objects
    are shared: do not change them."""
    if type(slot_id) is not int or not _ROW_ID_MIN <= slot_id <= _ROW_ID_MAX:
        raise SlotNotFound()
    found = _SLOT.instances(slot_id)
    if not found:
        raise SlotNotFound()
    slot = cast(Slot, found[0])
    site_service = catalog_cache.site_service(slot.site_service_id)
    if site_service is None:  # pragma: no cover - the foreign key forbids it
        raise SlotNotFound()
    slot.site_service = site_service
    return slot


def check_bookable(slot: Slot, *, now: dt.datetime) -> None:
    """The rules that depend only on the slot and the clock: open, in the future,
    inside the service's booking window (opens N days ahead at the site's
    midnight, closes M minutes before the start)."""
    if not slot.is_open or slot.start <= now:
        raise SlotClosed()
    service = slot.site_service.service
    site = slot.site_service.site
    # Closed *at* the cut-off, as a slot is closed at its start: [opens, cut-off).
    if slot.start - dt.timedelta(minutes=service.booking_closes_minutes) <= now:
        raise OutsideBookingWindow()
    last_bookable_day = clock.today(site.timezone) + dt.timedelta(days=service.booking_opens_days)
    if slot.start.astimezone(site.tzinfo).date() > last_bookable_day:
        raise OutsideBookingWindow()
    # A high-demand day is given out by its fair release, not first-come.
    waitlist_release().check_released(slot, now=now)


def check_citizen(citizen: User) -> None:
    if not citizen.is_citizen:
        raise NotACitizen()
    if not citizen.email_verified:
        raise EmailNotVerified()


def take_seat(slot: Slot, *, now: dt.datetime, reserve_eligible: bool = False) -> None:
    """Take one seat or raise; the guard re-checks open and future under the row
    lock. Seats held by waiting-list offers are not for the public, nor is the
    deadline reserve unless ``reserve_eligible`` (``antre.booking.policy``):
    overbooking and the reserve are read by the same single UPDATE, so the
    public can never slip into reserved seats between a read and a write."""
    seat = _RESERVE_SEAT if reserve_eligible else _PUBLIC_SEAT
    taken = seat.update(slot.pk, now) == 1
    if not taken:
        try:
            slot.refresh_from_db(fields=["is_open", "start", "booked", "capacity"])
        except Slot.DoesNotExist:  # regenerated away while we waited on its row
            raise SlotClosed() from None
        if not slot.is_open or slot.start <= now:
            raise SlotClosed()
        raise SlotFull()


def lock_citizen(citizen: User) -> None:
    """Serialise one citizen's own booking writes, so the per-citizen cap and the
    one-per-service rule are checked against a stable set of their bookings.
    NO KEY UPDATE: rows that merely point at the citizen (an audit event, a
    record of an API answer written by another request) need not wait."""
    if not connection.features.has_select_for_update:
        # SQLite: the transaction (IMMEDIATE) already holds the database's one
        # write lock, which serialises every writer; the read would only cost.
        return
    if not _LOCK_CITIZEN.rows(citizen.pk):  # pragma: no cover - the caller holds the row
        raise User.DoesNotExist()


def active_service_ids(citizen: User) -> list[int]:
    """The service of each of the citizen's active bookings (one per booking)."""
    return [service_id for (service_id,) in _ACTIVE_SERVICES.rows(citizen.pk)]


def check_active_bookings(active: list[int], service_id: int) -> None:
    """Raise DuplicateBooking when ``active`` (the citizen's active bookings'
    services) holds ``service_id``, BookingLimitReached when it holds
    ``ANTRE_MAX_ACTIVE_BOOKINGS`` already."""
    if service_id in active:
        raise DuplicateBooking()
    if len(active) >= settings.ANTRE_MAX_ACTIVE_BOOKINGS:
        raise BookingLimitReached()


def lock_citizen_services(citizen: User) -> list[int]:
    """``lock_citizen`` and then ``active_service_ids``, in one statement
    where the database locks rows."""
    if not connection.features.has_select_for_update:
        return active_service_ids(citizen)  # SQLite: see lock_citizen
    with rows.cursor(connection) as run:
        run.execute(_locked_active_services_sql(), [*ACTIVE_BOOKING_STATUSES, citizen.pk])
        found = run.fetchall()
    if not found:  # pragma: no cover - the caller holds the row
        raise User.DoesNotExist()
    return [service_id for (service_id,) in found if service_id is not None]


@functools.cache
def _locked_active_services_sql() -> str:
    """The citizen's row locked and the service of each of their active
    bookings, in one statement (one round trip less on every booking): the
    bookings are joined outside the lock (LEFT JOIN: the citizen's row comes
    back, with NULL, when they have none) and only the citizen's row is
    locked. By hand: Django leaves out the ``OF`` of a ``values_list``
    query's lock, and would lock the joined bookings too."""
    quote = connection.ops.quote_name
    users, bookings = quote(User._meta.db_table), quote(Booking._meta.db_table)
    statuses = ", ".join("%s" for _status in ACTIVE_BOOKING_STATUSES)
    return (
        f"SELECT b.service_id FROM {users} u LEFT JOIN {bookings} b "  # noqa: S608 - names from _meta
        f"ON b.citizen_id = u.id AND b.status IN ({statuses}) "
        "WHERE u.id = %s FOR NO KEY UPDATE OF u"
    )


def create_booking(
    *,
    citizen: User,
    slot_id: int,
    answer: Callable[[Booking], Callable[[], object]] | None = None,
) -> Booking:
    """Book one seat of ``slot_id`` for ``citizen``. ``answer`` is called
    with the new booking (its code and time set, not yet its key) before the
    transaction begins, and what it returns runs inside the transaction after
    the booking's row is written: the API renders its answer outside the
    write lock and writes the record of that answer with the booking.

    Raises SlotNotFound, SlotClosed, OutsideBookingWindow, EmailNotVerified,
    NotACitizen, DuplicateBooking (one active booking per service, also a
    database constraint), BookingLimitReached (``ANTRE_MAX_ACTIVE_BOOKINGS``
    across services) or SlotFull. The audit row, the confirmation e-mail and
    the end of the citizen's wait for the service follow from the worker
    (``antre.booking.announce``), or in this transaction when announcing inline.

    The transaction holds only its statements: the reads and checks that
    need no lock, the booking's values and the answer come before it, and the
    guarded UPDATE of the slot comes last, so the slot's row (PostgreSQL) is
    locked only until the commit; a full slot rolls back the booking row
    written before it. A slot already full when read is refused before the
    transaction begins.
    """
    check_citizen(citizen)
    slot = load_slot(slot_id)
    now = clock.now()
    check_bookable(slot, now=now)
    service_id = slot.site_service.service_id
    reserve_eligible = policy.reserve_eligible(citizen_id=citizen.pk, slot=slot)
    if (slot.remaining_for_reserve if reserve_eligible else slot.remaining) <= 0:
        # Full as read a moment ago: refused without the write transaction,
        # which in a rush the many late requests would queue for (SQLite's
        # one write lock, PostgreSQL's slot row) only to be refused; the
        # citizen's own rules first, as under the lock. A seat freed since
        # the read is a seat freed after this request.
        check_active_bookings(active_service_ids(citizen), service_id)
        raise SlotFull()
    announce_inline = announce.inline()
    for _attempt in range(_CODE_ATTEMPTS):
        booking = new_booking(citizen=citizen, slot=slot, announce_pending=not announce_inline)
        row = rows.Insert(booking)
        write_answer = answer(booking) if answer is not None else None
        try:
            with transaction.atomic():
                check_active_bookings(lock_citizen_services(citizen), service_id)
                row.run()
                if announce_inline:
                    announce.announce(booking)
                if write_answer is not None:
                    write_answer()
                take_seat(slot, now=now, reserve_eligible=reserve_eligible)
            return booking
        except IntegrityError as error:
            if not _code_taken(error):
                # A concurrent request of the same citizen booked the service.
                raise DuplicateBooking() from error
    raise RuntimeError("Could not draw a unique booking code.")  # pragma: no cover


def _code_taken(error: IntegrityError) -> bool:
    """Whether ``error`` is the (one in a trillion) collision of a new
    booking's random code with an existing one's."""
    message = str(error).lower()
    return "code" in message and "booking" in message


def new_booking(*, citizen: User, slot: Slot, announce_pending: bool = False) -> Booking:
    """A new booking of ``slot`` for ``citizen`` with a fresh random code, not
    yet saved."""
    site_service = slot.site_service
    return Booking(
        code=new_code(),
        citizen=citizen,
        slot=slot,
        # The objects, not only their ids: the caller answers with the
        # booking's details without reading it again.
        site=site_service.site,
        service=site_service.service,
        announce_pending=announce_pending,
    )


def insert_booking(*, citizen: User, slot: Slot) -> Booking:
    """Insert a new booking row in the caller's transaction and without a
    savepoint of its own: a violated constraint (the code drawn twice, the
    service booked twice) rolls the caller's transaction back."""
    return rows.insert(new_booking(citizen=citizen, slot=slot))


def waitlist_release() -> ModuleType:
    """The waiting list's fair release, imported late like ``waitlist``."""
    from antre.waitlist import release

    return release


def waitlist() -> ModuleType:
    """The waiting list's services, imported late: they build on this module."""
    from antre.waitlist import services

    return services


def free_seat(slot_id: int, *, actor: User | None) -> None:
    """A booked seat of ``slot_id`` is given up: the waiting list gets it first
    (PRODUCT.md "Full is not the end"), in this same transaction, so it is
    never visible to the public in between."""
    services = waitlist()
    slot = Slot.objects.select_related("site_service__site", "site_service__service").get(
        pk=slot_id
    )
    services.pass_on_seat(slot=slot, source=services.Source.BOOKED, actor=actor)


def withdraw_earlier_seat_requests(booking: Booking, *, actor: User | None) -> None:
    from antre.waitlist.models import WaitlistEntry, WaitlistStatus

    for entry in WaitlistEntry.objects.filter(
        booking=booking, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    ):
        waitlist().withdraw_entry(entry=entry, actor=actor)


def check_changeable(booking: Booking, *, now: dt.datetime) -> None:
    """A booking can be cancelled or moved while confirmed and until the
    service's cut-off before its slot."""
    if booking.status != BookingStatus.CONFIRMED:
        raise NotCancellable()
    cutoff = dt.timedelta(minutes=booking.service.changes_close_minutes)
    if booking.slot.start - cutoff < now:
        raise NotCancellable()


def cancel_booking(
    *, booking: Booking, actor: User | None, reason: CancelReason = CancelReason.NONE
) -> Booking:
    """Cancel a confirmed booking and free its seat. Raises NotCancellable.

    The status change is a guarded UPDATE (confirmed -> cancelled), so two
    cancels at once free the seat once."""
    now = clock.now()
    check_changeable(booking, now=now)
    with transaction.atomic():
        claimed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
            status=BookingStatus.CANCELLED, cancelled_at=now, updated_at=now, cancel_reason=reason
        )
        if not claimed:
            raise NotCancellable()
        free_seat(booking.slot_id, actor=actor)
        withdraw_earlier_seat_requests(booking, actor=actor)
        booking.refresh_from_db()
        record_event(
            action="booking.cancelled",
            actor=actor,
            target=booking,
            site_id=booking.site_id,
            agency_id=booking.service.agency_id,
            data={"reason": reason.value} if reason else None,
        )
        notify_booking(booking=booking, event="cancelled")
    return booking


def reschedule_booking(*, booking: Booking, slot_id: int, actor: User | None) -> Booking:
    """Move a confirmed booking to another slot of the same service (at any site
    offering it), taking the new seat and freeing the old one in one
    transaction; the code stays. Raises what ``create_booking`` raises for the
    new slot, NotCancellable for the booking, WrongService."""
    now = clock.now()
    check_changeable(booking, now=now)
    new_slot = load_slot(slot_id)
    if new_slot.site_service.service_id != booking.service_id:
        raise WrongService()
    if new_slot.pk == booking.slot_id:
        return booking
    check_bookable(new_slot, now=now)
    old_slot_id = booking.slot_id
    with transaction.atomic():
        if booking.citizen is not None:
            lock_citizen(booking.citizen)
        take_seat(
            new_slot,
            now=now,
            reserve_eligible=policy.reserve_eligible(citizen_id=booking.citizen_id, slot=new_slot),
        )
        # The attendance confirmation was for the old slot: the new one is
        # asked about afresh.
        moved = Booking.objects.filter(
            pk=booking.pk, status=BookingStatus.CONFIRMED, slot_id=old_slot_id
        ).update(
            slot=new_slot,
            site_id=new_slot.site_service.site_id,
            updated_at=now,
            attendance_requested_at=None,
            attendance_confirmed_at=None,
        )
        if not moved:
            # Cancelled or moved by a concurrent request: undo our seat by
            # rolling the whole transaction back.
            raise NotCancellable()
        # The citizen chose the new time: a request for a seat earlier than
        # the old one is done (else the seat freed below would go straight
        # back to it, moving the booking back).
        withdraw_earlier_seat_requests(booking, actor=actor)
        free_seat(old_slot_id, actor=actor)
        booking.refresh_from_db()
        record_event(
            action="booking.rescheduled",
            actor=actor,
            target=booking,
            site_id=booking.site_id,
            agency_id=booking.service.agency_id,
            data={"from_slot": old_slot_id, "to_slot": new_slot.pk},
        )
        notify_booking(booking=booking, event="rescheduled")
    return booking


# Missed bookings are marked in batches, each in its own short transaction.
_MISSED_BATCH = 500


def mark_missed_bookings() -> int:
    """Confirmed bookings whose check-in window closed without a check-in
    (``site.checkin_closes_minutes`` after the slot's start) are no-shows.
    Until then they still count as the citizen's active booking of the
    service, which would refuse them a new one for good. Guarded and
    audited per booking; safe to run twice. Returns how many were marked."""
    now = clock.now()
    marked = 0
    for site in Site.objects.all():
        cutoff = now - dt.timedelta(minutes=site.checkin_closes_minutes)
        while True:
            missed = list(
                Booking.objects.filter(
                    site=site, status=BookingStatus.CONFIRMED, slot__start__lt=cutoff
                ).select_related("service")[:_MISSED_BATCH]
            )
            if not missed:
                break
            with transaction.atomic():
                for booking in missed:
                    changed = Booking.objects.filter(
                        pk=booking.pk, status=BookingStatus.CONFIRMED
                    ).update(status=BookingStatus.NO_SHOW, updated_at=now)
                    if not changed:  # checked in or cancelled meanwhile
                        continue
                    marked += 1
                    record_event(
                        action="booking.no_show",
                        target=booking,
                        site_id=booking.site_id,
                        agency_id=booking.service.agency_id,
                        data={"slot": booking.slot_id},
                    )
    return marked

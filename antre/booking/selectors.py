"""Reads of slots and bookings."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import Q, QuerySet

from antre.accounts.models import Role, StaffRole, User
from antre.accounts.scopes import scope_for
from antre.booking.models import Booking, Slot, public_seats_left
from antre.catalog.models import SiteService
from antre.core import clock

# The finest step of a stored time (microseconds, on SQLite and PostgreSQL).
TIME_RESOLUTION = dt.timedelta(microseconds=1)


def earliest_bookable_start(booking_closes_minutes: int) -> dt.datetime:
    """The earliest start a slot may have to be bookable now. Booking closes
    at the cut-off itself (``services.check_bookable``), so a slot starting
    exactly ``booking_closes_minutes`` from now is already closed."""
    return clock.now() + dt.timedelta(minutes=booking_closes_minutes) + TIME_RESOLUTION


def available_slots(*, site_service: SiteService, start: dt.date, end: dt.date) -> QuerySet[Slot]:
    """Open slots of a site service between two local dates (inclusive) that can
    still be booked (starting after the service's booking cut-off), full ones
    included (they show as full, remaining 0). One query."""
    tz = site_service.site.tzinfo
    bookable_from = earliest_bookable_start(site_service.service.booking_closes_minutes)
    range_start = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    range_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Slot.objects.filter(
        site_service=site_service,
        is_open=True,
        start__gte=max(range_start, bookable_from),
        start__lt=range_end,
    ).order_by("start")


class SlotSeats(NamedTuple):
    """A slot as the public availability lists it; times in UTC."""

    id: int
    start: dt.datetime
    end: dt.datetime
    capacity: int
    remaining: int


def available_slot_seats(
    *, site_service: SiteService, start: dt.date, end: dt.date
) -> list[SlotSeats]:
    """``available_slots`` (the same slots, in the same order) read as the
    columns the public needs, without building a model per row: a month of
    a busy service is hundreds of rows. One query."""
    rows = available_slots(site_service=site_service, start=start, end=end).values_list(
        "pk", "start", "end", "capacity", "overbook", "booked", "held", "reserved"
    )
    return [
        SlotSeats(
            pk,
            slot_start,
            slot_end,
            capacity,
            # available_slots lists open slots only.
            public_seats_left(
                is_open=True,
                capacity=capacity,
                overbook=overbook,
                booked=booked,
                held=held,
                reserved=reserved,
            ),
        )
        for pk, slot_start, slot_end, capacity, overbook, booked, held, reserved in rows
    ]


def bookings_with_details() -> QuerySet[Booking]:
    """Bookings with what showing one needs (its slot, site, service and
    agency, and the slot's site for its calendar entry) in the same query."""
    return Booking.objects.select_related("slot__site_service__site", "site", "service__agency")


def citizen_bookings(*, citizen: User, status: str | None = None) -> QuerySet[Booking]:
    """The citizen's bookings, newest first (by when they were made), optionally
    of one status. One query per page, whatever the number of bookings."""
    bookings = bookings_with_details().filter(citizen=citizen)
    if status is not None:
        bookings = bookings.filter(status=status)
    return bookings.order_by("-created_at", "-pk")


def find_booking(code: str) -> Booking | None:
    """The booking with this canonical code (as ``antre.core.codes.parse_code``
    returns it), with its details; ``None`` when there is none. Whose it is
    is the caller's question: see ``booking_visible_to``."""
    return bookings_with_details().filter(code=code).first()


def staff_may_see_booking(*, user: User, booking: Booking) -> bool:
    """Whether ``user`` is staff of the booking's site or agency.

    Admins whose back-office scope covers the booking's site and agency
    (``antre.accounts.scopes``: a city admin, the site's admin, the agency's
    admin, at every site or at this one) may see it, and so may an officer of
    the site (of any agency there, or of this booking's agency when their role
    names one): officers have no back office, but they serve the citizen at
    the counter. Devices (kiosks, boards) see no bookings. At most two queries
    (the scope, then the officer roles); one for a citizen."""
    agency_id = booking.service.agency_id
    if scope_for(user).covers(site_id=booking.site_id, agency_id=agency_id):
        return True
    return (
        StaffRole.objects.filter(user_id=user.pk, role=Role.OFFICER, site_id=booking.site_id)
        .filter(Q(agency__isnull=True) | Q(agency_id=agency_id))
        .exists()
    )


def booking_visible_to(*, user: User, code: str) -> Booking | None:
    """The booking with this canonical code if ``user`` may see it: its owner,
    or staff of its site or agency (``staff_may_see_booking``). ``None`` both
    when there is no such booking and when it is someone else's, so that
    callers cannot tell the two apart (API.md: never reveal that another
    citizen's booking exists)."""
    booking = find_booking(code)
    if booking is None:
        return None
    if booking.citizen_id is not None and booking.citizen_id == user.pk:
        return booking
    if user.is_active and staff_may_see_booking(user=user, booking=booking):
        return booking
    return None

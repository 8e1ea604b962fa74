"""Reads for choosing a slot: a month calendar of one site service, the slots
of one day, and the earliest free slot of a service at the other sites.

Every function answers in the site's own time zone: a day is a local date of
the site (a slot at 23:30 UTC is already tomorrow in Jakarta), and only what
the citizen could book right now is offered (open slots, after the service's
booking cut-off, inside its booking window; the same rules as
``antre.booking.services.check_bookable``). Full slots and full days are
reported as full rather than left out: a citizen must see that a day is full,
not wonder whether it exists.

The callers pass a ``SiteService`` with ``site`` and ``service`` loaded (as
``antre.catalog.selectors.find_offered_site_service`` returns it); the query
counts below assume so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import F, OuterRef, Q, Subquery

from antre.accounts.models import User
from antre.booking import selectors
from antre.booking.models import ACTIVE_BOOKING_STATUSES, Booking, Slot
from antre.catalog.calendar import days
from antre.catalog.models import Closure, OpeningHours, Service, Site, SiteService
from antre.catalog.selectors import ZONE_ABBREVIATIONS
from antre.core import clock


class DayState(StrEnum):
    AVAILABLE = "available"
    """Bookable slots with at least one free seat."""
    FULL = "full"
    """Bookable slots, every seat taken."""
    CLOSED = "closed"
    """The site is closed: no opening hours that weekday, or a closure."""
    NO_SLOTS = "no_slots"
    """Open, inside the window, but nothing to book (no schedule, or today's
    slots are all past the booking cut-off)."""
    OUTSIDE = "outside"
    """Before today, or after the last day of the booking window."""


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    state: DayState
    free_seats: int = 0
    slot_count: int = 0
    closure_reason: str = ""
    """The reason of the closure that closes this day ("Tahun Baru Islam"),
    empty for a weekday without opening hours or a day that is not closed."""

    @property
    def is_selectable(self) -> bool:
        """Whether the day has slots to list (full ones included)."""
        return self.state in (DayState.AVAILABLE, DayState.FULL)


@dataclass(frozen=True)
class SlotChoice:
    """A bookable slot as the citizen reads it, times in the site's zone."""

    slot_id: int
    start: dt.datetime
    end: dt.datetime
    capacity: int
    remaining: int
    zone: str
    """WIB, WITA or WIT (else the IANA name of the site's zone)."""

    @property
    def is_full(self) -> bool:
        return self.remaining <= 0


@dataclass(frozen=True)
class ElsewhereSlot:
    """Another site offering the same service, with its earliest free slot
    (``None`` when it has none to offer inside the booking window)."""

    site: Site
    slot: SlotChoice | None


def zone_name(site: Site) -> str:
    return ZONE_ABBREVIATIONS.get(site.timezone, site.timezone)


def booking_window(site: Site, service: Service) -> tuple[dt.date, dt.date]:
    """The first and last local date on which ``service`` can be booked at
    ``site`` now: today at the site up to ``booking_opens_days`` ahead (the
    window opens at the site's midnight)."""
    today = clock.today(site.tzinfo)
    return today, today + dt.timedelta(days=service.booking_opens_days)


def _bookable_from(service: Service) -> dt.datetime:
    """The earliest start a slot may have to be bookable now (the cut-off)."""
    return selectors.earliest_bookable_start(service.booking_closes_minutes)


def _local_midnight(day: dt.date, site: Site) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=site.tzinfo)


def _choice(slot: Slot, site: Site) -> SlotChoice:
    tz = site.tzinfo
    return SlotChoice(
        slot_id=slot.pk,
        start=slot.start.astimezone(tz),
        end=slot.end.astimezone(tz),
        capacity=slot.capacity,
        remaining=slot.remaining,
        zone=zone_name(site),
    )


def _bookable_slots(site_service: SiteService, first: dt.date, last: dt.date) -> list[Slot]:
    """Open slots of the site service on local days ``first`` to ``last``
    (clipped to the booking window) that start after the cut-off, full ones
    included, by start. One query, or none when the range misses the window."""
    site, service = site_service.site, site_service.service
    window_first, window_last = booking_window(site, service)
    first, last = max(first, window_first), min(last, window_last)
    if first > last:
        return []
    return list(
        Slot.objects.filter(
            site_service=site_service,
            is_open=True,
            start__gte=max(_local_midnight(first, site), _bookable_from(service)),
            start__lt=_local_midnight(last + dt.timedelta(days=1), site),
        ).order_by("start", "pk")
    )


def _closures(site_service: SiteService, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """The days between ``first`` and ``last`` on which the site, every site,
    or this service is closed, with the reason. Where closures overlap, a
    site-wide one names the day (it is what the citizen most likely knows)."""
    closures = Closure.objects.filter(
        Q(site=site_service.site_id) | Q(site__isnull=True),
        Q(service=site_service.service_id) | Q(service__isnull=True),
        start_date__lte=last,
        end_date__gte=first,
    ).order_by(F("service").asc(nulls_first=True), "start_date", "pk")
    closed: dict[dt.date, str] = {}
    for closure in closures:
        for day in days(max(closure.start_date, first), min(closure.end_date, last)):
            closed.setdefault(day, closure.reason)
    return closed


def month_calendar(*, site_service: SiteService, month: dt.date) -> list[CalendarDay]:
    """Every day of the month containing ``month`` at this site service, in
    order, each with its state and, when it has bookable slots, the free seats
    and the number of slots.

    Three queries whatever the number of slots: the site's opening hours, the
    closures touching the month, and the month's bookable slots (grouped by
    their local date in Python, so that the grouping follows the site's zone
    on every database)."""
    site, service = site_service.site, site_service.service
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    window_first, window_last = booking_window(site, service)
    open_weekdays = set(
        OpeningHours.objects.filter(site=site).values_list("weekday", flat=True).distinct()
    )
    closed = _closures(site_service, first, last)
    tz = site.tzinfo
    seats: dict[dt.date, int] = defaultdict(int)
    slot_counts: dict[dt.date, int] = defaultdict(int)
    for slot in _bookable_slots(site_service, first, last):
        local_day = slot.start.astimezone(tz).date()
        seats[local_day] += slot.remaining
        slot_counts[local_day] += 1
    calendar = []
    for day in days(first, last):
        if day < window_first:
            calendar.append(CalendarDay(day, DayState.OUTSIDE))
        elif day in closed:
            calendar.append(CalendarDay(day, DayState.CLOSED, closure_reason=closed[day]))
        elif day.weekday() not in open_weekdays:
            calendar.append(CalendarDay(day, DayState.CLOSED))
        elif day > window_last:
            calendar.append(CalendarDay(day, DayState.OUTSIDE))
        elif not slot_counts[day]:
            calendar.append(CalendarDay(day, DayState.NO_SLOTS))
        else:
            state = DayState.AVAILABLE if seats[day] > 0 else DayState.FULL
            calendar.append(CalendarDay(day, state, seats[day], slot_counts[day]))
    return calendar


def day_slots(*, site_service: SiteService, day: dt.date) -> list[SlotChoice]:
    """The bookable slots of one local day, full ones included, by start
    time; empty outside the booking window. One query (none outside it)."""
    site = site_service.site
    return [_choice(slot, site) for slot in _bookable_slots(site_service, day, day)]


@dataclass(frozen=True)
class SlotDetails:
    site_service: SiteService
    """With ``site`` and ``service`` (and the service's agency) loaded."""
    choice: SlotChoice
    is_bookable: bool
    """Open, after the booking cut-off and inside the booking window (full
    or not): what ``create_booking`` checks before it looks at the seats."""


def find_slot(*, slot_id: int) -> SlotDetails | None:
    """A slot with its site service, site, service and agency, as the confirm
    pages show it; ``None`` for no such slot. One query. Reads only:
    ``create_booking`` and ``reschedule_booking`` decide."""
    slot = (
        Slot.objects.select_related("site_service__site", "site_service__service__agency")
        .filter(pk=slot_id)
        .first()
    )
    if slot is None:
        return None
    site_service = slot.site_service
    site, service = site_service.site, site_service.service
    _window_first, window_last = booking_window(site, service)
    is_bookable = (
        slot.is_open
        and slot.start >= _bookable_from(service)
        and slot.start.astimezone(site.tzinfo).date() <= window_last
    )
    return SlotDetails(
        site_service=site_service, choice=_choice(slot, site), is_bookable=is_bookable
    )


def sites_offering(*, service: Service) -> list[Site]:
    """The active sites where ``service`` is offered, by name. One query."""
    return list(
        Site.objects.filter(
            is_active=True,
            site_services__service=service,
            site_services__is_active=True,
            site_services__service__is_active=True,
        ).order_by("name", "pk")
    )


def active_booking_for(*, citizen: User, service: Service) -> Booking | None:
    """The citizen's active booking of ``service`` with its slot and site, the
    one that makes ``create_booking`` refuse another (``DuplicateBooking``);
    ``None`` when there is none. One query."""
    return (
        Booking.objects.filter(citizen=citizen, service=service, status__in=ACTIVE_BOOKING_STATUSES)
        .select_related("slot", "site")
        .first()
    )


def earliest_free_slots_elsewhere(*, service: Service, exclude_site: Site) -> list[ElsewhereSlot]:
    """Every other active site offering ``service``, each with its earliest
    bookable slot that has a free seat: sites with one first, soonest first,
    then the sites without one, by name.

    Two queries whatever the number of sites and slots: the site services
    with the id of their earliest free slot (a correlated subquery), then
    those slots. Each site's window ends at its own midnight, which SQL cannot
    compute for many zones at once, so the subquery looks a little beyond the
    latest possible end and the exact window is applied here: if the earliest
    free slot of a site lies past its window, so does every other."""
    bookable_from = _bookable_from(service)
    # The last bookable local day ends at most one day plus the largest UTC
    # offset after "now + booking_opens_days"; two days covers every zone.
    beyond_any_window = clock.now() + dt.timedelta(days=service.booking_opens_days + 2)
    earliest_free = (
        Slot.objects.alias(
            # What the public may take: the deadline reserve is not theirs.
            public_taken=F("booked") + F("held") + F("reserved"),
            seats=F("capacity") + F("overbook"),
        )
        .filter(
            site_service=OuterRef("pk"),
            is_open=True,
            public_taken__lt=F("seats"),
            start__gte=bookable_from,
            start__lt=beyond_any_window,
        )
        .order_by("start", "pk")
        .values("pk")[:1]
    )
    site_services = list(
        SiteService.objects.filter(
            service=service, is_active=True, site__is_active=True, service__is_active=True
        )
        .exclude(site=exclude_site)
        .select_related("site")
        .annotate(earliest_free_id=Subquery(earliest_free))
        .order_by("site__name", "site__pk")
    )
    slot_ids = [row.earliest_free_id for row in site_services if row.earliest_free_id is not None]
    slots = Slot.objects.in_bulk(slot_ids) if slot_ids else {}
    with_slot: list[ElsewhereSlot] = []
    without_slot: list[ElsewhereSlot] = []
    for row in site_services:
        site = row.site
        slot = slots.get(row.earliest_free_id) if row.earliest_free_id is not None else None
        _window_first, window_last = booking_window(site, service)
        if slot is not None and slot.start.astimezone(site.tzinfo).date() <= window_last:
            with_slot.append(ElsewhereSlot(site=site, slot=_choice(slot, site)))
        else:
            without_slot.append(ElsewhereSlot(site=site, slot=None))
    with_slot.sort(key=lambda entry: entry.slot.start if entry.slot else bookable_from)
    return with_slot + without_slot


def has_free_seat_until(*, site_service: SiteService, last: dt.date) -> bool:
    """Whether the public can book a seat of the site service from now up to
    local day ``last`` (a citizen's deadline): the question behind "full up to
    your deadline" on the service page."""
    today = clock.today(site_service.site.tzinfo)
    return any(slot.remaining > 0 for slot in _bookable_slots(site_service, today, last))

"""Seat policy of a service: the deadline reserve and overbooking.

Both are counters on each ``Slot`` that the one guarded UPDATE reads
(``antre.booking.services.take_seat``), never a read-then-write:

- ``overbook``: seats above ``capacity``, ``floor(capacity * p / 100)`` where
  ``p`` is the service's ``overbook_percent`` capped by the no-show rate
  measured at that site (``measured_no_show_rate``). Lowering it never goes
  below the seats already taken (the table's check constraint would refuse).
- ``reserved``: ``floor(capacity * reserve_percent / 100)`` seats the public
  cannot take, for citizens on the waiting list whose deadline falls within
  ``reserve_window_days``. It counts the reserve still unused: such a citizen
  (booking, or served by the waiting list) takes a free seat out of it first.
  A seat freed later is not put back into it: it goes to the waiting list,
  earliest deadline first, like every freed seat. At ``reserve_release_hours`` before the slot's day
  (its local midnight) the reserve is released: ``reserved`` drops to 0 and
  the seats freed are passed to the waiting list first, like every freed seat.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest

from antre.booking.models import Booking, BookingStatus, Slot
from antre.catalog.models import Service, Site, SiteService
from antre.core import clock

logger = logging.getLogger(__name__)

HISTORY = dt.timedelta(days=90)
# The release job looks this far ahead for slots still holding a reserve;
# release times are at most 720 h (30 days) before a slot's day.
RELEASE_LOOKAHEAD = dt.timedelta(days=32)


@dataclass(frozen=True)
class NoShowRate:
    """No-shows among the bookings that reached their day (not cancelled, slot
    over) in the last ``HISTORY``."""

    no_shows: int
    bookings: int

    @property
    def rate(self) -> Decimal:
        if not self.bookings:
            return Decimal(0)
        return Decimal(self.no_shows) / Decimal(self.bookings)

    @property
    def percent_floor(self) -> int:
        """The rate in whole percent, rounded down: the most overbooking allowed."""
        return int((self.rate * 100).to_integral_value(rounding=ROUND_FLOOR))


def measured_no_show_rate(*, service: Service, site: Site | None = None) -> NoShowRate:
    """The measured no-show rate of ``service`` (at ``site``, or at every site).

    A booking that reached its day is one not cancelled whose slot has ended;
    a confirmed booking whose slot ended without a check-in counts as a no-show
    even when nobody marked it so. One query."""
    now = clock.now()
    reached = Booking.objects.filter(
        service=service,
        slot__end__lte=now,
        slot__end__gt=now - HISTORY,
    ).exclude(status=BookingStatus.CANCELLED)
    if site is not None:
        reached = reached.filter(site=site)
    counts = reached.aggregate(
        bookings=Count("pk"),
        no_shows=Count("pk", filter=Q(status__in=[BookingStatus.NO_SHOW, BookingStatus.CONFIRMED])),
    )
    return NoShowRate(no_shows=counts["no_shows"] or 0, bookings=counts["bookings"] or 0)


@dataclass(frozen=True)
class SlotPolicy:
    """The policy of one site service, ready to size its slots."""

    site_service: SiteService
    reserve_percent: int
    overbook_percent: int

    def reserved_for(self, *, capacity: int, start: dt.datetime, now: dt.datetime) -> int:
        if now >= reserve_release_moment(self.site_service, start):
            return 0
        return capacity * self.reserve_percent // 100

    def overbook_for(self, *, capacity: int) -> int:
        return capacity * self.overbook_percent // 100


def policy_for(site_service: SiteService) -> SlotPolicy:
    """The seat policy of ``site_service`` (with ``site`` and ``service``
    loaded); one query when the service overbooks (its measured rate), none
    otherwise. The overbooking share never exceeds the rate measured at
    this site, whatever the admin set service-wide."""
    service = site_service.service
    overbook = service.overbook_percent
    if overbook:
        measured = measured_no_show_rate(service=service, site=site_service.site)
        overbook = min(overbook, measured.percent_floor)
    return SlotPolicy(
        site_service=site_service,
        reserve_percent=service.reserve_percent,
        overbook_percent=overbook,
    )


def reserve_release_moment(site_service: SiteService, start: dt.datetime) -> dt.datetime:
    """When the reserve of a slot starting at ``start`` returns to everyone:
    ``reserve_release_hours`` before the local midnight that begins its day."""
    site = site_service.site
    day = start.astimezone(site.tzinfo).date()
    midnight = dt.datetime.combine(day, dt.time.min, tzinfo=site.tzinfo)
    return midnight - dt.timedelta(hours=site_service.service.reserve_release_hours)


def first_reserved_start(site_service: SiteService, now: dt.datetime) -> dt.datetime:
    """The earliest slot start whose reserve is not released yet at ``now``:
    the local midnight of the first day whose release moment is after ``now``."""
    site = site_service.site
    hours = dt.timedelta(hours=site_service.service.reserve_release_hours)
    day = (now + hours).astimezone(site.tzinfo).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=site.tzinfo)


def apply_policy(*, site_service: SiteService, previous_reserve_percent: int | None = None) -> int:
    """Size the overbooking of every future slot of ``site_service`` to its
    service's policy now and, when the reserve share changed from
    ``previous_reserve_percent``, move each slot's reserve by the difference;
    returns the slots changed.

    Called hourly (the measured rate moves) and when an admin changes the
    policy. Overbooking never drops below the seats taken (the guard keeps
    ``booked + held <= capacity + overbook``). The reserve moves by the
    difference of the two shares, not to the new share, so that reserved
    seats already used by near-deadline citizens are not handed out twice;
    it is only touched on slots whose release moment is still to come: a
    released reserve stays released."""
    from antre.waitlist.services import offer_free_seats, service_has_waiting_entries

    policy = policy_for(site_service)
    now = clock.now()
    future = Slot.objects.filter(site_service=site_service, start__gt=now)
    changed = 0
    # Slots whose public seats grow (more overbooking, a smaller reserve):
    # the waiting list gets those seats first, as it gets any freed seat.
    grown: set[int] = set()
    with transaction.atomic():
        # Integer division on every backend: floor for these non-negative counts.
        overbook = Greatest(
            F("capacity") * policy.overbook_percent / 100,
            F("booked") + F("held") - F("capacity"),
        )
        grown.update(future.filter(overbook__lt=overbook).values_list("pk", flat=True))
        changed += future.exclude(overbook=overbook).update(overbook=overbook)
        if previous_reserve_percent is not None and (
            previous_reserve_percent != policy.reserve_percent
        ):
            difference = (
                F("capacity") * policy.reserve_percent / 100
                - F("capacity") * previous_reserve_percent / 100
            )
            reserving = future.filter(start__gte=first_reserved_start(site_service, now))
            if policy.reserve_percent < previous_reserve_percent:
                grown.update(reserving.filter(reserved__gt=0).values_list("pk", flat=True))
            changed += reserving.update(reserved=Greatest(F("reserved") + difference, 0))
        if grown and service_has_waiting_entries(site_service.service_id):
            for slot_id in sorted(grown):
                offer_free_seats(slot_id=slot_id)
    return changed


def apply_all_policies() -> int:
    changed = 0
    site_services = SiteService.objects.select_related("site", "service").filter(is_active=True)
    for site_service in site_services:
        changed += apply_policy(site_service=site_service)
    return changed


def release_due_reserves() -> int:
    """Release the reserve of every slot whose release moment has passed and
    pass the freed seats to the waiting list first; returns the slots released.

    Each slot is claimed with a guarded UPDATE (``reserved > 0`` -> 0) in the
    transaction that passes its seats on, so two runs at once, or a run
    repeated, release each reserve once."""
    from antre.waitlist.services import offer_free_seats

    now = clock.now()
    pending = (
        Slot.objects.filter(reserved__gt=0, is_open=True, start__gt=now)
        .filter(start__lt=now + RELEASE_LOOKAHEAD)
        .values_list("site_service_id", flat=True)
        .distinct()
    )
    released = 0
    for site_service in SiteService.objects.select_related("site", "service").filter(
        pk__in=list(pending)
    ):
        boundary = first_reserved_start(site_service, now)
        due = Slot.objects.filter(
            site_service=site_service, reserved__gt=0, start__gt=now, start__lt=boundary
        ).values_list("pk", flat=True)
        for slot_id in list(due):
            with transaction.atomic():
                if not Slot.objects.filter(pk=slot_id, reserved__gt=0).update(reserved=0):
                    continue
                released += 1
                offer_free_seats(slot_id=slot_id)
    if released:
        logger.info("released the deadline reserve of %s slots", released)
    return released


def reserve_eligible(*, citizen_id: int | None, slot: Slot, today: dt.date | None = None) -> bool:
    """Whether a citizen may take a reserved seat of ``slot``: they wait on the
    list for its service (a deadline entry, waiting or offered) with a
    deadline within the service's reserve window and not before the slot's
    day. One query, none when the slot has no reserve."""
    if citizen_id is None or not slot.reserved:
        return False
    from antre.waitlist.models import WaitlistEntry, WaitlistKind, WaitlistStatus

    site = slot.site_service.site
    service = slot.site_service.service
    today = today or clock.today(site.tzinfo)
    day = slot.start.astimezone(site.tzinfo).date()
    return WaitlistEntry.objects.filter(
        citizen_id=citizen_id,
        service_id=service.pk,
        kind=WaitlistKind.DEADLINE,
        status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED],
        latest__gte=day,
        latest__lte=today + dt.timedelta(days=service.reserve_window_days),
    ).exists()


def entry_reserve_eligible(*, latest: dt.date, kind: str, slot: Slot) -> bool:
    """The same rule for a waiting-list entry the allocation is serving."""
    site = slot.site_service.site
    service = slot.site_service.service
    window_end = clock.today(site.tzinfo) + dt.timedelta(days=service.reserve_window_days)
    return kind == "deadline" and latest <= window_end


__all__ = [
    "NoShowRate",
    "SlotPolicy",
    "apply_all_policies",
    "apply_policy",
    "entry_reserve_eligible",
    "measured_no_show_rate",
    "policy_for",
    "release_due_reserves",
    "reserve_eligible",
]

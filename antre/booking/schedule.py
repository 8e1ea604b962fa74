"""Materialising slots from schedule rules.

Slots are rows, not computed on the fly, because a seat count needs a row to
guard (``booked < capacity``). They are generated for each service's booking
horizon by a periodic job and again whenever a rule, the hours or a closure
changes. Regeneration only ever touches *future* slots and never drops a
booking: a slot that is no longer wanted but holds (or held) bookings is closed
to new bookings instead of deleted, and a capacity cut never goes below the
seats already booked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from antre.booking.models import Slot
from antre.booking.policy import policy_for
from antre.catalog.calendar import SiteCalendar, days, load_site_calendar
from antre.catalog.models import DayCapacity, ScheduleRule, SiteService
from antre.core import clock


@dataclass
class SlotChanges:
    created: int = 0
    updated: int = 0
    closed: int = 0
    deleted: int = 0

    def __iadd__(self, other: SlotChanges) -> SlotChanges:
        self.created += other.created
        self.updated += other.updated
        self.closed += other.closed
        self.deleted += other.deleted
        return self


@dataclass(frozen=True)
class WantedSlot:
    start: dt.datetime
    end: dt.datetime
    capacity: int
    rule_id: int | None


# Seats set for one local day (``None``: every slot of it) or one slot of it
# (its local start time), from ``DayCapacity`` rows.
DayCapacities = Mapping[tuple[dt.date, dt.time | None], int]


def wanted_slots(
    site_service: SiteService,
    rules: Iterable[ScheduleRule],
    calendar: SiteCalendar,
    start: dt.date,
    end: dt.date,
    capacities: DayCapacities | None = None,
) -> dict[dt.datetime, WantedSlot]:
    """The slots the rules ask for on open days between ``start`` and ``end``
    (local dates), keyed by their UTC start. A slot must lie inside one of the
    site's opening ranges unless its rule is a session allowed outside them
    (``outside_hours``: a Saturday, an early opening); closures hold for every
    rule. Where two rules give the same start the first wins. ``capacities``
    override a rule's seats: one slot's before its whole day's."""
    capacities = capacities or {}
    tz = site_service.site.tzinfo
    wanted: dict[dt.datetime, WantedSlot] = {}
    for day in days(start, end):
        if calendar.is_closed(day, site_service.service_id):
            continue
        for rule in rules:
            if day.weekday() not in rule.weekdays:
                continue
            if rule.valid_from and day < rule.valid_from:
                continue
            if rule.valid_until and day > rule.valid_until:
                continue
            step = dt.timedelta(minutes=rule.slot_minutes)
            # Wall-clock arithmetic in the site's zone: Indonesian zones have no
            # DST, but combine-then-convert keeps this right where one exists.
            slot_start = dt.datetime.combine(day, rule.starts_at, tzinfo=tz)
            session_end = dt.datetime.combine(day, rule.ends_at, tzinfo=tz)
            while slot_start + step <= session_end:
                slot_end = slot_start + step
                if rule.outside_hours or calendar.within_hours(
                    day, slot_start.timetz(), slot_end.timetz()
                ):
                    key = slot_start.astimezone(dt.UTC)
                    seats = capacities.get(
                        (day, slot_start.time()), capacities.get((day, None), rule.capacity)
                    )
                    wanted.setdefault(
                        key, WantedSlot(key, slot_end.astimezone(dt.UTC), seats, rule.pk)
                    )
                slot_start = slot_end
    return wanted


def horizon(site_service: SiteService) -> tuple[dt.date, dt.date]:
    """Today (at the site) up to the last day the service can be booked."""
    today = clock.today(site_service.site.timezone)
    return today, today + dt.timedelta(days=site_service.service.booking_opens_days)


def load_day_capacities(
    site_service: SiteService, start: dt.date, end: dt.date
) -> dict[tuple[dt.date, dt.time | None], int]:
    return {
        (row.date, row.starts_at): row.capacity
        for row in DayCapacity.objects.filter(
            site_service=site_service, date__gte=start, date__lte=end
        )
    }


def desired_slots(
    site_service: SiteService, start: dt.date, end: dt.date
) -> dict[dt.datetime, WantedSlot]:
    """What the site service's rules, hours, closures and day capacities ask
    for now between two local dates; nothing when the site, the service or
    the offer is inactive. Four queries."""
    if not (
        site_service.is_active and site_service.service.is_active and site_service.site.is_active
    ):
        return {}
    rules = list(site_service.schedule_rules.order_by("starts_at", "pk"))
    calendar = load_site_calendar(site_service.site, start, end)
    capacities = load_day_capacities(site_service, start, end)
    return wanted_slots(site_service, rules, calendar, start, end, capacities)


def materialise_slots(
    *,
    site_service: SiteService,
    start: dt.date | None = None,
    end: dt.date | None = None,
    delete_unwanted: bool = True,
) -> SlotChanges:
    """Bring the future slots of one site service in line with its rules,
    hours and closures between ``start`` and ``end`` (default: the booking
    horizon). Safe to run any number of times and concurrently with bookings:
    every change to an existing slot is a guarded UPDATE or DELETE that
    re-checks the seats booked at the moment it runs.

    With ``delete_unwanted=False`` slots no longer wanted are only closed (the
    next run deletes the empty ones): for a caller holding those slots' row
    locks, so that a booking queued on a lock finds its slot closed rather
    than gone."""
    default_start, default_end = horizon(site_service)
    start = start or default_start
    end = end or default_end
    now = clock.now()
    wanted = desired_slots(site_service, start, end)
    tz = site_service.site.tzinfo
    range_start = max(dt.datetime.combine(start, dt.time.min, tzinfo=tz), now)
    range_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    changes = SlotChanges()
    with transaction.atomic():
        existing = {
            slot.start: slot
            for slot in Slot.objects.filter(
                site_service=site_service, start__gt=range_start, start__lt=range_end
            )
        }
        unwanted: list[int] = []
        for start_at, slot in existing.items():
            target = wanted.pop(start_at, None)
            if target is None:
                unwanted.append(slot.pk)
                continue
            if (slot.end, slot.capacity, slot.rule_id, slot.is_open) != (
                target.end,
                target.capacity,
                target.rule_id,
                True,
            ):
                # Never below the seats already taken or held for a waiting-list
                # offer: a cut applies to what is free (the table's check
                # constraint, booked <= capacity + overbook - held, would
                # refuse more).
                changes.updated += Slot.objects.filter(pk=slot.pk).update(
                    end=target.end, rule_id=target.rule_id, is_open=True
                )
                cut = Slot.objects.filter(
                    pk=slot.pk, booked__lte=target.capacity + F("overbook") - F("held")
                ).update(capacity=target.capacity)
                if not cut:
                    Slot.objects.filter(pk=slot.pk).update(
                        capacity=F("booked") + F("held") - F("overbook")
                    )
        if unwanted:
            # A seat held for a waiting-list offer keeps its slot (deleting it
            # would delete the offer with it); the slot is closed instead.
            untouched = Slot.objects.filter(
                pk__in=unwanted, booked=0, held=0, bookings__isnull=True
            )
            deletable = list(untouched.values_list("pk", flat=True)) if delete_unwanted else []
            if deletable:
                changes.deleted = Slot.objects.filter(pk__in=deletable, booked=0).delete()[0]
            changes.closed = (
                Slot.objects.filter(pk__in=unwanted, is_open=True)
                .exclude(pk__in=deletable)
                .update(is_open=False)
            )
        # New slots are born with the service's reserve and overbooking, so
        # the public never sees a reserved seat between creation and the
        # hourly policy job (antre.booking.policy).
        seat_policy = policy_for(site_service)
        fresh = [
            Slot(
                site_service=site_service,
                rule_id=slot.rule_id,
                start=slot.start,
                end=slot.end,
                capacity=slot.capacity,
                reserved=seat_policy.reserved_for(
                    capacity=slot.capacity, start=slot.start, now=now
                ),
                overbook=seat_policy.overbook_for(capacity=slot.capacity),
            )
            for slot in wanted.values()
            if slot.start > now
        ]
        Slot.objects.bulk_create(fresh, batch_size=500)
        changes.created = len(fresh)
    return changes


def materialise_all_slots(
    *, site_id: int | None = None, service_id: int | None = None
) -> SlotChanges:
    """Every active site service (optionally of one site or service) over its horizon."""
    site_services = SiteService.objects.select_related("site", "service")
    if site_id is not None:
        site_services = site_services.filter(site_id=site_id)
    if service_id is not None:
        site_services = site_services.filter(service_id=service_id)
    total = SlotChanges()
    for site_service in site_services:
        total += materialise_slots(site_service=site_service)
    return total

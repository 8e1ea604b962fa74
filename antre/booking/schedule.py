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
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from antre.booking.models import Slot
from antre.catalog.calendar import SiteCalendar, days, load_site_calendar
from antre.catalog.models import ScheduleRule, SiteService
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


def wanted_slots(
    site_service: SiteService,
    rules: Iterable[ScheduleRule],
    calendar: SiteCalendar,
    start: dt.date,
    end: dt.date,
) -> dict[dt.datetime, WantedSlot]:
    """The slots the rules ask for on open days between ``start`` and ``end``
    (local dates), keyed by their UTC start. A slot must lie inside one of the
    site's opening ranges; where two rules give the same start the first wins."""
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
                if calendar.within_hours(day, slot_start.timetz(), slot_end.timetz()):
                    key = slot_start.astimezone(dt.UTC)
                    wanted.setdefault(
                        key, WantedSlot(key, slot_end.astimezone(dt.UTC), rule.capacity, rule.pk)
                    )
                slot_start = slot_end
    return wanted


def horizon(site_service: SiteService) -> tuple[dt.date, dt.date]:
    """Today (at the site) up to the last day the service can be booked."""
    today = clock.today(site_service.site.timezone)
    return today, today + dt.timedelta(days=site_service.service.booking_opens_days)


def materialise_slots(
    *, site_service: SiteService, start: dt.date | None = None, end: dt.date | None = None
) -> SlotChanges:
    """Bring the future slots of one site service in line with its rules,
    hours and closures between ``start`` and ``end`` (default: the booking
    horizon). Safe to run any number of times and concurrently with bookings:
    every change to an existing slot is a guarded UPDATE or DELETE that
    re-checks the seats booked at the moment it runs."""
    default_start, default_end = horizon(site_service)
    start = start or default_start
    end = end or default_end
    now = clock.now()
    rules = list(site_service.schedule_rules.order_by("starts_at", "pk"))
    calendar = load_site_calendar(site_service.site, start, end)
    wanted = (
        wanted_slots(site_service, rules, calendar, start, end)
        if site_service.is_active and site_service.service.is_active and site_service.site.is_active
        else {}
    )
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
                # Never below the seats already taken: a cut applies to what is free.
                changes.updated += Slot.objects.filter(pk=slot.pk).update(
                    end=target.end, rule_id=target.rule_id, is_open=True
                )
                raised = Slot.objects.filter(pk=slot.pk, booked__lte=target.capacity).update(
                    capacity=target.capacity
                )
                if not raised:
                    slot.refresh_from_db(fields=["booked"])
                    Slot.objects.filter(pk=slot.pk).update(capacity=slot.booked)
        if unwanted:
            untouched = Slot.objects.filter(pk__in=unwanted, booked=0, bookings__isnull=True)
            deletable = list(untouched.values_list("pk", flat=True))
            if deletable:
                changes.deleted = Slot.objects.filter(pk__in=deletable, booked=0).delete()[0]
            changes.closed = (
                Slot.objects.filter(pk__in=unwanted, is_open=True)
                .exclude(pk__in=deletable)
                .update(is_open=False)
            )
        fresh = [
            Slot(
                site_service=site_service,
                rule_id=slot.rule_id,
                start=slot.start,
                end=slot.end,
                capacity=slot.capacity,
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

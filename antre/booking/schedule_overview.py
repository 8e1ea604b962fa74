"""Reads for the back office's schedule page: a site service's rules, day
capacities and the slots of the coming days as they are now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Q

from antre.booking.models import Slot
from antre.catalog.calendar import days
from antre.catalog.models import Closure, DayCapacity, OpeningHours, ScheduleRule, SiteService
from antre.core import clock

OVERVIEW_DAYS = 14


@dataclass(frozen=True)
class SlotState:
    slot_id: int
    start: dt.datetime
    end: dt.datetime
    capacity: int
    booked: int
    held: int
    is_open: bool

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked - self.held, 0) if self.is_open else 0


@dataclass(frozen=True)
class DayOverview:
    date: dt.date
    closure_reason: str
    """Why the day is closed for this service; empty when it is not."""
    has_hours: bool
    slots: list[SlotState] = field(default_factory=list)

    @property
    def seats(self) -> int:
        return sum(slot.capacity for slot in self.slots if slot.is_open)

    @property
    def booked(self) -> int:
        return sum(slot.booked for slot in self.slots)


@dataclass(frozen=True)
class ScheduleOverview:
    site_service: SiteService
    rules: list[ScheduleRule]
    capacities: list[DayCapacity]
    days: list[DayOverview]


def schedule_overview(
    *, site_service: SiteService, first: dt.date | None = None, count: int = OVERVIEW_DAYS
) -> ScheduleOverview:
    """The rules, the day capacities from ``first`` (default today at the
    site) on, and ``count`` days of slots with their closures. Five queries."""
    site = site_service.site
    tz = site.tzinfo
    first = first or clock.today(site.timezone)
    last = first + dt.timedelta(days=count - 1)
    rules = list(site_service.schedule_rules.order_by("starts_at", "pk"))
    capacities = list(
        DayCapacity.objects.filter(site_service=site_service, date__gte=first).order_by(
            "date", F("starts_at").asc(nulls_first=True)
        )
    )
    open_weekdays = set(OpeningHours.objects.filter(site=site).values_list("weekday", flat=True))
    closed: dict[dt.date, str] = {}
    for closure in Closure.objects.filter(
        Q(site=site) | Q(site__isnull=True),
        Q(service=site_service.service_id) | Q(service__isnull=True),
        start_date__lte=last,
        end_date__gte=first,
    ).order_by(F("service").asc(nulls_first=True), "start_date", "pk"):
        for day in days(max(closure.start_date, first), min(closure.end_date, last)):
            closed.setdefault(day, closure.reason)
    by_day: dict[dt.date, list[SlotState]] = {}
    # A closed slot left only to keep its cancelled bookings' history is not
    # part of the schedule any more.
    for slot in (
        Slot.objects.filter(
            site_service=site_service,
            start__gte=dt.datetime.combine(first, dt.time.min, tzinfo=tz),
            start__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )
        .exclude(is_open=False, booked=0)
        .order_by("start")
    ):
        local_start = slot.start.astimezone(tz)
        by_day.setdefault(local_start.date(), []).append(
            SlotState(
                slot_id=slot.pk,
                start=local_start,
                end=slot.end.astimezone(tz),
                capacity=slot.capacity,
                booked=slot.booked,
                held=slot.held,
                is_open=slot.is_open,
            )
        )
    return ScheduleOverview(
        site_service=site_service,
        rules=rules,
        capacities=capacities,
        days=[
            DayOverview(
                date=day,
                closure_reason=closed.get(day, ""),
                has_hours=day.weekday() in open_weekdays,
                slots=by_day.get(day, []),
            )
            for day in days(first, last)
        ],
    )

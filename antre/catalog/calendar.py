"""When a site is open: opening hours minus closures (holidays, cuti bersama, local)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from antre.catalog.models import Closure, OpeningHours, Site


@dataclass
class SiteCalendar:
    """Opening ranges per weekday and the closed dates, for one site, loaded
    once for a date range so that materialising a month costs two queries."""

    hours: dict[int, list[tuple[dt.time, dt.time]]] = field(default_factory=dict)
    closed_all: set[dt.date] = field(default_factory=set)
    closed_services: dict[int, set[dt.date]] = field(default_factory=lambda: defaultdict(set))

    def is_closed(self, day: dt.date, service_id: int) -> bool:
        return day in self.closed_all or day in self.closed_services.get(service_id, set())

    def ranges(self, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        return self.hours.get(day.weekday(), [])

    def within_hours(self, day: dt.date, start: dt.time, end: dt.time) -> bool:
        return any(opens <= start and end <= closes for opens, closes in self.ranges(day))


def days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    current = start
    while current <= end:
        yield current
        current += dt.timedelta(days=1)


def load_site_calendar(site: Site, start: dt.date, end: dt.date) -> SiteCalendar:
    calendar = SiteCalendar()
    for hours in OpeningHours.objects.filter(site=site).order_by("weekday", "opens"):
        calendar.hours.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
    closures = Closure.objects.filter(
        Q(site=site) | Q(site__isnull=True), start_date__lte=end, end_date__gte=start
    )
    for closure in closures:
        for day in days(max(closure.start_date, start), min(closure.end_date, end)):
            if closure.service_id is None:
                calendar.closed_all.add(day)
            else:
                calendar.closed_services[closure.service_id].add(day)
    return calendar

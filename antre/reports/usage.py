"""How the sites' means were used: counter utilisation, demand against
capacity, and people inside against the room cap. Scoped and filtered like
``antre.reports.selectors`` (read its docstring for the scoping rule).

* **Counter utilisation** = busy time / open shift time, per counter and
  day. Open time is the union of the counter's shifts (``CounterShift``
  opened -> closed, or now while open) within the local day; a pause is not
  recorded after the fact and counts as open. Busy time is the union of the
  counter's tickets from the first call to their end
  (``antre.reports.timelines``), within the open time. An agency admin sees
  the counters that serve their services, busy with their tickets only.
* **Demand against capacity**, per day: the seats of the open slots of the
  day, the bookings of the day that were not cancelled, and the waiting-list
  entries whose deadline is that day and that were never served (waiting,
  offered or expired; a booked entry is a booking already, and a request to
  move a booking to an earlier seat is no new demand). An entry naming
  two sites counts at each of them in the per-site rows and once in the day's
  total.
* **People inside**, per 15 minutes of the day: the most people inside the
  room at one instant of the quarter hour (admitted -> their ticket's end),
  the largest over the covered days and the mean over the days the site had
  any ticket, against the site's room cap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from antre.accounts.scopes import StaffScope, filter_queryset
from antre.booking.models import Slot
from antre.catalog.models import Counter, Service, Site
from antre.onsite.models import CounterShift
from antre.reports.selectors import (
    Names,
    ReportFilter,
    booking_facts,
    narrow,
    ticket_timelines,
)
from antre.reports.stats import (
    Interval,
    clip,
    merge,
    overlap_seconds,
    peak_in_buckets,
    total_seconds,
)
from antre.reports.timelines import Timeline
from antre.waitlist.models import WaitlistEntry, WaitlistKind, WaitlistStatus

BUCKET = dt.timedelta(minutes=15)
# Waiting-list entries still asking for a seat, or whose deadline passed unserved.
UNSERVED_WAITLIST = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED, WaitlistStatus.EXPIRED)


def local_day(day: dt.date, site: Site) -> Interval:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=site.tzinfo)
    return start, start + dt.timedelta(days=1)


# Counter utilisation.


@dataclass
class CounterDay:
    counter: Counter
    date: dt.date
    open_seconds: float
    busy_seconds: float
    calls: int

    @property
    def utilisation(self) -> float | None:
        """Busy share of the open time, 0..1; ``None`` when it never opened."""
        return self.busy_seconds / self.open_seconds if self.open_seconds else None


@dataclass
class CounterUsage:
    """A counter over the covered days."""

    counter: Counter
    days: list[CounterDay] = field(default_factory=list)

    @property
    def open_seconds(self) -> float:
        return sum(day.open_seconds for day in self.days)

    @property
    def busy_seconds(self) -> float:
        return sum(day.busy_seconds for day in self.days)

    @property
    def calls(self) -> int:
        return sum(day.calls for day in self.days)

    @property
    def utilisation(self) -> float | None:
        return self.busy_seconds / self.open_seconds if self.open_seconds else None


def visible_counters(scope: StaffScope, report: ReportFilter) -> list[Counter]:
    counters = Counter.objects.select_related("site").order_by("site__name", "number")
    if report.site_id is not None:
        counters = counters.filter(site_id=report.site_id)
    serving = Q()
    if report.service_id is not None:
        serving &= Q(site_services__service_id=report.service_id)
    if report.agency_id is not None:
        serving &= Q(site_services__service__agency_id=report.agency_id)
    if serving:
        counters = counters.filter(pk__in=Counter.objects.filter(serving).values("pk"))
    return list(
        filter_queryset(
            scope, counters, site_path="site", agency_path="site_services__service__agency"
        )
    )


def counter_usage(
    scope: StaffScope, report: ReportFilter, *, now: dt.datetime
) -> list[CounterUsage]:
    """Per visible counter that was open or busy on a covered day. Three queries."""
    counters = {counter.pk: counter for counter in visible_counters(scope, report)}
    first, last = report.utc_window()
    shifts: dict[int, list[Interval]] = defaultdict(list)
    for counter_id, opened, closed in (
        CounterShift.objects.filter(counter_id__in=list(counters), opened_at__lt=last)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=first))
        .values_list("counter_id", "opened_at", "closed_at")
    ):
        shifts[counter_id].append((opened, closed or now))
    busy: dict[tuple[int, dt.date], list[Interval]] = defaultdict(list)
    calls: dict[tuple[int, dt.date], int] = defaultdict(int)
    for timeline in ticket_timelines(scope, report):
        if timeline.counter_id is None or timeline.counter_id not in counters:
            continue
        interval = timeline.busy(until=now)
        if interval is not None:
            busy[(timeline.counter_id, timeline.date)].append(interval)
            calls[(timeline.counter_id, timeline.date)] += 1
    usages = []
    for counter_id, counter in counters.items():
        usage = CounterUsage(counter=counter)
        for day in report.days:
            window = local_day(day, counter.site)
            window = (window[0], min(window[1], max(now, window[0])))
            open_parts = merge(
                part for shift in shifts[counter_id] if (part := clip(shift, window)) is not None
            )
            worked = merge(
                part
                for interval in busy[(counter_id, day)]
                if (part := clip(interval, window)) is not None
            )
            if not open_parts and not worked:
                continue
            usage.days.append(
                CounterDay(
                    counter=counter,
                    date=day,
                    open_seconds=total_seconds(open_parts),
                    busy_seconds=overlap_seconds(worked, open_parts),
                    calls=calls[(counter_id, day)],
                )
            )
        if usage.days:
            usages.append(usage)
    return usages


# Demand against capacity.


@dataclass
class Demand:
    seats: int = 0
    bookings: int = 0
    waiting: int = 0

    @property
    def demand(self) -> int:
        return self.bookings + self.waiting


@dataclass(frozen=True)
class DemandRow:
    date: dt.date
    site: Site
    service: Service
    demand: Demand


@dataclass(frozen=True)
class DemandReport:
    rows: list[DemandRow]
    by_day: dict[dt.date, Demand]


def demand_against_capacity(
    scope: StaffScope, report: ReportFilter, *, now: dt.datetime
) -> DemandReport:
    """Seats, bookings and unserved waiting-list entries per day (and per day,
    site and service). Three queries and the names."""
    groups: dict[tuple[dt.date, int, int], Demand] = defaultdict(Demand)
    by_day: dict[dt.date, Demand] = {day: Demand() for day in report.days}
    first, last = report.utc_window()
    slots = Slot.objects.filter(start__gte=first, start__lt=last, is_open=True)
    slots = narrow(
        slots,
        report,
        site="site_service__site_id",
        service="site_service__service_id",
        agency="site_service__service__agency_id",
    )
    slots = filter_queryset(
        scope, slots, site_path="site_service__site", agency_path="site_service__service__agency"
    )
    sites = {site.pk: site for site in Site.objects.all()}
    for site_id, service_id, start, capacity in slots.values_list(
        "site_service__site_id", "site_service__service_id", "start", "capacity"
    ).iterator(chunk_size=5000):
        day = start.astimezone(sites[site_id].tzinfo).date()
        if report.start <= day <= report.end:
            groups[(day, site_id, service_id)].seats += capacity
            by_day[day].seats += capacity
    for booking in booking_facts(scope, report):
        if not booking.is_cancelled:
            groups[(booking.date, booking.site_id, booking.service_id)].bookings += 1
            by_day[booking.date].bookings += 1
    through = WaitlistEntry.sites.through.objects.filter(
        waitlistentry__latest__range=(report.start, report.end),
        waitlistentry__status__in=UNSERVED_WAITLIST,
        waitlistentry__kind=WaitlistKind.DEADLINE,
    )
    through = narrow(
        through,
        report,
        site="site_id",
        service="waitlistentry__service_id",
        agency="waitlistentry__service__agency_id",
    )
    through = filter_queryset(
        scope, through, site_path="site", agency_path="waitlistentry__service__agency"
    )
    entries_by_day: dict[dt.date, set[int]] = defaultdict(set)
    for entry_id, site_id, service_id, deadline in through.values_list(
        "waitlistentry_id", "site_id", "waitlistentry__service_id", "waitlistentry__latest"
    ):
        groups[(deadline, site_id, service_id)].waiting += 1
        entries_by_day[deadline].add(entry_id)
    for day, entries in entries_by_day.items():
        by_day[day].waiting = len(entries)
    names = Names.load({key[1] for key in groups}, {key[2] for key in groups})
    rows = [
        DemandRow(date=day, site=names.sites[site_id], service=names.services[service_id], demand=d)
        for (day, site_id, service_id), d in groups.items()
    ]
    rows.sort(key=lambda row: (row.date, row.site.name, row.service.name, row.service.pk))
    return DemandReport(rows=rows, by_day=dict(sorted(by_day.items())))


# People inside against the room cap.


@dataclass(frozen=True)
class Occupancy:
    site: Site
    times: list[dt.time]
    peak: list[int]
    mean_peak: list[float]
    days_with_tickets: int

    @property
    def room_capacity(self) -> int:
        return self.site.room_capacity

    @property
    def highest(self) -> int:
        return max(self.peak, default=0)

    @property
    def quarters_over_cap(self) -> int:
        return sum(1 for peak in self.peak if peak > self.room_capacity)


def _quarter_hours(timelines: Sequence[Timeline], site: Site, *, now: dt.datetime) -> list[dt.time]:
    """The quarter hours from that of the first admission to that of the last
    leave over the days, in local time; office hours when nobody came in."""
    minutes: list[int] = []
    for timeline in timelines:
        interval = timeline.inside(until=now)
        if interval is None:
            continue
        for moment in interval:
            local = moment.astimezone(site.tzinfo)
            minutes.append(local.hour * 60 + local.minute)
    if minutes:
        first = min(minutes) // 15 * 15
        last = max(minutes) // 15 * 15
    else:
        first, last = 8 * 60, 15 * 60 - 15
    return [dt.time(minute // 60, minute % 60) for minute in range(first, last + 1, 15)]


def occupancy(
    scope: StaffScope, report: ReportFilter, *, site: Site, now: dt.datetime
) -> Occupancy:
    """People inside ``site`` per quarter hour over the covered days. One query."""
    narrowed = ReportFilter(
        start=report.start,
        end=report.end,
        site_id=site.pk,
        agency_id=report.agency_id,
        service_id=report.service_id,
    )
    timelines = ticket_timelines(scope, narrowed)
    times = _quarter_hours(timelines, site, now=now)
    per_day: dict[dt.date, list[Interval]] = defaultdict(list)
    for timeline in timelines:
        interval = timeline.inside(until=min(now, local_day(timeline.date, site)[1]))
        if interval is not None:
            per_day[timeline.date].append(interval)
    days_with_tickets = {timeline.date for timeline in timelines}
    peaks_by_day: list[list[int]] = []
    for day in sorted(days_with_tickets):
        buckets = [dt.datetime.combine(day, moment, tzinfo=site.tzinfo) for moment in times]
        peaks_by_day.append(peak_in_buckets(per_day[day], buckets, BUCKET))
    columns = list(zip(*peaks_by_day, strict=True))
    peak = [max(column) for column in columns] or [0] * len(times)
    mean_peak = [sum(column) / len(column) for column in columns] or [0.0] * len(times)
    return Occupancy(
        site=site,
        times=times,
        peak=peak,
        mean_peak=mean_peak,
        days_with_tickets=len(days_with_tickets),
    )

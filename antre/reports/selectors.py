"""Report reads: what happened per day, site and service, from the recorded
ticket events and bookings, always within a staff member's scope.

Every function takes the reader's ``StaffScope`` (``antre.accounts.scopes``)
and a ``ReportFilter``, and sees only what ``filter_queryset`` lets the scope
see: a city admin everything, a site admin their site, an agency admin their
agency's services (at one site if their role names one). An agency admin of A
therefore never counts a ticket, booking, counter minute or waiting-list entry
of agency B. Days are the site's local dates.

What the figures mean (the contract of the reports, the exports and the API):

* **bookings**: bookings whose slot is on the day, whatever became of them
  (a rescheduled booking counts on its new day);
* **cancellations**: those of them cancelled;
* **no-shows**: bookings of the day never checked in once their slot is over
  (not cancelled, no ticket), plus tickets marked "no show" at the counter;
* **walk-ins** and **tickets**: tickets issued at the kiosk (walk-ins, and
  walk-ins plus check-ins); the second ticket a transfer makes is the same
  visitor and is not counted again;
* **waiting time**: issued -> first call; **service time**: started ->
  finished (``antre.reports.timelines``); medians and 90th percentiles as in
  ``antre.reports.stats``.

Counter utilisation, demand against capacity and people inside are in
``antre.reports.usage``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, Model, OuterRef, QuerySet

from antre.accounts.scopes import StaffScope, filter_queryset
from antre.booking.models import Booking, BookingStatus
from antre.catalog.models import Agency, Service, Site
from antre.onsite.models import Ticket, TicketEvent
from antre.reports.stats import Distribution, describe
from antre.reports.timelines import EventRow, Timeline, fold
from antre.waitlist import forecast

# Longest date range one report covers (about a quarter).
MAX_REPORT_DAYS = 92

# Any site's local day lies within a day either side of the UTC day of the
# same date (offsets are at most 14 hours): the widened window lets the
# database use its time indexes before the exact local date is checked.
_MARGIN = dt.timedelta(days=1)


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers: local dates ``start`` to ``end`` inclusive, and
    optionally one site, one agency, one service (by primary key)."""

    start: dt.date
    end: dt.date
    site_id: int | None = None
    agency_id: int | None = None
    service_id: int | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("end before start")

    @property
    def days(self) -> list[dt.date]:
        return [
            self.start + dt.timedelta(days=offset)
            for offset in range((self.end - self.start).days + 1)
        ]

    def utc_window(self) -> tuple[dt.datetime, dt.datetime]:
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC) - _MARGIN
        last = dt.datetime.combine(self.end, dt.time.min, tzinfo=dt.UTC) + 2 * _MARGIN
        return first, last


def narrow[ModelT: Model](
    queryset: QuerySet[ModelT], report: ReportFilter, *, site: str, service: str, agency: str
) -> QuerySet[ModelT]:
    """``queryset`` limited to the filter's site, agency and service, given the
    lookups from its model to their primary keys."""
    if report.site_id is not None:
        queryset = queryset.filter(**{site: report.site_id})
    if report.agency_id is not None:
        queryset = queryset.filter(**{agency: report.agency_id})
    if report.service_id is not None:
        queryset = queryset.filter(**{service: report.service_id})
    return queryset


# What a scope may choose in a report's form, and may name in the API.


def visible_sites(scope: StaffScope) -> QuerySet[Site]:
    """Sites with anything the scope sees: a site admin's site, the sites that
    offer an agency admin's services."""
    return filter_queryset(
        scope,
        Site.objects.order_by("name"),
        site_path="pk",
        agency_path="site_services__service__agency",
    )


def visible_agencies(scope: StaffScope) -> QuerySet[Agency]:
    return filter_queryset(
        scope,
        Agency.objects.order_by("name"),
        site_path="services__site_services__site",
        agency_path="pk",
    )


def visible_services(scope: StaffScope) -> QuerySet[Service]:
    return filter_queryset(
        scope,
        Service.objects.select_related("agency").order_by("agency__name", "name"),
        site_path="site_services__site",
        agency_path="agency",
    )


# Ticket events.


def scoped_events(scope: StaffScope, report: ReportFilter) -> QuerySet[TicketEvent]:
    first, last = report.utc_window()
    events = TicketEvent.objects.filter(
        at__gte=first, at__lt=last, ticket__service_date__range=(report.start, report.end)
    )
    events = narrow(
        events, report, site="site_id", service="service_id", agency="service__agency_id"
    )
    return filter_queryset(scope, events, site_path="site", agency_path="service__agency")


def event_rows(events: QuerySet[TicketEvent]) -> Iterable[EventRow]:
    for row in events.values_list(
        "ticket_id",
        "kind",
        "at",
        "counter_id",
        "site_id",
        "service_id",
        "ticket__service_date",
        "ticket__kind",
        "ticket__transferred_from_id",
    ).iterator(chunk_size=5000):
        ticket_id, kind, at, counter_id, site_id, service_id, day, ticket_kind, source = row
        yield EventRow(
            ticket_id=ticket_id,
            kind=kind,
            at=at,
            counter_id=counter_id,
            site_id=site_id,
            service_id=service_id,
            date=day,
            ticket_kind=ticket_kind,
            transferred_in=source is not None,
        )


def ticket_timelines(scope: StaffScope, report: ReportFilter) -> list[Timeline]:
    """The life of every ticket of the covered days the scope sees. One query."""
    return fold(event_rows(scoped_events(scope, report)))


# Bookings.


@dataclass(frozen=True)
class BookingFact:
    """One booking as the reports count it; no personal data."""

    site_id: int
    service_id: int
    date: dt.date
    status: str
    has_ticket: bool
    slot_end: dt.datetime

    @property
    def is_cancelled(self) -> bool:
        return self.status == BookingStatus.CANCELLED

    def is_missed(self, now: dt.datetime) -> bool:
        """Booked, not cancelled, never checked in, and the slot is over."""
        return not self.is_cancelled and not self.has_ticket and self.slot_end <= now


def booking_facts(scope: StaffScope, report: ReportFilter) -> list[BookingFact]:
    """The bookings whose slot is on a covered day, as the scope sees them. One query."""
    first, last = report.utc_window()
    bookings = Booking.objects.filter(slot__start__gte=first, slot__start__lt=last)
    bookings = narrow(
        bookings, report, site="site_id", service="service_id", agency="service__agency_id"
    )
    bookings = filter_queryset(scope, bookings, site_path="site", agency_path="service__agency")
    bookings = bookings.annotate(
        has_ticket=Exists(Ticket.objects.filter(booking_id=OuterRef("pk")))
    ).order_by()
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    facts = []
    for site_id, service_id, status, start, end, timezone, has_ticket in bookings.values_list(
        "site_id",
        "service_id",
        "status",
        "slot__start",
        "slot__end",
        "site__timezone",
        "has_ticket",
    ).iterator(chunk_size=5000):
        zone = zones.get(timezone) or zones.setdefault(timezone, zoneinfo.ZoneInfo(timezone))
        day = start.astimezone(zone).date()
        if report.start <= day <= report.end:
            facts.append(
                BookingFact(
                    site_id=site_id,
                    service_id=service_id,
                    date=day,
                    status=status,
                    has_ticket=bool(has_ticket),
                    slot_end=end,
                )
            )
    return facts


# Names for rows, without personal data.


@dataclass(frozen=True)
class Names:
    sites: dict[int, Site]
    services: dict[int, Service]

    @classmethod
    def load(cls, site_ids: Iterable[int], service_ids: Iterable[int]) -> Names:
        return cls(
            sites=Site.objects.in_bulk(set(site_ids)),
            services=Service.objects.select_related("agency").in_bulk(set(service_ids)),
        )


# The daily report (also GET /api/v1/reports/daily).


@dataclass
class Tally:
    """Counts and durations of one group of tickets and bookings."""

    bookings: int = 0
    cancellations: int = 0
    no_shows: int = 0
    walk_ins: int = 0
    tickets: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    def add_ticket(self, timeline: Timeline) -> None:
        if not timeline.transferred_in:
            self.tickets += 1
            if timeline.is_walk_in:
                self.walk_ins += 1
        if timeline.no_show is not None:
            self.no_shows += 1
        if (wait := timeline.waiting_minutes) is not None:
            self.waits.append(wait)
        if (service := timeline.service_minutes) is not None:
            self.services.append(service)

    def add_booking(self, booking: BookingFact, now: dt.datetime) -> None:
        self.bookings += 1
        if booking.is_cancelled:
            self.cancellations += 1
        elif booking.is_missed(now):
            self.no_shows += 1

    @property
    def waiting(self) -> Distribution:
        return describe(self.waits)

    @property
    def service(self) -> Distribution:
        return describe(self.services)


@dataclass(frozen=True)
class DailyRow:
    date: dt.date
    site: Site
    service: Service
    tally: Tally


def tallies(
    timelines: Iterable[Timeline], bookings: Iterable[BookingFact], *, now: dt.datetime
) -> dict[tuple[dt.date, int, int], Tally]:
    """Tallies per (date, site id, service id)."""
    groups: dict[tuple[dt.date, int, int], Tally] = defaultdict(Tally)
    for timeline in timelines:
        groups[(timeline.date, timeline.site_id, timeline.service_id)].add_ticket(timeline)
    for booking in bookings:
        groups[(booking.date, booking.site_id, booking.service_id)].add_booking(booking, now)
    return groups


def daily_rows(scope: StaffScope, report: ReportFilter, *, now: dt.datetime) -> list[DailyRow]:
    """One row per day, site and service with any booking or ticket, ordered by
    date, site name and service name. Three queries and the names."""
    groups = tallies(ticket_timelines(scope, report), booking_facts(scope, report), now=now)
    names = Names.load({key[1] for key in groups}, {key[2] for key in groups})
    rows = [
        DailyRow(
            date=day, site=names.sites[site_id], service=names.services[service_id], tally=tally
        )
        for (day, site_id, service_id), tally in groups.items()
    ]
    rows.sort(key=lambda row: (row.date, row.site.name, row.service.name, row.service.pk))
    return rows


def totals_by_day(rows: Iterable[DailyRow], days: Iterable[dt.date]) -> dict[dt.date, Tally]:
    """The rows' tallies added up per day (durations pooled, not averaged),
    with an empty tally for a day without rows."""
    totals = {day: Tally() for day in days}
    for row in rows:
        total = totals.setdefault(row.date, Tally())
        total.bookings += row.tally.bookings
        total.cancellations += row.tally.cancellations
        total.no_shows += row.tally.no_shows
        total.walk_ins += row.tally.walk_ins
        total.tickets += row.tally.tickets
        total.waits.extend(row.tally.waits)
        total.services.extend(row.tally.services)
    return dict(sorted(totals.items()))


@dataclass(frozen=True)
class DeadlineMiss:
    """Per service: the open waiting-list entries with a deadline (at the
    sites in view), how many of them will miss it at the present capacity and
    on which deadline dates, the measured release rate the forecast assumes,
    and the extra seats per open day that would clear the misses (``None``: a
    deadline falls before any open day; only a new session helps).
    ``antre.waitlist.forecast`` says how it is computed."""

    site: Site | None
    service: Service
    waiting: int
    will_miss: int
    misses_by_date: list[tuple[dt.date, int]] = field(default_factory=list)
    release_rate: float = 0.0
    extra_seats_per_day: int | None = 0


def deadline_miss_forecast(scope: StaffScope, report: ReportFilter) -> list[DeadlineMiss]:
    """How many waiting citizens of each service in view will miss their
    deadline at the present capacity, from today on (the report's dates do
    not apply: it is a forecast), scoped like every report: an entry counts
    when one of the sites it accepts is in view."""
    services = narrow(
        visible_services(scope), report, site="site_services__site", service="pk", agency="agency"
    ).distinct()
    sites_in_view = set(visible_sites(scope).values_list("pk", flat=True))
    if report.site_id is not None:
        sites_in_view &= {report.site_id}
    site = Site.objects.filter(pk=report.site_id).first() if report.site_id else None
    rows = []
    for outlook in forecast.forecast_services(services):
        waiting = [w for w in outlook.waiting if w.sites & sites_in_view]
        if not waiting:
            continue
        missing = [w for w in outlook.missing if w.sites & sites_in_view]
        by_date: dict[dt.date, int] = defaultdict(int)
        for waiter in missing:
            by_date[waiter.latest] += 1
        rows.append(
            DeadlineMiss(
                site=site,
                service=outlook.service,
                waiting=len(waiting),
                will_miss=len(missing),
                misses_by_date=sorted(by_date.items()),
                release_rate=outlook.release_rate,
                extra_seats_per_day=outlook.extra_seats_per_day,
            )
        )
    return rows

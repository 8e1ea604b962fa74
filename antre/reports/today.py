"""Today at every site, for the city dashboard: who waits, who is inside
against the room cap, which counters are open, the longest current wait.

Scoped like the reports: a site admin sees their site, an agency admin the
queues of their agency's services (people inside and counters too: their
tickets inside, the counters that serve their services). "Today" is each
site's own local date. Five queries whatever the number of sites.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from antre.accounts.scopes import StaffScope, filter_queryset
from antre.catalog.models import Counter, Service, Site
from antre.core import clock
from antre.onsite.models import CounterShift, Ticket, TicketStatus
from antre.reports.selectors import visible_sites
from antre.reports.stats import minutes_between


@dataclass
class QueueToday:
    """Today's queue of one service at one site (or of a whole site), as of ``at``."""

    at: dt.datetime
    waiting: int = 0
    called: int = 0
    serving: int = 0
    done: int = 0
    no_shows: int = 0
    oldest_waiting_since: dt.datetime | None = None

    def add(self, status: str, issued_at: dt.datetime) -> None:
        if status == TicketStatus.WAITING:
            self.waiting += 1
            if self.oldest_waiting_since is None or issued_at < self.oldest_waiting_since:
                self.oldest_waiting_since = issued_at
        elif status == TicketStatus.CALLED:
            self.called += 1
        elif status == TicketStatus.SERVING:
            self.serving += 1
        elif status == TicketStatus.DONE:
            self.done += 1
        elif status == TicketStatus.NO_SHOW:
            self.no_shows += 1

    @property
    def longest_wait_minutes(self) -> float | None:
        """How long the longest-waiting ticket has waited since it was issued."""
        if self.oldest_waiting_since is None:
            return None
        return max(minutes_between(self.oldest_waiting_since, self.at), 0.0)


@dataclass
class SiteToday:
    site: Site
    date: dt.date
    queue: QueueToday
    inside: int = 0
    counters_open: int = 0
    counters_paused: int = 0
    counters_total: int = 0
    services: dict[int, QueueToday] = field(default_factory=dict)

    @property
    def capacity(self) -> int:
        return self.site.room_capacity

    @property
    def over_cap(self) -> bool:
        return self.inside > self.capacity

    @property
    def meter_low(self) -> float:
        """Up to here the room is comfortably below its cap (a meter's green)."""
        return self.capacity * 0.8

    @property
    def meter_high(self) -> float:
        """Beyond here the room is at or over its cap (a meter's red)."""
        return max(self.capacity - 0.5, 0)

    @property
    def inside_share(self) -> float:
        return self.inside / self.capacity if self.capacity else 0.0


@dataclass(frozen=True)
class ServiceQueue:
    site: Site
    service: Service
    queue: QueueToday


@dataclass(frozen=True)
class CityToday:
    at: dt.datetime
    sites: list[SiteToday]

    def queues(self, services: dict[int, Service]) -> list[ServiceQueue]:
        """Every service queue with anyone today, longest current wait first."""
        rows = [
            ServiceQueue(site=today.site, service=services[service_id], queue=queue)
            for today in self.sites
            for service_id, queue in today.services.items()
        ]
        rows.sort(
            key=lambda row: (
                -(row.queue.longest_wait_minutes or -1.0),
                row.site.name,
                row.service.name,
            )
        )
        return rows

    @property
    def waiting(self) -> int:
        return sum(today.queue.waiting for today in self.sites)

    @property
    def inside(self) -> int:
        return sum(today.inside for today in self.sites)

    @property
    def counters_open(self) -> int:
        return sum(today.counters_open for today in self.sites)


def city_today(scope: StaffScope) -> CityToday:
    """Today's state of every site the scope sees, sites by name."""
    now = clock.now()
    sites = list(visible_sites(scope).filter(is_active=True))
    states = {
        site.pk: SiteToday(site=site, date=clock.today(site.timezone), queue=QueueToday(at=now))
        for site in sites
    }
    dates = {state.date for state in states.values()}
    tickets = filter_queryset(
        scope,
        Ticket.objects.filter(site_id__in=list(states), service_date__in=dates),
        site_path="site",
        agency_path="service__agency",
    )
    for site_id, service_id, day, status, issued_at, admitted, left in tickets.values_list(
        "site_id", "service_id", "service_date", "status", "issued_at", "admitted_at", "left_at"
    ):
        state = states[site_id]
        if day != state.date:
            continue
        state.queue.add(status, issued_at)
        state.services.setdefault(service_id, QueueToday(at=now)).add(status, issued_at)
        if admitted is not None and left is None:
            state.inside += 1
    counters = filter_queryset(
        scope,
        Counter.objects.filter(site_id__in=list(states), is_active=True),
        site_path="site",
        agency_path="site_services__service__agency",
    )
    counter_sites = dict(counters.values_list("pk", "site_id"))
    for site_id in counter_sites.values():
        states[site_id].counters_total += 1
    open_shifts = CounterShift.objects.filter(
        Q(closed_at__isnull=True), counter_id__in=list(counter_sites)
    ).values_list("counter_id", "paused_at")
    for counter_id, paused_at in open_shifts:
        state = states[counter_sites[counter_id]]
        if paused_at is None:
            state.counters_open += 1
        else:
            state.counters_paused += 1
    return CityToday(at=now, sites=sorted(states.values(), key=lambda state: state.site.name))


def services_of(city: CityToday) -> dict[int, Service]:
    """The services of the city's queues, with their agencies. One query."""
    ids: set[int] = set()
    for state in city.sites:
        ids.update(state.services)
    return Service.objects.select_related("agency").in_bulk(ids)


__all__ = ["CityToday", "QueueToday", "ServiceQueue", "SiteToday", "city_today", "services_of"]

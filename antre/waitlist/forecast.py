"""Who on the waiting list will miss their deadline at the present capacity,
and how many seats are expected to free up before a date (PRODUCT.md "Full is
not the end", the waiting-list issue items 7 and 8).

The model is deliberately simple, stated so that an admin can check it:

* **Supply**: each day from today on, at each site, the seats not booked
  (held seats count: they are on offer to someone on this list) plus the
  seats expected to free up: the booked seats times the service's measured
  *release rate*, the share of its bookings over the last 90 days that were
  cancelled (by the citizen, or released unconfirmed). A no-show frees no
  seat anyone could have taken, so it does not count here (overbooking is
  what answers no-shows). Expected seats are fractions; a site's
  running total is rounded down day by day, so 0.4 seat a day frees a whole
  seat every two or three days, never more than the expectation.
* **Demand**: the open deadline entries (waiting or offered) of the service.
* **Order**: the waiting list's own: earliest deadline first, then first
  come. Day by day, each seat goes to the first entry in that order that
  accepts the site and whose date range covers the day. An entry left
  without a seat after its deadline misses it.
* **The fix**: the fewest extra seats per open day (each day that has an
  open slot at a site) that leave nobody missing, found by bisection over the
  same simulation; ``None`` when even one extra seat per waiting citizen a day
  would not do, because a deadline falls before any open day (then only a
  new session helps).

``simulate`` is pure (no ORM), so its rules are tested on hand-built cases.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from antre.booking.models import Booking, BookingStatus, Slot
from antre.catalog.models import Service
from antre.core import clock
from antre.waitlist.models import WaitlistEntry, WaitlistKind
from antre.waitlist.selectors import OPEN_STATUSES

HISTORY = dt.timedelta(days=90)
# Below this many bookings in the history window the measured rate says
# little; the forecast then assumes nothing frees up (the honest default).
MIN_HISTORY = 20

type SiteDay = tuple[dt.date, int]


@dataclass(frozen=True)
class Waiter:
    """One open deadline entry, as the simulation sees it."""

    pk: int
    latest: dt.date
    created_at: dt.datetime
    earliest: dt.date
    sites: frozenset[int]

    @property
    def order(self) -> tuple[dt.date, dt.datetime, int]:
        return (self.latest, self.created_at, self.pk)


def simulate(
    waiters: Sequence[Waiter],
    supply: dict[SiteDay, int],
    *,
    today: dt.date,
    extra_per_open_day: int = 0,
) -> list[Waiter]:
    """The waiters who get no seat by their deadline, in the list's order.

    ``supply`` gives whole seats per (day, site); every (day, site) in it is
    an open day, which ``extra_per_open_day`` seats are added to."""
    unserved = sorted(waiters, key=lambda waiter: waiter.order)
    by_day: dict[dt.date, list[tuple[int, int]]] = defaultdict(list)
    for (day, site), seats in supply.items():
        if day >= today:
            by_day[day].append((site, seats + extra_per_open_day))
    for day in sorted(by_day):
        for site, seats in sorted(by_day[day]):
            remaining = seats
            index = 0
            while remaining > 0 and index < len(unserved):
                waiter = unserved[index]
                if waiter.earliest <= day <= waiter.latest and site in waiter.sites:
                    del unserved[index]
                    remaining -= 1
                else:
                    index += 1
    return [waiter for waiter in unserved if waiter.latest >= today]


def seats_to_clear(
    waiters: Sequence[Waiter], supply: dict[SiteDay, int], *, today: dt.date
) -> int | None:
    """The fewest extra seats per open day that leave nobody missing; 0 when
    nobody misses; ``None`` when no number of seats on the open days would do."""
    if not simulate(waiters, supply, today=today):
        return 0
    high = max(len(waiters), 1)
    if simulate(waiters, supply, today=today, extra_per_open_day=high):
        return None
    low = 0  # misses at low, none at high
    while high - low > 1:
        middle = (low + high) // 2
        if simulate(waiters, supply, today=today, extra_per_open_day=middle):
            low = middle
        else:
            high = middle
    return high


def whole_seats(expected: dict[SiteDay, float], free: dict[SiteDay, int]) -> dict[SiteDay, int]:
    """Free seats plus the expected freed ones, the latter rounded down on a
    running total per site (so fractions add up over the days)."""
    supply: dict[SiteDay, int] = {}
    running: dict[int, float] = defaultdict(float)
    handed: dict[int, int] = defaultdict(int)
    for day, site in sorted(set(expected) | set(free)):
        running[site] += expected.get((day, site), 0.0)
        freed = math.floor(running[site] + 1e-9) - handed[site]
        handed[site] += freed
        supply[(day, site)] = free.get((day, site), 0) + freed
    return supply


# --- reads ---------------------------------------------------------------------


def release_rate(service_id: int, *, today: dt.date) -> float:
    """The share of the service's bookings of the last 90 days whose seat was
    given back in time for someone else (cancelled); 0 with too little history."""
    since = dt.datetime.combine(today - HISTORY, dt.time.min, tzinfo=dt.UTC)
    until = dt.datetime.combine(today, dt.time.min, tzinfo=dt.UTC)
    counts = Booking.objects.filter(
        service_id=service_id, slot__start__gte=since, slot__start__lt=until
    ).aggregate(
        total=Count("pk"),
        released=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
    )
    if counts["total"] < MIN_HISTORY:
        return 0.0
    return float(counts["released"]) / float(counts["total"])


def open_waiters(service_id: int) -> list[Waiter]:
    entries = (
        WaitlistEntry.objects.filter(
            service_id=service_id, kind=WaitlistKind.DEADLINE, status__in=OPEN_STATUSES
        )
        .prefetch_related("sites")
        .order_by("latest", "created_at", "pk")
    )
    return [
        Waiter(
            pk=entry.pk,
            latest=entry.latest,
            created_at=entry.created_at,
            earliest=entry.earliest,
            sites=frozenset(site.pk for site in entry.sites.all()),
        )
        for entry in entries
    ]


def supply_until(
    service: Service, last_day: dt.date, *, today: dt.date, rate: float
) -> dict[SiteDay, int]:
    """Whole seats per (local day, site) of the service's open slots from
    today to ``last_day``: free now plus expected to free up."""
    start = dt.datetime.combine(today - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(last_day + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
    now = clock.now()
    rows = Slot.objects.filter(
        site_service__service=service,
        site_service__is_active=True,
        is_open=True,
        start__gt=now,
        start__gte=start,
        start__lt=end,
    ).values_list(
        "start",
        "capacity",
        "overbook",
        "booked",
        "site_service__site_id",
        "site_service__site__timezone",
    )
    free: dict[SiteDay, int] = defaultdict(int)
    expected: dict[SiteDay, float] = defaultdict(float)
    for start_at, capacity, overbook, booked, site_id, timezone in rows:
        day = start_at.astimezone(zoneinfo.ZoneInfo(timezone)).date()
        if not today <= day <= last_day:
            continue
        # Overbooking seats are seats too (the measured no-shows make room).
        free[(day, site_id)] += max(capacity + overbook - booked, 0)
        expected[(day, site_id)] += booked * rate
    return whole_seats(expected, free)


@dataclass(frozen=True)
class ServiceForecast:
    """The forecast of one service: its open deadline entries, the ones that
    will miss (by deadline date), and the extra seats per open day that would
    clear them (``None``: a deadline falls before any open day)."""

    service: Service
    waiting: list[Waiter]
    missing: list[Waiter]
    release_rate: float
    extra_seats_per_day: int | None

    def misses_by_date(self) -> list[tuple[dt.date, int]]:
        counts: dict[dt.date, int] = defaultdict(int)
        for waiter in self.missing:
            counts[waiter.latest] += 1
        return sorted(counts.items())


def forecast_service(service: Service, *, today: dt.date | None = None) -> ServiceForecast:
    today = today or clock.today(settings.TIME_ZONE)
    waiters = open_waiters(service.pk)
    rate = release_rate(service.pk, today=today)
    if not waiters:
        return ServiceForecast(service, [], [], rate, 0)
    supply = supply_until(service, max(w.latest for w in waiters), today=today, rate=rate)
    missing = simulate(waiters, supply, today=today)
    extra = seats_to_clear(waiters, supply, today=today) if missing else 0
    return ServiceForecast(service, waiters, missing, rate, extra)


def forecast_services(services: Iterable[Service]) -> list[ServiceForecast]:
    """The forecast of each service that has anyone waiting with a deadline."""
    waiting_services = set(
        WaitlistEntry.objects.filter(
            kind=WaitlistKind.DEADLINE, status__in=OPEN_STATUSES
        ).values_list("service_id", flat=True)
    )
    return [forecast_service(service) for service in services if service.pk in waiting_services]


def expected_freed_seats(
    service: Service, sites: Iterable[int], until: dt.date, *, today: dt.date | None = None
) -> int:
    """How many seats of the service at ``sites`` are expected to free up from
    today to ``until``, by the measured release rate (for the citizen's page:
    "about N seats usually free up before your deadline")."""
    today = today or clock.today(settings.TIME_ZONE)
    if until < today:
        return 0
    rate = release_rate(service.pk, today=today)
    if rate == 0:
        return 0
    wanted = set(sites)
    start = dt.datetime.combine(today - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
    rows = Slot.objects.filter(
        site_service__service=service,
        site_service__site_id__in=wanted,
        is_open=True,
        start__gt=clock.now(),
        start__gte=start,
        start__lt=end,
    ).values_list("start", "booked", "site_service__site__timezone")
    booked = sum(
        seats
        for start_at, seats, tz in rows
        if today <= start_at.astimezone(zoneinfo.ZoneInfo(tz)).date() <= until
    )
    return math.floor(booked * rate + 1e-9)

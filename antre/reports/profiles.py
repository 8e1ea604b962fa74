"""What the capacity planner starts from: a site's (or one service's) recent
history on the same weekday, read from the recorded ticket events, and its
opening hours; and ``plan_day``, which turns that and the admin's choices
into a simulated day. The simulation itself (``antre.reports.planner``) is
pure.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from antre.accounts.scopes import StaffScope
from antre.catalog.models import Counter, OpeningHours, Service, Site, SiteService
from antre.reports.planner import Plan, run_plan
from antre.reports.selectors import ReportFilter, ticket_timelines
from antre.reports.stats import percentile
from antre.reports.timelines import APPOINTMENT
from antre.reports.workload import (
    BUCKET_MINUTES,
    Demand,
    Pattern,
    Scenario,
    ServiceDistribution,
    ServiceTime,
    shaped_demand,
)

DEFAULT_WEEKS = 4
MAX_WEEKS = 12


def _minute(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True)
class History:
    """The same weekdays before ``day`` that had tickets, and what they show.

    ``arrivals`` is the mean number of tickets issued per quarter hour over
    those days (``None`` without any); ``counters_typical`` the mean number of
    counters that called anyone, rounded up; ``counters_configured`` the active
    counters serving the site's (or the service's) queue."""

    site: Site
    service: Service | None
    day: dt.date
    days: list[dt.date]
    open_ranges: list[tuple[int, int]]
    arrivals: Demand | None
    service_median: float | None
    service_p90: float | None
    catalog_minutes: float
    counters_typical: int | None
    counters_configured: int

    @property
    def daily_visitors(self) -> float | None:
        return self.arrivals.total if self.arrivals is not None else None

    @property
    def appointment_share(self) -> float:
        return self.arrivals.appointment_share if self.arrivals is not None else 0.0

    @property
    def appointment_percent(self) -> float:
        return self.appointment_share * 100

    @property
    def counters_now(self) -> int:
        return max(self.counters_typical or self.counters_configured, 1)


def same_weekdays(day: dt.date, *, weeks: int, today: dt.date) -> list[dt.date]:
    """The ``weeks`` same weekdays before ``day`` that are also before ``today``."""
    days: list[dt.date] = []
    candidate = day - dt.timedelta(days=7)
    while candidate >= today:
        candidate -= dt.timedelta(days=7)
    while len(days) < weeks:
        days.append(candidate)
        candidate -= dt.timedelta(days=7)
    return sorted(days)


def open_ranges(site: Site, weekday: int) -> list[tuple[int, int]]:
    return [
        (_minute(opens), _minute(closes))
        for opens, closes in OpeningHours.objects.filter(site=site, weekday=weekday)
        .order_by("opens")
        .values_list("opens", "closes")
    ]


def planning_history(
    scope: StaffScope,
    *,
    site: Site,
    service: Service | None,
    day: dt.date,
    weeks: int,
    today: dt.date,
) -> History:
    """The history the planner simulates ``day`` from, as ``scope`` sees it."""
    weekdays = same_weekdays(day, weeks=weeks, today=today)
    timelines = [
        timeline
        for timeline in ticket_timelines(
            scope,
            ReportFilter(
                start=weekdays[0],
                end=weekdays[-1],
                site_id=site.pk,
                service_id=service.pk if service is not None else None,
            ),
        )
        if timeline.date in weekdays
    ]
    ranges = open_ranges(site, day.weekday())
    arrivals = [
        timeline
        for timeline in timelines
        if not timeline.transferred_in and timeline.issued is not None
    ]
    days = sorted({timeline.date for timeline in arrivals})
    demand = None
    if days:
        minutes = [
            _minute(timeline.issued.astimezone(site.tzinfo).time())
            for timeline in arrivals
            if timeline.issued is not None
        ]
        first = min([*minutes, *(start for start, _end in ranges)])
        last = max([*minutes, *(end - 1 for _start, end in ranges)])
        opens = first // BUCKET_MINUTES * BUCKET_MINUTES
        counts = [0.0] * (last // BUCKET_MINUTES - opens // BUCKET_MINUTES + 1)
        for minute in minutes:
            counts[(minute - opens) // BUCKET_MINUTES] += 1
        appointments = sum(1 for timeline in arrivals if timeline.ticket_kind == APPOINTMENT)
        demand = Demand(
            opens=opens,
            rates=tuple(count / len(days) for count in counts),
            appointment_share=appointments / len(arrivals),
        )
    service_minutes = [
        value for timeline in timelines if (value := timeline.service_minutes) is not None
    ]
    callers: dict[dt.date, set[int]] = {}
    for timeline in timelines:
        if timeline.counter_id is not None:
            callers.setdefault(timeline.date, set()).add(timeline.counter_id)
    counters = Counter.objects.filter(site=site, is_active=True)
    offered = SiteService.objects.filter(site=site, is_active=True)
    if service is not None:
        counters = counters.filter(site_services__service=service)
        offered = offered.filter(service=service)
    durations = list(offered.values_list("service__duration_minutes", flat=True))
    return History(
        site=site,
        service=service,
        day=day,
        days=days,
        open_ranges=ranges,
        arrivals=demand,
        service_median=percentile(service_minutes, 0.5),
        service_p90=percentile(service_minutes, 0.9),
        catalog_minutes=float(statistics.fmean(durations)) if durations else 15.0,
        counters_typical=(
            math.ceil(statistics.fmean(len(ids) for ids in callers.values())) if callers else None
        ),
        counters_configured=counters.distinct().count(),
    )


class PlanningError(ValueError):
    """The day cannot be planned as asked (closed, or nothing to start from)."""


@dataclass(frozen=True)
class DayPlan:
    history: History
    plan: Plan


@dataclass(frozen=True)
class ScenarioWish:
    counters: int
    room_cap: int | None = None


def plan_day(
    scope: StaffScope,
    *,
    site: Site,
    service: Service | None,
    day: dt.date,
    weeks: int,
    today: dt.date,
    pattern: Pattern,
    visitors: int | None,
    appointment_share: float | None,
    distribution: ServiceDistribution,
    service_minutes: float | None,
    scenarios: Sequence[ScenarioWish],
    target_p90: float | None,
) -> DayPlan:
    """Simulate ``day`` at ``site`` (one ``service`` of it, or all) from its
    history and the admin's choices; raises ``PlanningError`` with a message
    for people when it cannot.

    What is not chosen comes from the history: the arrivals per quarter hour
    and their appointment share, the median (and 90th percentile) service
    time, the counters in use; without history, the catalog's typical service
    duration and the configured counters."""
    history = planning_history(scope, site=site, service=service, day=day, weeks=weeks, today=today)
    share = appointment_share if appointment_share is not None else history.appointment_share
    if pattern == Pattern.HISTORY:
        if history.arrivals is None:
            raise PlanningError(
                _("Belum ada riwayat untuk hari ini; pilih pola kedatangan dan jumlah pengunjung.")
            )
        demand = history.arrivals
        if visitors is not None:
            demand = demand.scaled(visitors)
        demand = Demand(opens=demand.opens, rates=demand.rates, appointment_share=share)
    else:
        total = visitors if visitors is not None else history.daily_visitors
        if not total:
            raise PlanningError(_("Isi jumlah pengunjung per hari: belum ada riwayat."))
        if not history.open_ranges:
            raise PlanningError(_("Gerai tutup pada hari itu menurut jam bukanya."))
        demand = shaped_demand(
            pattern, total=total, open_ranges=history.open_ranges, appointment_share=share
        )
    if service_minutes is not None:
        service_time = ServiceTime(distribution, service_minutes)
    elif history.service_median:
        service_time = ServiceTime(distribution, history.service_median, history.service_p90)
    else:
        service_time = ServiceTime(distribution, history.catalog_minutes)
    wishes = list(scenarios) or [ScenarioWish(history.counters_now)]
    plan = run_plan(
        demand,
        service_time,
        [
            Scenario(
                name=scenario_name(wish.counters, wish.room_cap or site.room_capacity),
                counters=wish.counters,
                room_cap=wish.room_cap or site.room_capacity,
            )
            for wish in wishes
        ],
        target_p90=target_p90,
    )
    return DayPlan(history=history, plan=plan)


def scenario_name(counters: int, room_cap: int) -> str:
    return ngettext(
        "%(counters)d loket, ruang %(cap)d",
        "%(counters)d loket, ruang %(cap)d",
        counters,
    ) % {"counters": counters, "cap": room_cap}

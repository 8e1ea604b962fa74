"""The capacity planner: a day at a site (or at one of its services)
simulated with SimPy before the admin changes anything. Pure: no ORM, no
Django; ``antre.reports.profiles`` reads the history it starts from.

The model, and what it leaves out:

* Visitors arrive per quarter hour at the expected rates of ``Demand``.
  Appointment holders (``appointment_share`` of them) come spread evenly over
  each quarter hour, a few minutes early or late; walk-ins come as a Poisson
  process. Appointment holders are called before walk-ins (a priority queue,
  first come first served within each class); the walk-in share rule that
  keeps walk-ins from starving is not modelled.
* ``counters`` identical counters serve everyone; a service time is drawn from
  an exponential or a lognormal distribution fitted to the history's median
  (and 90th percentile, for the lognormal's spread).
* The room cap decides who waits inside and who outside, not how long: the
  site calls the next ticket from outside when the room is full (the cap never
  stops a free counter), and lets people in in the order it calls them, so the
  people inside are the first ``cap`` of those present.
* Arrivals stop at closing time; whoever is in the queue then is still served.

Every replication draws its arrivals and service times from its own seed, and
a scenario with more counters replays the same visitors (common random
numbers), so scenarios differ by their counters, not by their luck, and the
fewest counters meeting a target is found by bisection.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

import simpy

from antre.reports.stats import Distribution, describe, percentile
from antre.reports.workload import Demand, Scenario, ServiceTime

DEFAULT_REPLICATIONS = 8
DEFAULT_SEED = 20_260_602
MAX_COUNTERS = 60
# How early or late an appointment holder comes, in minutes, at most.
APPOINTMENT_JITTER = 5.0


@dataclass(frozen=True)
class Visitor:
    arrival: float
    appointment: bool
    service: float


def visitors(demand: Demand, service_time: ServiceTime, rng: random.Random) -> list[Visitor]:
    """One day's visitors, in arrival order, minutes after ``demand.opens``."""
    width = demand.bucket_minutes
    arrivals: list[tuple[float, bool]] = []
    for index, rate in enumerate(demand.rates):
        start = index * width
        booked = rate * demand.appointment_share
        count = math.floor(booked) + (1 if rng.random() < booked - math.floor(booked) else 0)
        for number in range(count):
            planned = start + (number + 0.5) * width / count
            jitter = rng.uniform(-APPOINTMENT_JITTER, APPOINTMENT_JITTER)
            arrivals.append((max(planned + jitter, 0.0), True))
        walk_in_rate = rate * (1 - demand.appointment_share) / width
        if walk_in_rate > 0:
            moment = start + rng.expovariate(walk_in_rate)
            while moment < start + width:
                arrivals.append((moment, False))
                moment += rng.expovariate(walk_in_rate)
    arrivals.sort()
    return [
        Visitor(arrival=arrival, appointment=appointment, service=service_time.sample(rng))
        for arrival, appointment in arrivals
    ]


Trace = list[tuple[float, int]]


@dataclass(frozen=True)
class DayRun:
    """One simulated day: each visitor's arrival and wait, and step traces of
    the number waiting for a counter and the number present (waiting or
    being served) as ``(minute, value)`` changes from ``(0, 0)``."""

    arrivals: list[float]
    waits: list[float]
    waiting: Trace
    present: Trace
    end: float


def simulate_day(day: Sequence[Visitor], *, counters: int) -> DayRun:
    """Serve ``day``'s visitors at ``counters`` counters."""
    env = simpy.Environment()
    desks = simpy.PriorityResource(env, capacity=counters)
    waits = [0.0] * len(day)
    waiting: Trace = [(0.0, 0)]
    present: Trace = [(0.0, 0)]
    counts = {"waiting": 0, "present": 0}

    def note(trace: Trace, key: str, change: int) -> None:
        counts[key] += change
        trace.append((env.now, counts[key]))

    def visit(index: int, visitor: Visitor) -> Generator[Any, Any, None]:
        note(present, "present", 1)
        note(waiting, "waiting", 1)
        with desks.request(priority=0 if visitor.appointment else 1) as request:
            yield request
            note(waiting, "waiting", -1)
            waits[index] = env.now - visitor.arrival
            yield env.timeout(visitor.service)
        note(present, "present", -1)

    def arrive() -> Generator[Any, Any, None]:
        for index, visitor in enumerate(day):
            yield env.timeout(max(visitor.arrival - env.now, 0.0))
            env.process(visit(index, visitor))

    env.process(arrive())
    env.run()
    return DayRun(
        arrivals=[visitor.arrival for visitor in day],
        waits=waits,
        waiting=waiting,
        present=present,
        end=float(env.now),
    )


def bucket_means(
    trace: Trace, *, buckets: int, width: int, transform: Callable[[int], float] = float
) -> list[float]:
    """The time-weighted mean of a step trace over each bucket."""
    sums = [0.0] * buckets
    horizon = buckets * width
    for (start, value), (end, _next) in zip(trace, [*trace[1:], (float(horizon), 0)], strict=True):
        level = transform(value)
        if not level:
            continue
        moment = start
        while moment < min(end, horizon):
            index = int(moment // width)
            bucket_end = min((index + 1) * width, end, horizon)
            sums[index] += level * (bucket_end - moment)
            moment = bucket_end
    return [total / width for total in sums]


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    waits: Distribution
    waited_share: float
    visitors: float
    wait_by_bucket: list[float | None]
    p90_by_bucket: list[float | None]
    queue_by_bucket: list[float]
    inside_by_bucket: list[float]
    outside_by_bucket: list[float]
    peak_queue: float
    peak_inside: float
    peak_outside: float
    last_departure: float

    def meets(self, target_p90: float) -> bool:
        return self.waits.p90 is None or self.waits.p90 <= target_p90


def _runs(
    demand: Demand,
    service_time: ServiceTime,
    *,
    counters: int,
    replications: int,
    seed: int,
) -> list[DayRun]:
    # A simulation wants reproducible draws, not secrets.
    return [
        simulate_day(
            visitors(demand, service_time, random.Random(seed + replication)),  # noqa: S311
            counters=counters,
        )
        for replication in range(replications)
    ]


def summarise(
    scenario: Scenario, runs: Sequence[DayRun], *, buckets: int, width: int
) -> ScenarioResult:
    """A scenario's figures over its replications: waits pooled, traces averaged."""
    cap = scenario.room_cap

    def inside(present: int) -> float:
        return float(present if cap is None else min(present, cap))

    def outside(present: int) -> float:
        return float(0 if cap is None else max(present - cap, 0))

    waits = [wait for run in runs for wait in run.waits]
    by_bucket: list[list[float]] = [[] for _bucket in range(buckets)]
    for run in runs:
        for arrival, wait in zip(run.arrivals, run.waits, strict=True):
            by_bucket[min(int(arrival // width), buckets - 1)].append(wait)
    count = len(runs) or 1

    def mean_trace(
        pick: Callable[[DayRun], Trace], transform: Callable[[int], float]
    ) -> list[float]:
        columns = [
            bucket_means(pick(run), buckets=buckets, width=width, transform=transform)
            for run in runs
        ]
        return [sum(column) / count for column in zip(*columns, strict=True)] or [0.0] * buckets

    def mean_peak(pick: Callable[[DayRun], Trace], transform: Callable[[int], float]) -> float:
        return sum(max(transform(value) for _at, value in pick(run)) for run in runs) / count

    return ScenarioResult(
        scenario=scenario,
        waits=describe(waits),
        waited_share=(sum(1 for wait in waits if wait > 1e-9) / len(waits)) if waits else 0.0,
        visitors=len(waits) / count,
        wait_by_bucket=[sum(group) / len(group) if group else None for group in by_bucket],
        p90_by_bucket=[percentile(group, 0.9) for group in by_bucket],
        queue_by_bucket=mean_trace(lambda run: run.waiting, float),
        inside_by_bucket=mean_trace(lambda run: run.present, inside),
        outside_by_bucket=mean_trace(lambda run: run.present, outside),
        peak_queue=mean_peak(lambda run: run.waiting, float),
        peak_inside=mean_peak(lambda run: run.present, inside),
        peak_outside=mean_peak(lambda run: run.present, outside),
        last_departure=sum(run.end for run in runs) / count,
    )


@dataclass(frozen=True)
class Recommendation:
    """The fewest counters whose pooled p90 wait is at most ``target_p90``
    minutes; ``counters`` is ``None`` when even ``max_counters`` miss it.
    ``tried`` lists the counts the search simulated, with their p90."""

    target_p90: float
    counters: int | None
    p90: float | None
    tried: tuple[tuple[int, float | None], ...]


def recommend_counters(
    demand: Demand,
    service_time: ServiceTime,
    *,
    target_p90: float,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    max_counters: int = MAX_COUNTERS,
) -> Recommendation:
    """Bisect 1..``max_counters`` for the fewest counters meeting the target.

    With common random numbers a counter more never makes anyone wait longer
    in this model (same visitors, one more free desk), so the pooled p90 falls
    as counters rise and bisection finds the same count a linear search would."""
    evaluated: dict[int, float | None] = {}

    def p90(counters: int) -> float | None:
        if counters not in evaluated:
            runs = _runs(
                demand, service_time, counters=counters, replications=replications, seed=seed
            )
            evaluated[counters] = describe([wait for run in runs for wait in run.waits]).p90
        return evaluated[counters]

    def meets(counters: int) -> bool:
        value = p90(counters)
        return value is None or value <= target_p90

    low, high = 1, max_counters
    if not meets(high):
        found = None
    else:
        while low < high:
            middle = (low + high) // 2
            if meets(middle):
                high = middle
            else:
                low = middle + 1
        found = high
    return Recommendation(
        target_p90=target_p90,
        counters=found,
        p90=evaluated.get(found) if found is not None else None,
        tried=tuple(sorted(evaluated.items())),
    )


@dataclass(frozen=True)
class Plan:
    demand: Demand
    service_time: ServiceTime
    results: list[ScenarioResult]
    recommendation: Recommendation | None
    buckets: int

    @property
    def bucket_minutes(self) -> int:
        return self.demand.bucket_minutes

    def bucket_starts(self) -> list[int]:
        """Each bucket's start in minutes after midnight."""
        return [self.demand.opens + index * self.bucket_minutes for index in range(self.buckets)]


def run_plan(
    demand: Demand,
    service_time: ServiceTime,
    scenarios: Sequence[Scenario],
    *,
    target_p90: float | None = None,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    max_counters: int = MAX_COUNTERS,
) -> Plan:
    """Simulate each scenario (up to three) with the same visitors, and
    recommend counters for ``target_p90`` when one is given. The series run
    from opening until the last visitor leaves in the slowest scenario."""
    if not 1 <= len(scenarios) <= 3:
        raise ValueError("between one and three scenarios")
    runs = [
        _runs(
            demand,
            service_time,
            counters=scenario.counters,
            replications=replications,
            seed=seed,
        )
        for scenario in scenarios
    ]
    width = demand.bucket_minutes
    longest = max((run.end for scenario_runs in runs for run in scenario_runs), default=0.0)
    buckets = max(len(demand.rates), math.ceil(longest / width))
    results = [
        summarise(scenario, scenario_runs, buckets=buckets, width=width)
        for scenario, scenario_runs in zip(scenarios, runs, strict=True)
    ]
    recommendation = (
        recommend_counters(
            demand,
            service_time,
            target_p90=target_p90,
            replications=replications,
            seed=seed,
            max_counters=max_counters,
        )
        if target_p90 is not None
        else None
    )
    return Plan(
        demand=demand,
        service_time=service_time,
        results=results,
        recommendation=recommendation,
        buckets=buckets,
    )

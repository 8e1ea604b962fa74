"""One past day at a site, played out for the demo history: who comes when,
which counter calls whom, who waits outside the room. Pure: no ORM.

The counters follow the site's rules closely enough for the reports to look
like a real day: an appointment holder is called first from ten minutes
before their slot (``due``), before that they queue behind the walk-ins; a
counter calls the next ticket of the services it serves as soon as it is
free, recalls a ticket nobody answers twice and then marks it a no-show; the
room takes people up to its cap, then lets the next in as a place frees, and
whoever a counter calls from outside comes straight in.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from antre.reports.workload import Pattern, shaped_demand

MINUTE = dt.timedelta(minutes=1)
# Recalls before a no-show, and the minutes between calls.
RECALLS = 2
RECALL_GAP = 2.0
# Of the tickets called: nobody answered (no-show at the counter).
ABSENT_SHARE = 0.03
# Walk-ins stop coming this long before closing.
LAST_WALK_IN = dt.timedelta(minutes=30)

Ranges = Sequence[tuple[dt.datetime, dt.datetime]]


@dataclass(frozen=True)
class Desk:
    """A counter and the site services (by id) it serves."""

    counter_id: int
    services: frozenset[int]


@dataclass
class Visit:
    """One visitor's ticket; ``serve_day`` and ``admit`` fill in what happened."""

    service: int
    arrival: dt.datetime
    minutes: float
    appointment: bool = False
    due: dt.datetime | None = None
    absent: bool = False
    counter_id: int | None = None
    called: dt.datetime | None = None
    recalls: list[dt.datetime] = field(default_factory=list)
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    no_show: dt.datetime | None = None
    admitted: dt.datetime | None = None

    @property
    def ended(self) -> dt.datetime | None:
        return self.finished or self.no_show


class _Queue:
    """A service's waiting tickets: due appointment holders first (by due
    time), then walk-ins and appointment holders not yet due (by arrival)."""

    def __init__(self) -> None:
        self.booked: list[tuple[dt.datetime, int, Visit]] = []
        self.waiting: deque[Visit] = deque()
        self._order = 0

    def add(self, visit: Visit) -> None:
        self._order += 1
        if visit.appointment and visit.due is not None:
            heapq.heappush(self.booked, (visit.due, self._order, visit))
        else:
            self.waiting.append(visit)

    def __bool__(self) -> bool:
        return bool(self.booked or self.waiting)

    def best(self, now: dt.datetime) -> tuple[tuple[int, dt.datetime], Visit] | None:
        """The ticket this queue would offer a counter at ``now``, with its rank."""
        candidates: list[tuple[tuple[int, dt.datetime], Visit]] = []
        if self.booked:
            due, _order, visit = self.booked[0]
            rank = 0 if due <= now else 2
            candidates.append(((rank, due if rank == 0 else visit.arrival), visit))
        if self.waiting:
            visit = self.waiting[0]
            candidates.append(((1, visit.arrival), visit))
        return min(candidates, key=lambda item: item[0]) if candidates else None

    def take(self, visit: Visit) -> None:
        if self.booked and self.booked[0][2] is visit:
            heapq.heappop(self.booked)
        else:
            self.waiting.popleft()


def _next_open(moment: dt.datetime, ranges: Ranges) -> dt.datetime:
    """``moment``, or the start of the next opening range when it falls in a
    break; after the last range the counters work on until the queue is empty."""
    for start, end in ranges:
        if moment < start:
            return start
        if moment < end:
            return moment
    return moment


def serve_day(
    visits: Sequence[Visit],
    desks: Sequence[Desk],
    *,
    ranges: Ranges,
    rng: random.Random,
) -> None:
    """Call and serve ``visits`` at ``desks`` (fills ``called``, ``started``
    ...). Counters are taken in the order they come free, so time only moves
    forward and arrivals join their queue as it reaches them."""
    arrivals = sorted(visits, key=lambda visit: visit.arrival)
    queues: dict[int, _Queue] = {}
    for visit in arrivals:
        queues.setdefault(visit.service, _Queue())
    upcoming: dict[int, deque[Visit]] = {}
    for visit in arrivals:
        upcoming.setdefault(visit.service, deque()).append(visit)
    pending = deque(arrivals)
    first = ranges[0][0] if ranges else arrivals[0].arrival if arrivals else None
    if first is None:
        return
    free: list[tuple[dt.datetime, int, Desk]] = [
        (first, index, desk) for index, desk in enumerate(desks) if desk.services & queues.keys()
    ]
    heapq.heapify(free)
    while free:
        moment, index, desk = heapq.heappop(free)
        moment = _next_open(moment, ranges)
        while pending and pending[0].arrival <= moment:
            arrived = pending.popleft()
            queues[arrived.service].add(arrived)
            upcoming[arrived.service].popleft()
        offers = [
            (offer, service)
            for service in desk.services
            if service in queues and (offer := queues[service].best(moment)) is not None
        ]
        if not offers:
            later = [
                upcoming[service][0].arrival for service in desk.services if upcoming.get(service)
            ]
            if later:
                heapq.heappush(free, (min(later), index, desk))
            continue
        (_rank, visit), service = min(offers, key=lambda item: item[0][0])
        queues[service].take(visit)
        visit.counter_id = desk.counter_id
        visit.called = moment
        if visit.absent:
            visit.recalls = [moment + MINUTE * RECALL_GAP * number for number in (1, 2)]
            visit.no_show = moment + MINUTE * RECALL_GAP * (RECALLS + 1)
            done = visit.no_show
        else:
            visit.started = moment + MINUTE * rng.uniform(0.5, 2.0)
            visit.finished = visit.started + MINUTE * visit.minutes
            done = visit.finished
        heapq.heappush(free, (done, index, desk))


def admit(visits: Sequence[Visit], *, capacity: int) -> None:
    """Let people into the room (fills ``admitted``): at once while there is
    room, else when a place frees, first come first in; a ticket called from
    outside comes in at its call, over the cap if need be."""
    # (time, order, kind, visit): at one instant a leave frees its place
    # before an arrival or a call takes one.
    events: list[tuple[dt.datetime, int, int, Visit]] = []
    for number, visit in enumerate(visits):
        events.append((visit.arrival, 1, number, visit))
        if visit.called is not None:
            events.append((visit.called, 2, number, visit))
        if visit.ended is not None:
            events.append((visit.ended, 0, number, visit))
    events.sort(key=lambda event: (event[0], event[1], event[2]))
    inside = 0
    outside: deque[Visit] = deque()
    for moment, kind, _number, visit in events:
        if kind == 0:
            if visit.admitted is not None:
                inside -= 1
            while inside < capacity and outside:
                waiting = outside.popleft()
                if waiting.admitted is None and (waiting.called is None or waiting.called > moment):
                    waiting.admitted = moment
                    inside += 1
        elif kind == 1:
            if inside < capacity:
                visit.admitted = moment
                inside += 1
            else:
                outside.append(visit)
        elif visit.admitted is None:
            visit.admitted = moment
            inside += 1


def service_minutes(typical: int, rng: random.Random) -> float:
    """About the typical duration: lognormal with that median, clipped."""
    return min(max(rng.lognormvariate(math.log(typical), 0.35), 2.0), typical * 3.0)


def walk_ins(
    service: int,
    typical_minutes: int,
    count: int,
    ranges: Sequence[tuple[dt.datetime, dt.datetime]],
    rng: random.Random,
) -> list[Visit]:
    """Walk-ins over the opening ranges, busiest in the morning, none in the
    last half hour."""
    if count <= 0 or not ranges:
        return []
    day = ranges[0][0]
    midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)

    def minute(moment: dt.datetime) -> int:
        return int((moment - midnight).total_seconds() // 60)

    last = ranges[-1][1] - LAST_WALK_IN
    open_ranges = [(minute(start), minute(min(end, last))) for start, end in ranges if start < last]
    if not open_ranges:
        return []
    demand = shaped_demand(
        Pattern.MORNING_PEAK, total=1.0, open_ranges=open_ranges, appointment_share=0.0
    )
    buckets = list(range(len(demand.rates)))
    visits = []
    for _number in range(count):
        bucket = rng.choices(buckets, weights=demand.rates)[0]
        start = demand.opens + bucket * demand.bucket_minutes
        arrival = midnight + dt.timedelta(minutes=start + rng.uniform(0, demand.bucket_minutes))
        visits.append(
            Visit(
                service=service,
                arrival=arrival,
                minutes=service_minutes(typical_minutes, rng),
                absent=rng.random() < ABSENT_SHARE,
            )
        )
    return visits

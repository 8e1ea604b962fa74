"""One site's past days for the demo history (``antre.reports.history``):
what the site is made of, loaded once, and each day turned into the rows the
real flow would have left (``play_day``); the day itself is played out by
``antre.reports.history_day``."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from antre.accounts.models import Role, StaffRole
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.schedule import wanted_slots
from antre.catalog.calendar import SiteCalendar, load_site_calendar
from antre.catalog.models import Counter, ScheduleRule, Site, SiteService
from antre.core.codes import new_code
from antre.onsite.models import (
    CounterShift,
    Priority,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from antre.reports.history_day import (
    ABSENT_SHARE,
    Desk,
    Visit,
    admit,
    serve_day,
    service_minutes,
    walk_ins,
)

# Of the bookings made for a day: cancelled beforehand, never collected.
CANCELLED_SHARE = 0.08
MISSED_SHARE = 0.04
# How busy the counters are, by weekday (Monday first); Saturday and Sunday
# only matter where a site opens then.
WEEKDAY_LOAD = (0.92, 0.85, 0.8, 0.8, 0.72, 0.6, 0.5)
PRIORITIES = ((Priority.ELDERLY, 0.04), (Priority.DISABLED, 0.01), (Priority.PREGNANT, 0.01))


@dataclass
class SiteHistory:
    """What one site's days are made from, loaded once."""

    site: Site
    offerings: list[SiteService]
    rules: dict[int, list[ScheduleRule]]
    desks: list[Desk]
    officers: dict[int, int]
    kiosk_id: int | None
    calendar: SiteCalendar

    @classmethod
    def load(cls, site: Site, first: dt.date, last: dt.date) -> SiteHistory:
        offerings = list(
            SiteService.objects.filter(site=site, is_active=True, service__is_active=True)
            .select_related("service")
            .order_by("pk")
        )
        rules: dict[int, list[ScheduleRule]] = defaultdict(list)
        for rule in ScheduleRule.objects.filter(site_service__in=offerings).order_by("pk"):
            rules[rule.site_service_id].append(rule)
        served: dict[int, set[int]] = {}
        counters = Counter.objects.filter(site=site, is_active=True).order_by("number")
        for counter_id, site_service_id in counters.values_list("pk", "site_services"):
            ids = served.setdefault(counter_id, set())
            if site_service_id is not None:
                ids.add(site_service_id)
        desks = [Desk(counter_id, frozenset(ids)) for counter_id, ids in served.items()]
        numbers = dict(counters.values_list("number", "pk"))
        officers: dict[int, int] = {}
        kiosk_id = None
        for role, user_id, username in StaffRole.objects.filter(
            site=site, role__in=(Role.OFFICER, Role.KIOSK)
        ).values_list("role", "user_id", "user__username"):
            if role == Role.KIOSK:
                kiosk_id = kiosk_id or user_id
                continue
            # Demo officers are named after their counter: officer-<site>-<number>.
            number = username.rpartition("-")[2]
            if number.isdigit() and int(number) in numbers:
                officers[numbers[int(number)]] = user_id
        return cls(
            site=site,
            offerings=offerings,
            rules=rules,
            desks=desks,
            officers=officers,
            kiosk_id=kiosk_id,
            calendar=load_site_calendar(site, first, last),
        )


EventRow = tuple[str, dt.datetime, int | None, int | None]


@dataclass
class TicketRow:
    """A ticket to insert, and its events (kind, at, counter id, actor id)."""

    service_id: int
    date: dt.date
    prefix: str
    sequence: int
    kind: str
    booking: Booking | None
    due_at: dt.datetime | None
    status: str
    priority: str
    issued: dt.datetime
    admitted: dt.datetime | None
    left: dt.datetime | None
    called: dt.datetime | None
    started: dt.datetime | None
    finished: dt.datetime | None
    counter_id: int | None
    recall_count: int
    events: list[EventRow]


@dataclass
class Rows:
    """Unsaved rows, written together once every day of a site is played out."""

    slots: list[Slot] = field(default_factory=list)
    touched_slots: list[Slot] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    tickets: list[TicketRow] = field(default_factory=list)
    shifts: list[CounterShift] = field(default_factory=list)


def local_time(day: dt.date, moment: dt.time, site: Site) -> dt.datetime:
    return dt.datetime.combine(day, moment, tzinfo=site.tzinfo)


def _popularity(site: Site, offering: SiteService) -> float:
    """A service's steady share of its counters' time at a site."""
    return random.Random(f"{site.slug}/{offering.service.slug}").uniform(0.55, 1.0)  # noqa: S311


def _visitors_per_service(place: SiteHistory, open_minutes: float) -> dict[int, float]:
    """Visitors per site service its counters can serve in the day."""
    capacity: dict[int, float] = defaultdict(float)
    durations = {offering.pk: offering.service.duration_minutes for offering in place.offerings}
    for desk in place.desks:
        services = [service for service in desk.services if service in durations]
        for service in services:
            capacity[service] += open_minutes / len(services) / durations[service]
    return capacity


def play_day(
    place: SiteHistory, day: dt.date, existing: dict[tuple[int, dt.datetime], Slot], rows: Rows
) -> None:
    """Add one open day's slots, bookings, tickets, events and shifts to
    ``rows``. ``existing`` holds the slots already in the database, by site
    service and start; the day's missing slots are made from the rules."""
    site = place.site
    rng = random.Random(f"antre-history/{site.slug}/{day.isoformat()}")  # noqa: S311
    ranges = [
        (local_time(day, opens, site), local_time(day, closes, site))
        for opens, closes in place.calendar.ranges(day)
    ]
    open_minutes = sum((end - start).total_seconds() / 60 for start, end in ranges)
    capacity = _visitors_per_service(place, open_minutes)
    load = WEEKDAY_LOAD[day.weekday()] * rng.uniform(0.88, 1.08)
    visits: list[Visit] = []
    booking_of: dict[int, Booking] = {}
    for offering in place.offerings:
        if offering.pk not in capacity or place.calendar.is_closed(day, offering.service_id):
            continue
        service = offering.service
        expected = capacity[offering.pk] * min(load * _popularity(site, offering), 0.95)
        slots = _slots(place, offering, day, existing, rows)
        seats = sum(max(slot.capacity - slot.booked, 0) for slot in slots)
        share = rng.uniform(0.5, 0.7) if slots else 0.0
        coming_booked = min(round(expected * share), seats)
        made = min(round(coming_booked / (1 - CANCELLED_SHARE - MISSED_SHARE)), seats)
        for slot in _pick_seats(slots, made, rng, site):
            booking = _booking(slot, site, service.pk, rng)
            rows.bookings.append(booking)
            if booking.status == BookingStatus.CANCELLED:
                continue
            slot.booked += 1
            if booking.status == BookingStatus.NO_SHOW:
                continue
            arrival = slot.start - dt.timedelta(minutes=rng.uniform(0, 20))
            visit = Visit(
                service=offering.pk,
                arrival=arrival,
                minutes=service_minutes(service.duration_minutes, rng),
                appointment=True,
                due=slot.start - dt.timedelta(minutes=site.appointment_due_minutes),
                absent=rng.random() < ABSENT_SHARE,
            )
            booking.checked_in_at = arrival
            booking.status = BookingStatus.NO_SHOW if visit.absent else BookingStatus.COMPLETED
            visits.append(visit)
            booking_of[id(visit)] = booking
        walk_in_limit = offering.effective_walk_in_quota if service.walk_in_allowed else 0
        walk_in_count = min(max(round(expected) - coming_booked, 0), walk_in_limit)
        visits.extend(walk_ins(offering.pk, service.duration_minutes, walk_in_count, ranges, rng))
    if not visits:
        return
    serve_day(visits, place.desks, ranges=ranges, rng=rng)
    admit(visits, capacity=site.room_capacity)
    _ticket_rows(place, day, visits, booking_of, rows, rng)
    _shift_rows(place, ranges, visits, rows, rng)


def _booking(slot: Slot, site: Site, service_id: int, rng: random.Random) -> Booking:
    """A booking made some days ahead: cancelled, never collected, or (for
    now) confirmed; the day decides whether a confirmed one came."""
    created = slot.start - dt.timedelta(days=rng.uniform(1, 20))
    booking = Booking(
        code=new_code(),
        citizen=None,
        slot=slot,
        site_id=site.pk,
        service_id=service_id,
        created_at=created,
        updated_at=created,
    )
    roll = rng.random()
    if roll < CANCELLED_SHARE:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = created + (slot.start - created) * rng.uniform(0.2, 0.9)
        booking.updated_at = booking.cancelled_at
    elif roll < CANCELLED_SHARE + MISSED_SHARE:
        booking.status = BookingStatus.NO_SHOW
        booking.updated_at = slot.end
    else:
        booking.status = BookingStatus.CONFIRMED
    return booking


def _slots(
    place: SiteHistory,
    offering: SiteService,
    day: dt.date,
    existing: dict[tuple[int, dt.datetime], Slot],
    rows: Rows,
) -> list[Slot]:
    """The day's slots of a site service: those in the database, and the
    missing ones the rules ask for (made, not yet saved)."""
    slots = []
    wanted = wanted_slots(offering, place.rules.get(offering.pk, []), place.calendar, day, day)
    for start, slot_data in sorted(wanted.items()):
        slot = existing.get((offering.pk, start))
        if slot is None:
            slot = Slot(
                site_service=offering,
                rule_id=slot_data.rule_id,
                start=slot_data.start,
                end=slot_data.end,
                capacity=slot_data.capacity,
                booked=0,
            )
            rows.slots.append(slot)
        else:
            rows.touched_slots.append(slot)
        slots.append(slot)
    return slots


def _pick_seats(slots: Sequence[Slot], count: int, rng: random.Random, site: Site) -> list[Slot]:
    """``count`` free seats spread over the slots, mornings somewhat preferred."""
    seats = [slot for slot in slots for _seat in range(max(slot.capacity - slot.booked, 0))]
    weights = [1.4 if slot.start.astimezone(site.tzinfo).hour < 11 else 1.0 for slot in seats]
    chosen: list[Slot] = []
    pool = list(zip(seats, weights, strict=True))
    for _number in range(min(count, len(pool))):
        total = sum(weight for _slot, weight in pool)
        target = rng.uniform(0, total)
        for index, (slot, weight) in enumerate(pool):
            target -= weight
            if target <= 0:
                chosen.append(slot)
                pool.pop(index)
                break
    return chosen


def _priority(rng: random.Random) -> str:
    roll = rng.random()
    for priority, share in PRIORITIES:
        if roll < share:
            return str(priority)
        roll -= share
    return str(Priority.NONE)


def _ticket_rows(
    place: SiteHistory,
    day: dt.date,
    visits: Sequence[Visit],
    booking_of: dict[int, Booking],
    rows: Rows,
    rng: random.Random,
) -> None:
    offerings = {offering.pk: offering for offering in place.offerings}
    sequences: dict[int, int] = defaultdict(int)
    for visit in sorted(visits, key=lambda visit: visit.arrival):
        ended = visit.ended
        if ended is None:
            # Nobody called it: a day's queue always empties, so no counter
            # serves this service; leave no ticket behind.
            continue
        offering = offerings[visit.service]
        sequences[visit.service] += 1
        officer = place.officers.get(visit.counter_id) if visit.counter_id else None
        counter = visit.counter_id
        steps: list[tuple[str, dt.datetime | None, int | None, int | None]] = [
            (TicketEventKind.ISSUED, visit.arrival, None, place.kiosk_id),
            (
                TicketEventKind.ADMITTED,
                visit.admitted,
                counter if visit.admitted == visit.called else None,
                place.kiosk_id if visit.admitted == visit.arrival else officer,
            ),
            (TicketEventKind.CALLED, visit.called, counter, officer),
            *((TicketEventKind.RECALLED, moment, counter, officer) for moment in visit.recalls),
            (TicketEventKind.STARTED, visit.started, counter, officer),
            (TicketEventKind.FINISHED, visit.finished, counter, officer),
            (TicketEventKind.NO_SHOW, visit.no_show, counter, officer),
        ]
        rows.tickets.append(
            TicketRow(
                service_id=offering.service_id,
                date=day,
                prefix=offering.effective_ticket_prefix,
                sequence=sequences[visit.service],
                kind=TicketKind.APPOINTMENT if visit.appointment else TicketKind.WALK_IN,
                booking=booking_of.get(id(visit)),
                due_at=visit.due,
                status=TicketStatus.NO_SHOW if visit.no_show else TicketStatus.DONE,
                priority=_priority(rng),
                issued=visit.arrival,
                admitted=visit.admitted,
                left=ended if visit.admitted is not None else None,
                called=visit.recalls[-1] if visit.recalls else visit.called,
                started=visit.started,
                finished=ended,
                counter_id=counter,
                recall_count=len(visit.recalls),
                events=[
                    (kind, moment, counter_id, actor_id)
                    for kind, moment, counter_id, actor_id in steps
                    if moment is not None
                ],
            )
        )


def _shift_rows(
    place: SiteHistory,
    ranges: Sequence[tuple[dt.datetime, dt.datetime]],
    visits: Sequence[Visit],
    rows: Rows,
    rng: random.Random,
) -> None:
    """One shift per counter: from a few minutes before opening until its
    last ticket is done or closing, whichever is later."""
    last_done: dict[int, dt.datetime] = {}
    for visit in visits:
        if visit.counter_id is not None and visit.ended is not None:
            last_done[visit.counter_id] = max(
                last_done.get(visit.counter_id, visit.ended), visit.ended
            )
    opens, closes = ranges[0][0], ranges[-1][1]
    for desk in place.desks:
        end = max(closes, last_done.get(desk.counter_id, closes))
        rows.shifts.append(
            CounterShift(
                counter_id=desk.counter_id,
                officer_id=place.officers.get(desk.counter_id),
                opened_at=opens - dt.timedelta(minutes=rng.uniform(0, 10)),
                closed_at=end + dt.timedelta(minutes=rng.uniform(1, 5)),
            )
        )

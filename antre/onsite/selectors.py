"""Reads at the site: a ticket's place and estimated call time, the board."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass

from django.db.models import Count, F

from antre.booking.models import Booking
from antre.catalog.models import Site, SiteService
from antre.core import clock
from antre.onsite.models import CounterShift, SiteDay, Ticket, TicketKind, TicketStatus
from antre.onsite.queue import Waiting, in_queue_order

# How many of today's finished services the estimate of a service's duration
# looks back on; the typical duration from the catalog stands in until then.
_RECENT_SERVICES = 20
_MIN_SAMPLES = 3


@dataclass(frozen=True)
class TicketState:
    ticket: Ticket
    position: int
    estimated_call_at: dt.datetime | None
    enter_now: bool
    # An appointment holder who came early moves ahead of the walk-ins at
    # this time (docs/queue-order.md): why their position is behind people
    # whose estimate is later than theirs.
    moves_up_at: dt.datetime | None = None


def waiting_in_line(ticket: Ticket, at: dt.datetime | None = None) -> list[Waiting]:
    """The waiting tickets of the ticket's service queue today, in queue order
    (at ``at``: who is due then; now by default)."""
    rows = Ticket.objects.filter(
        site_id=ticket.site_id,
        service_id=ticket.service_id,
        service_date=ticket.service_date,
        status=TicketStatus.WAITING,
    ).values_list("pk", "kind", "priority", "queued_at", "due_at")
    return in_queue_order(
        (
            Waiting(id=pk, kind=kind, priority=priority, queued_at=queued_at, due_at=due_at)
            for pk, kind, priority, queued_at, due_at in rows
        ),
        at or clock.now(),
    )


def position_of(ticket: Ticket, at: dt.datetime | None = None) -> int:
    """1 for the next to be called (at ``at``, now by default); 0 when the
    ticket is not waiting."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    for index, waiting in enumerate(waiting_in_line(ticket, at), start=1):
        if waiting.id == ticket.pk:
            return index
    return 0


def typical_service_minutes(ticket: Ticket) -> float:
    """The median of today's last services of this service at this site, or the
    catalog's typical duration while there are too few."""
    recent = Ticket.objects.filter(
        site_id=ticket.site_id,
        service_id=ticket.service_id,
        service_date=ticket.service_date,
        started_at__isnull=False,
        finished_at__isnull=False,
    ).order_by("-finished_at")[:_RECENT_SERVICES]
    durations = [
        (finished - started).total_seconds() / 60
        for started, finished in recent.values_list("started_at", "finished_at")
        if started is not None and finished is not None
    ]
    if len(durations) >= _MIN_SAMPLES:
        return max(statistics.median(durations), 1.0)
    return float(ticket.service.duration_minutes)


def open_counters_for(ticket: Ticket) -> int:
    return (
        CounterShift.objects.filter(
            closed_at__isnull=True,
            paused_at__isnull=True,
            counter__site_id=ticket.site_id,
            counter__is_active=True,
            counter__site_services__service_id=ticket.service_id,
        )
        .values("counter_id")
        .distinct()
        .count()
    )


def ticket_state(ticket: Ticket) -> TicketState:
    """Position, estimate and whether to come in, for the ticket and its live page.

    The estimate: the people ahead share the open counters serving this
    service, each taking the typical service time; with no counter open it
    assumes one will be. An appointment holder who came early waits behind
    the walk-ins only until their appointment is due, then goes before them
    (docs/queue-order.md): their estimate is the sooner of the two."""
    position = position_of(ticket)
    estimate = None
    moves_up_at = None
    if position:
        counters = max(open_counters_for(ticket), 1)
        minutes = typical_service_minutes(ticket)

        def called_after(ahead: int, start: dt.datetime) -> dt.datetime:
            return start + dt.timedelta(minutes=math.ceil(ahead / counters) * minutes)

        now = clock.now()
        estimate = called_after(position - 1, now)
        due = ticket.due_at
        if ticket.kind == TicketKind.APPOINTMENT and due is not None and now < due:
            moves_up_at = due
            if due < estimate:
                estimate = min(estimate, called_after(position_of(ticket, due) - 1, due))
    elif ticket.status == TicketStatus.CALLED:
        estimate = ticket.called_at
    return TicketState(
        ticket=ticket,
        position=position,
        estimated_call_at=estimate,
        enter_now=ticket.is_inside and ticket.status in (TicketStatus.WAITING, TicketStatus.CALLED),
        moves_up_at=moves_up_at,
    )


def find_ticket(public_id: str) -> Ticket | None:
    return (
        Ticket.objects.select_related("service", "site", "counter")
        .filter(public_id=public_id)
        .first()
    )


@dataclass(frozen=True)
class Call:
    number: str
    counter: int | None
    called_at: dt.datetime
    service: str


@dataclass(frozen=True)
class BoardSnapshot:
    site: Site
    called: list[Call]
    waiting: dict[str, int]
    inside: int
    capacity: int


def board_snapshot(site: Site, *, calls: int = 10) -> BoardSnapshot:
    """What the hall's board shows: the last calls, who waits per service, and
    people inside against the room cap. Three queries."""
    today = clock.today(site.timezone)
    called = (
        Ticket.objects.filter(site=site, service_date=today, called_at__isnull=False)
        .exclude(status=TicketStatus.TRANSFERRED)
        .select_related("counter", "service")
        .order_by("-called_at", "-id")[:calls]
    )
    waiting = (
        Ticket.objects.filter(site=site, service_date=today, status=TicketStatus.WAITING)
        .values(slug=F("service__slug"))
        .annotate(count=Count("id"))
    )
    inside = SiteDay.objects.filter(site=site, date=today).values_list("inside", flat=True).first()
    return BoardSnapshot(
        site=site,
        called=[
            Call(
                number=ticket.number,
                counter=ticket.counter.number if ticket.counter else None,
                called_at=ticket.called_at,
                service=ticket.service.slug,
            )
            for ticket in called
            if ticket.called_at is not None
        ],
        waiting={row["slug"]: row["count"] for row in waiting},
        inside=inside or 0,
        capacity=site.room_capacity,
    )


def find_ticket_by_id(ticket_id: int) -> Ticket | None:
    """A ticket by its numeric id, with what the API shows of it joined in."""
    return (
        Ticket.objects.select_related("service", "site", "counter", "booking")
        .filter(pk=ticket_id)
        .first()
    )


def successor_of(ticket: Ticket) -> Ticket | None:
    """The ticket a transfer made of this one (with its service, so that its
    number and service can be named), if it was transferred."""
    if ticket.status != TicketStatus.TRANSFERRED:
        return None
    return Ticket.objects.select_related("service").filter(transferred_from=ticket).first()


def visit_ticket(booking: Booking) -> Ticket | None:
    """The queue ticket of the booking's visit now: the ticket the kiosk
    printed for it, or, after transfers to other services (each a new ticket
    without the booking), the last of that chain. None before check-in. One
    query per ticket of the chain (a transfer is rare; two are a lot)."""
    ticket = Ticket.objects.select_related("site", "counter").filter(booking=booking).first()
    while ticket is not None:
        successor = (
            Ticket.objects.select_related("site", "counter").filter(transferred_from=ticket).first()
        )
        if successor is None:
            break
        ticket = successor
    return ticket


def open_shift_of(counter_id: int) -> CounterShift | None:
    """The counter's open shift (``None``: nobody works it now)."""
    return CounterShift.objects.filter(counter_id=counter_id, closed_at__isnull=True).first()


def current_ticket_at(counter_id: int) -> Ticket | None:
    """The ticket called to or being served at the counter, if any."""
    return (
        Ticket.objects.select_related("service", "site", "counter", "booking")
        .filter(counter_id=counter_id, status__in=(TicketStatus.CALLED, TicketStatus.SERVING))
        .order_by("-called_at", "-id")
        .first()
    )


def counter_service_slugs(counter_id: int) -> list[str]:
    """Slugs of the active services a counter serves, by slug."""
    return sorted(
        SiteService.objects.filter(
            counters__pk=counter_id, is_active=True, service__is_active=True
        ).values_list("service__slug", flat=True)
    )

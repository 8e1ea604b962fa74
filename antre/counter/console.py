"""What the officer's console shows of a counter, read in a fixed number of
queries (the console refreshes every few seconds at every counter)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antre.catalog.models import Counter, SiteService
from antre.core import clock
from antre.onsite.models import CounterShift, Priority, Ticket, TicketKind, TicketStatus
from antre.onsite.queue import Waiting, call_order
from antre.onsite.selectors import current_ticket_at, open_shift_of

# How many of the next tickets in line the console lists.
NEXT_UP = 5

CLOSED = "closed"
OPEN = "open"
PAUSED = "paused"


@dataclass(frozen=True)
class QueueCount:
    site_service: SiteService
    waiting: int


@dataclass(frozen=True)
class NextUp:
    number: str
    service: str
    kind: str
    priority: str
    outside: bool
    queued_at: dt.datetime


@dataclass(frozen=True)
class ConsoleState:
    """A counter as its officer sees it now. ``current`` is the ticket called
    to or served at it; ``next_up`` is the line as call-next would take it
    now (another counter may take one first: it is only a preview)."""

    counter: Counter
    shift: CounterShift | None
    current: Ticket | None
    queue: list[QueueCount]
    next_up: list[NextUp]
    transfer_to: list[SiteService]
    now: dt.datetime

    @property
    def state(self) -> str:
        if self.shift is None:
            return CLOSED
        return PAUSED if self.shift.paused_at is not None else OPEN

    @property
    def waiting_total(self) -> int:
        return sum(entry.waiting for entry in self.queue)

    @property
    def recalls_missing(self) -> int:
        """Recalls still owed before the current ticket may be marked no-show."""
        if self.current is None:
            return 0
        required = self.counter.site.no_show_after_recalls
        return max(required - self.current.recall_count, 0)

    @property
    def is_called(self) -> bool:
        return self.current is not None and self.current.status == TicketStatus.CALLED

    @property
    def can_call(self) -> bool:
        return self.current is None and self.state != PAUSED

    @property
    def can_no_show(self) -> bool:
        return self.is_called and self.recalls_missing == 0

    @property
    def minutes_since_call(self) -> int:
        """Whole minutes since the current ticket was (last) called; 0 without one."""
        if self.current is None or self.current.called_at is None:
            return 0
        return max(int((self.now - self.current.called_at).total_seconds()) // 60, 0)


def console_state(counter: Counter) -> ConsoleState:
    """The counter's shift, current ticket, its services' waiting counts and
    next tickets, and the services a ticket may be transferred to. Six
    queries; ``counter`` must come with its site."""
    site = counter.site
    now = clock.now()
    today = clock.today(site.timezone)
    shift = open_shift_of(counter.pk)
    current = current_ticket_at(counter.pk)
    site_services = list(
        SiteService.objects.filter(site=site, is_active=True, service__is_active=True)
        .select_related("service")
        .order_by("service__ticket_prefix", "service__name")
    )
    served_ids = set(counter.site_services.values_list("pk", flat=True))
    served = [entry for entry in site_services if entry.pk in served_ids]
    by_service = {entry.service_id: entry for entry in served}
    rows = list(
        Ticket.objects.filter(
            site=site,
            service_date=today,
            status=TicketStatus.WAITING,
            service_id__in=list(by_service),
        ).values_list(
            "pk",
            "kind",
            "priority",
            "queued_at",
            "due_at",
            "service_id",
            "prefix",
            "sequence",
            "admitted_at",
        )
    )
    counts = dict.fromkeys(by_service, 0)
    for row in rows:
        counts[row[5]] += 1
    return ConsoleState(
        counter=counter,
        shift=shift,
        current=current,
        queue=[QueueCount(entry, counts[entry.service_id]) for entry in served],
        next_up=_next_up(counter, rows, by_service, now=now, today=today),
        transfer_to=[
            entry
            for entry in site_services
            if current is None or entry.service_id != current.service_id
        ],
        now=now,
    )


type WaitingRow = tuple[
    int, str, str, dt.datetime, dt.datetime | None, int, str, int, dt.datetime | None
]


def _next_up(
    counter: Counter,
    rows: list[WaitingRow],
    by_service: dict[int, SiteService],
    *,
    now: dt.datetime,
    today: dt.date,
) -> list[NextUp]:
    if not rows:
        return []
    site = counter.site
    # The walk-in share looks back on the last calls at these services, as
    # call_next does.
    recent = (
        list(
            Ticket.objects.filter(
                site=site,
                service_date=today,
                service_id__in=list(by_service),
                called_at__isnull=False,
            )
            .order_by("-called_at", "-id")
            .values_list("kind", flat=True)[: site.walk_in_share - 1]
        )
        if site.walk_in_share > 1
        else []
    )
    by_id = {row[0]: row for row in rows}
    order = call_order(
        (
            Waiting(
                id=pk,
                kind=kind,
                priority=priority,
                queued_at=queued_at,
                due_at=due_at,
                service_id=service_id,
            )
            for pk, kind, priority, queued_at, due_at, service_id, *_rest in rows
        ),
        now,
        recent_call_kinds=recent,
        walk_in_share=site.walk_in_share,
    )
    next_up = []
    for waiting in order[:NEXT_UP]:
        _pk, kind, priority, queued_at, _due, service_id, prefix, sequence, admitted = by_id[
            waiting.id
        ]
        next_up.append(
            NextUp(
                number=Ticket(prefix=prefix, sequence=sequence).number,
                service=by_service[service_id].service.name,
                kind=str(TicketKind(kind).label),
                priority=str(Priority(priority).label) if priority else "",
                outside=admitted is None,
                queued_at=queued_at,
            )
        )
    return next_up

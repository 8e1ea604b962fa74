"""A ticket's life, folded from its recorded events: no ORM.

Reports never read a ticket's own time fields (which move on: a recall
overwrites ``called_at``); they read the append-only ``TicketEvent`` rows and
fold each ticket's events into one ``Timeline``:

* waiting time: issued -> the first call (a recall is not a new wait);
* service time: started -> finished (a ticket finished without being started
  has no service time);
* the counter's busy time: the first call -> the ticket's end (finished, no
  show or transferred), the counter's own ticket all along: a counter calls
  nobody else while one is called or served;
* inside the room: admitted -> the ticket's end (its place is freed then; a
  transfer hands the place to the new ticket, admitted at the same instant).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from antre.reports.stats import Interval, minutes_between

ISSUED = "issued"
ADMITTED = "admitted"
CALLED = "called"
STARTED = "started"
FINISHED = "finished"
NO_SHOW = "no_show"
TRANSFERRED = "transferred"
WALK_IN = "walk_in"
APPOINTMENT = "appointment"


class EventRow(NamedTuple):
    """One ``TicketEvent`` with what the reports need of its ticket."""

    ticket_id: int
    kind: str
    at: dt.datetime
    counter_id: int | None
    site_id: int
    service_id: int
    date: dt.date
    ticket_kind: str
    transferred_in: bool


@dataclass
class Timeline:
    ticket_id: int
    site_id: int
    service_id: int
    date: dt.date
    ticket_kind: str
    transferred_in: bool
    issued: dt.datetime | None = None
    admitted: dt.datetime | None = None
    called: dt.datetime | None = None
    counter_id: int | None = None
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    no_show: dt.datetime | None = None
    transferred: dt.datetime | None = None

    @property
    def is_walk_in(self) -> bool:
        return self.ticket_kind == WALK_IN

    @property
    def ended(self) -> dt.datetime | None:
        """When the ticket was done with: finished, no show or transferred."""
        ends = [at for at in (self.finished, self.no_show, self.transferred) if at is not None]
        return min(ends) if ends else None

    @property
    def waiting_minutes(self) -> float | None:
        if self.issued is None or self.called is None:
            return None
        return max(minutes_between(self.issued, self.called), 0.0)

    @property
    def service_minutes(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return max(minutes_between(self.started, self.finished), 0.0)

    def busy(self, *, until: dt.datetime) -> Interval | None:
        """The counter's time on this ticket; one still open runs to ``until``."""
        if self.called is None:
            return None
        end = self.ended or until
        return (self.called, end) if self.called < end else None

    def inside(self, *, until: dt.datetime) -> Interval | None:
        """Its time in the room; one still inside stays until ``until``."""
        if self.admitted is None:
            return None
        end = self.ended or until
        return (self.admitted, end) if self.admitted < end else None


def fold(rows: Iterable[EventRow]) -> list[Timeline]:
    """One timeline per ticket, from its events in any order. The first event
    of each kind counts (a ticket is issued, called, admitted once; a recall
    is a ``recalled`` event, which waiting time ignores)."""
    timelines: dict[int, Timeline] = {}
    for row in sorted(rows, key=lambda row: (row.at, row.ticket_id)):
        timeline = timelines.get(row.ticket_id)
        if timeline is None:
            timeline = Timeline(
                ticket_id=row.ticket_id,
                site_id=row.site_id,
                service_id=row.service_id,
                date=row.date,
                ticket_kind=row.ticket_kind,
                transferred_in=row.transferred_in,
            )
            timelines[row.ticket_id] = timeline
        if row.kind == ISSUED and timeline.issued is None:
            timeline.issued = row.at
        elif row.kind == ADMITTED and timeline.admitted is None:
            timeline.admitted = row.at
        elif row.kind == CALLED and timeline.called is None:
            timeline.called = row.at
            timeline.counter_id = row.counter_id
        elif row.kind == STARTED and timeline.started is None:
            timeline.started = row.at
        elif row.kind == FINISHED and timeline.finished is None:
            timeline.finished = row.at
        elif row.kind == NO_SHOW and timeline.no_show is None:
            timeline.no_show = row.at
        elif row.kind == TRANSFERRED and timeline.transferred is None:
            timeline.transferred = row.at
    return sorted(timelines.values(), key=lambda timeline: (timeline.date, timeline.ticket_id))

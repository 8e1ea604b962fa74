"""The queue order, in one place (docs/queue-order.md says it in words).

1. Appointment holders whose time has come (``due_at <= now``) go first, then
   walk-ins, then appointment holders who checked in early and are not due yet.
2. Within each class, priority groups (elderly, disabled, pregnant) first.
3. Then first come, first served by ``queued_at`` (a transferred ticket keeps
   its original issue time, so its place), then by id.
4. Walk-ins get a guaranteed share so nobody starves: when the last
   ``walk_in_share - 1`` calls at these services were all appointment holders
   and a walk-in waits, the next call goes to the walk-ins (within them, rule 2
   and 3 again).

These are pure functions over plain values so that the rule can be tested
exhaustively (hypothesis) without a database; the services module feeds them
the waiting tickets and claims the winner with a guarded UPDATE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

APPOINTMENT = "appointment"
WALK_IN = "walk_in"

DUE_APPOINTMENT_CLASS = 0
WALK_IN_CLASS = 1
EARLY_APPOINTMENT_CLASS = 2


@dataclass(frozen=True)
class Waiting:
    """What the order needs to know of a waiting ticket."""

    id: int
    kind: str
    priority: str
    queued_at: dt.datetime
    due_at: dt.datetime | None = None
    service_id: int = 0


def queue_class(ticket: Waiting, now: dt.datetime) -> int:
    if ticket.kind == WALK_IN:
        return WALK_IN_CLASS
    if ticket.due_at is None or ticket.due_at <= now:
        return DUE_APPOINTMENT_CLASS
    return EARLY_APPOINTMENT_CLASS


def queue_key(ticket: Waiting, now: dt.datetime) -> tuple[int, int, dt.datetime, int]:
    return (queue_class(ticket, now), 0 if ticket.priority else 1, ticket.queued_at, ticket.id)


def in_queue_order(tickets: Iterable[Waiting], now: dt.datetime) -> list[Waiting]:
    return sorted(tickets, key=lambda ticket: queue_key(ticket, now))


def walk_ins_turn(recent_call_kinds: Sequence[str], *, share: int) -> bool:
    """Whether the next call is owed to a walk-in: the last ``share - 1`` calls
    (newest first) were all appointment holders. ``share=1`` means every call
    may go to a walk-in, i.e. walk-ins are never held back."""
    needed = max(share - 1, 0)
    if needed == 0:
        return True
    recent = list(recent_call_kinds[:needed])
    return len(recent) == needed and all(kind == APPOINTMENT for kind in recent)


def call_order(
    tickets: Iterable[Waiting],
    now: dt.datetime,
    *,
    recent_call_kinds: Sequence[str],
    walk_in_share: int,
) -> list[Waiting]:
    """The waiting tickets in the order a counter should call them now.
    ``walk_in_share <= 0`` switches the share off: the plain queue order (used
    to call people into the room, where no counter's calls are owed)."""
    ordered = in_queue_order(tickets, now)
    if walk_in_share <= 0 or not ordered or queue_class(ordered[0], now) == WALK_IN_CLASS:
        return ordered
    walk_ins = [ticket for ticket in ordered if ticket.kind == WALK_IN]
    if walk_ins and walk_ins_turn(recent_call_kinds, share=walk_in_share):
        return [walk_ins[0], *[ticket for ticket in ordered if ticket is not walk_ins[0]]]
    return ordered

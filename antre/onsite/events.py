"""Board events: written in the transaction of the change they announce, so a
board never shows a call that was rolled back, and read back by the event
stream (``GET /api/v1/sites/{site}/events``) in id order. Each one is also
announced to the streams of every app server (antre/ops/fanout.py), which
then read the rows."""

from __future__ import annotations

from typing import Any

from antre.onsite.models import BoardEvent, Ticket
from antre.ops.fanout import announce

TICKET_CALLED = "ticket.called"
TICKET_RECALLED = "ticket.recalled"
TICKET_ADMITTED = "ticket.admitted"
TICKET_CHANGED = "ticket.changed"
BOARD_UPDATED = "board.updated"


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    counter = ticket.counter
    return {
        "number": ticket.number,
        "public_id": ticket.public_id,
        "service": ticket.service.slug,
        "status": ticket.status,
        "counter": counter.number if counter is not None else None,
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "enter_now": ticket.admitted_at is not None,
    }


def emit(*, site_id: int, kind: str, payload: dict[str, Any] | None = None) -> BoardEvent:
    event = BoardEvent.objects.create(site_id=site_id, kind=kind, payload=payload or {})
    announce(site_id=site_id, event_id=event.pk)
    return event


def emit_ticket(kind: str, ticket: Ticket) -> BoardEvent:
    return emit(site_id=ticket.site_id, kind=kind, payload=ticket_payload(ticket))


def events_after(*, site_id: int, last_id: int, limit: int = 200) -> list[BoardEvent]:
    """Events of a site after ``last_id`` (the SSE ``Last-Event-ID``), oldest first."""
    return list(BoardEvent.objects.filter(site_id=site_id, id__gt=last_id).order_by("id")[:limit])


def latest_event_id(*, site_id: int) -> int:
    latest = BoardEvent.objects.filter(site_id=site_id).order_by("-id").values_list("id", flat=True)
    return latest.first() or 0

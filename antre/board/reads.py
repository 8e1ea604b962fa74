"""The reads the board needs besides ``antre.onsite.selectors.board_snapshot``:
the site's services by slug (the snapshot counts by slug), the numbers just
called in from outside, and everything as the JSON the board's script reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from antre.catalog.models import Site, SiteService
from antre.core import clock
from antre.onsite import events
from antre.onsite.models import BoardEvent
from antre.onsite.selectors import BoardSnapshot, board_snapshot

# How long a "silakan masuk" stays on the board, and how many at most.
ADMITTED_MINUTES = 5
ADMITTED_SHOWN = 6
# The calls the board lists: the newest large, four before it (two rows).
CALLS_SHOWN = 5


@dataclass(frozen=True)
class BoardService:
    slug: str
    name: str
    prefix: str


@dataclass(frozen=True)
class Admitted:
    number: str
    at: dt.datetime


@dataclass(frozen=True)
class BoardState:
    snapshot: BoardSnapshot
    services: dict[str, BoardService]
    admitted: list[Admitted]
    last_event_id: int
    now: dt.datetime

    @property
    def waiting(self) -> list[tuple[BoardService, int]]:
        """Services with someone waiting, by ticket prefix."""
        rows = [
            (self.services[slug], count)
            for slug, count in self.snapshot.waiting.items()
            if count and slug in self.services
        ]
        return sorted(rows, key=lambda row: (row[0].prefix, row[0].name))

    @property
    def is_full(self) -> bool:
        return self.snapshot.inside >= self.snapshot.capacity


def site_services(site: Site) -> dict[str, BoardService]:
    return {
        entry.service.slug: BoardService(
            slug=entry.service.slug, name=entry.service.name, prefix=entry.effective_ticket_prefix
        )
        for entry in SiteService.objects.filter(site=site, is_active=True).select_related("service")
    }


def recently_admitted(site: Site, *, now: dt.datetime) -> list[Admitted]:
    """Tickets called in from outside in the last few minutes, newest first."""
    rows = (
        BoardEvent.objects.filter(
            site=site,
            kind=events.TICKET_ADMITTED,
            at__gte=now - dt.timedelta(minutes=ADMITTED_MINUTES),
        )
        .order_by("-id")
        .values_list("payload", "at")[:ADMITTED_SHOWN]
    )
    return [Admitted(number=str(payload.get("number", "")), at=at) for payload, at in rows]


def board_state(site: Site) -> BoardState:
    """Six queries: the snapshot's three, the services, the admitted, the last
    event id (from which the page's event stream resumes)."""
    now = clock.now()
    return BoardState(
        snapshot=board_snapshot(site, calls=CALLS_SHOWN),
        services=site_services(site),
        admitted=recently_admitted(site, now=now),
        last_event_id=events.latest_event_id(site_id=site.pk),
        now=now,
    )


def snapshot_json(snapshot: BoardSnapshot) -> dict[str, Any]:
    """The snapshot in the shape of the stream's ``board.updated`` data."""
    return {
        "called": [
            {
                "number": call.number,
                "counter": call.counter,
                "called_at": call.called_at.astimezone(snapshot.site.tzinfo).isoformat(),
                "service": call.service,
            }
            for call in snapshot.called
        ],
        "waiting": snapshot.waiting,
        "inside": snapshot.inside,
        "capacity": snapshot.capacity,
    }


def state_json(state: BoardState) -> dict[str, Any]:
    return {
        **snapshot_json(state.snapshot),
        "admitted": [
            {"number": entry.number, "at": entry.at.isoformat()} for entry in state.admitted
        ],
        "last_event_id": state.last_event_id,
        "now": state.now.isoformat(),
    }

"""The event streams (server-sent events) of a site's board and of one ticket.

``GET /sites/{site}/events`` feeds a hall's board and the counter consoles;
``GET /tickets/{public_id}/events`` feeds the holder's live ticket page. Both
are Django async views over an async generator, so they must be served by an
ASGI server (WSGI would hold a worker thread for the whole stream, and
buffers it). The board events table (``antre.onsite.models.BoardEvent``) is
the source of truth: an event's row id is its SSE ``id:``, so a client that
reconnects with ``Last-Event-ID`` (or ``?last_event_id=``, since
``EventSource`` cannot set headers) is sent exactly what it missed, oldest
first, before the stream goes live.

How a stream runs: ``retry: 2000`` first (browsers reconnect after 2 s),
then the opening (a fresh ``board.updated`` snapshot, or the replay), then
every new event of the site as it lands; a ``: keepalive`` comment after 15 s
of silence; the stream ends after ten minutes and the client reconnects,
which spreads long-lived connections over the servers. A stream reads the
table when woken by a notification that the site has a new event, written by
whichever app server (antre/ops/fanout.py: PostgreSQL LISTEN/NOTIFY or Redis
pub/sub, ``ANTRE_EVENTS``), and at least every ``SAFETY_POLL_SECONDS`` in case
one was missed; with ``ANTRE_EVENTS=poll`` (one server on SQLite), or while
the listener reconnects, it reads every ``POLL_SECONDS``.

The reads run in the event loop's thread pool (``thread_sensitive=False``),
not in a thread of their own per stream: a stream spends its life waiting,
and a pool of a few threads (each with its own database connection) serves
every open stream of the process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from antre.accounts.models import User
from antre.api.onsite import board_out, board_site, caller
from antre.api.problems import problems
from antre.api.rendering import no_content
from antre.api.schemas.onsite import BoardOut, StreamTicketData, TicketStateData
from antre.api.session import STAFF_AUTH
from antre.catalog.models import Site
from antre.core import clock
from antre.core.errors import NotFound
from antre.onsite import selectors
from antre.onsite.events import (
    BOARD_UPDATED,
    TICKET_ADMITTED,
    TICKET_CALLED,
    TICKET_CHANGED,
    TICKET_RECALLED,
    events_after,
    latest_event_id,
)
from antre.onsite.models import BoardEvent, Ticket, TicketStatus
from antre.ops import fanout

logger = logging.getLogger("antre.api.events")

router = Router(tags=["On site"])

EVENT_STREAM = "text/event-stream"
# Module constants, read at run time, so that tests may shorten them.
POLL_SECONDS = 0.5
# With a listener, a missed notification is healed by this slow read.
SAFETY_POLL_SECONDS = 10.0
KEEPALIVE_SECONDS = 15.0
STREAM_SECONDS = 600.0
RETRY_MILLISECONDS = 2000
# A client that missed more than this, or whose first missed event is older
# than the window, starts afresh from a snapshot: old calls are not worth
# announcing again, and a board's state is in the snapshot anyway.
REPLAY_LIMIT = 200
REPLAY_WINDOW = dt.timedelta(minutes=15)

TICKET_STATE = "ticket.state"
SITE_TICKET_KINDS = frozenset({TICKET_CALLED, TICKET_RECALLED, TICKET_ADMITTED})
OWN_TICKET_KINDS = frozenset({TICKET_CALLED, TICKET_RECALLED, TICKET_ADMITTED, TICKET_CHANGED})
FINAL_STATUSES = frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.TRANSFERRED})
KEEPALIVE = ": keepalive\n\n"


@dataclass(frozen=True)
class Message:
    """One server-sent event."""

    event: str
    data: Any
    id: int | None = None

    def encode(self) -> str:
        lines = [] if self.id is None else [f"id: {self.id}"]
        lines.append(f"event: {self.event}")
        # JSON has no raw line breaks, so the data is one `data:` line.
        body = json.dumps(self.data, cls=DjangoJSONEncoder, ensure_ascii=False)
        lines.append(f"data: {body}")
        return "\n".join(lines) + "\n\n"


def _pooled[**P, R](function: Callable[P, R]) -> Callable[P, Any]:
    """``function`` for the event loop's thread pool. A database error closes
    the pool thread's connection, so that the next read opens a fresh one."""

    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except DatabaseError:
            connection.close()
            raise

    return sync_to_async(call, thread_sensitive=False)


async def wait_for_events(
    *,
    site_id: int,
    after: int,
    timeout: float,
    subscription: fanout.Subscription | None = None,
) -> list[BoardEvent]:
    """The site's events after id ``after``, oldest first, as soon as there
    are any; an empty list when ``timeout`` seconds pass without one.

    With a ``subscription``, reads when woken (or every
    ``SAFETY_POLL_SECONDS``); without, every ``POLL_SECONDS``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    read = _pooled(events_after)
    while True:
        if subscription is not None:
            # Before the read: a notification during the read wakes us again.
            subscription.woken.clear()
        found: list[BoardEvent] = await read(site_id=site_id, last_id=after)
        left = deadline - loop.time()
        if found or left <= 0:
            return found
        if subscription is None:
            await asyncio.sleep(min(POLL_SECONDS, left))
        else:
            pause = SAFETY_POLL_SECONDS if subscription.live else POLL_SECONDS
            await subscription.wait(min(pause, left))


async def follow(*, site_id: int, after: int) -> AsyncIterator[list[BoardEvent]]:
    """Batches of the site's new events until the stream's time is up; an
    empty batch after ``KEEPALIVE_SECONDS`` of silence."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + STREAM_SECONDS
    async with fanout.subscription(site_id) as subscription:
        while (left := ends - loop.time()) > 0:
            batch = await wait_for_events(
                site_id=site_id,
                after=after,
                timeout=min(KEEPALIVE_SECONDS, left),
                subscription=subscription,
            )
            if batch:
                after = batch[-1].pk
            yield batch


def event_stream_response(chunks: AsyncIterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=f"{EVENT_STREAM}; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    # nginx would otherwise buffer the stream.
    response["X-Accel-Buffering"] = "no"
    return response


def resume_from(request: HttpRequest, query_value: int | None) -> int | None:
    """The last event id the client saw: the ``Last-Event-ID`` header a
    reconnecting EventSource sends, else ``?last_event_id=``. A header that
    is not a number is ignored (the client starts afresh)."""
    header = request.headers.get("Last-Event-ID", "").strip()
    if header.isascii() and header.isdigit():
        return int(header)
    return query_value


def missed_events(*, site_id: int, since: int | None, latest: int) -> list[BoardEvent] | None:
    """What a reconnecting client missed, oldest first; ``None`` when it should
    start afresh instead: no id, an id this database never gave, more than
    ``REPLAY_LIMIT`` missed, or the first missed older than ``REPLAY_WINDOW``."""
    if since is None or since > latest:
        return None
    missed = events_after(site_id=site_id, last_id=since, limit=REPLAY_LIMIT + 1)
    if len(missed) > REPLAY_LIMIT:
        return None
    if missed and missed[0].at < clock.now() - REPLAY_WINDOW:
        return None
    return missed


def _local(value: Any, tz: dt.tzinfo) -> Any:
    if not isinstance(value, str):
        return value
    return dt.datetime.fromisoformat(value).astimezone(tz).isoformat()


def ticket_data(payload: dict[str, Any], tz: dt.tzinfo) -> dict[str, Any]:
    """A ticket event's data: its payload with times in the site's offset and
    without the public id (the key to the holder's page; boards are public)."""
    data = {key: value for key, value in payload.items() if key != "public_id"}
    if data.get("called_at"):
        data["called_at"] = _local(data["called_at"], tz)
    return data


# --- a site's stream ------------------------------------------------------------


@dataclass(frozen=True)
class SiteStream:
    site: Site
    last_id: int
    opening: list[Message]


def board_message(site: Site, event_id: int) -> Message:
    """A snapshot of the board now: the site read afresh, since a stream
    lives for hours and an admin may change the room's capacity meanwhile."""
    snapshot = board_out(selectors.board_snapshot(Site.objects.get(pk=site.pk)))
    return Message(BOARD_UPDATED, snapshot.model_dump(mode="json"), event_id)


def site_messages(site: Site, batch: list[BoardEvent]) -> list[Message]:
    """The messages for a batch of the site's events, in order. Of several
    ``board.updated`` only the last is sent, with a fresh snapshot (the rows
    carry no data; the snapshot is the state now)."""
    tz = site.tzinfo
    last_board = max((event.pk for event in batch if event.kind == BOARD_UPDATED), default=None)
    messages = []
    for event in batch:
        if event.pk == last_board:
            messages.append(board_message(site, event.pk))
        elif event.kind in SITE_TICKET_KINDS:
            messages.append(Message(event.kind, ticket_data(event.payload, tz), event.pk))
    return messages


def open_site_stream(user: User, slug: str, since: int | None) -> SiteStream:
    """Check the caller, then what the stream opens with: the replay of what
    was missed, or a ``board.updated`` snapshot carrying the latest id."""
    site = board_site(user, slug)
    # The latest id first, then the snapshot: an event landing in between is
    # in the snapshot and is sent again after it, never lost.
    latest = latest_event_id(site_id=site.pk)
    missed = missed_events(site_id=site.pk, since=since, latest=latest)
    if missed is None:
        return SiteStream(site, latest, [board_message(site, latest)])
    last_id = missed[-1].pk if missed else latest
    return SiteStream(site, last_id, site_messages(site, missed))


async def site_stream(stream: SiteStream) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    for message in stream.opening:
        yield message.encode()
    messages_of = _pooled(site_messages)
    try:
        async for batch in follow(site_id=stream.site.pk, after=stream.last_id):
            if not batch:
                yield KEEPALIVE
                continue
            for message in await messages_of(stream.site, batch):
                yield message.encode()
    except DatabaseError:
        # The client reconnects in RETRY_MILLISECONDS and resumes from its last id.
        logger.warning("Event stream of site %s ended by a database error", stream.site.pk)


# --- one ticket's stream ----------------------------------------------------------


@dataclass
class TicketStream:
    ticket: Ticket
    last_id: int
    opening: list[Message]
    state: dict[str, Any]


def is_over(ticket: Ticket) -> bool:
    """Nothing more will happen to the ticket: finished, or of a past day."""
    return ticket.status in FINAL_STATUSES or ticket.service_date < clock.today(ticket.site.tzinfo)


def state_data(ticket: Ticket) -> dict[str, Any]:
    state = selectors.ticket_state(ticket)
    tz = ticket.site.tzinfo
    successor = selectors.successor_of(ticket)
    data = TicketStateData(
        number=ticket.number,
        status=TicketStatus(ticket.status),
        position=state.position,
        estimated_call_at=(
            state.estimated_call_at.astimezone(tz) if state.estimated_call_at else None
        ),
        enter_now=state.enter_now,
        counter=ticket.counter.number if ticket.counter is not None else None,
        called_at=ticket.called_at.astimezone(tz) if ticket.called_at else None,
        transferred_to=successor.public_id if successor is not None else None,
    )
    return data.model_dump(mode="json")


def own_messages(ticket: Ticket, batch: list[BoardEvent]) -> list[Message]:
    tz = ticket.site.tzinfo
    return [
        Message(event.kind, ticket_data(event.payload, tz), event.pk)
        for event in batch
        if event.kind in OWN_TICKET_KINDS and event.payload.get("public_id") == ticket.public_id
    ]


def open_ticket_stream(public_id: str, since: int | None) -> TicketStream | None:
    """What the ticket's stream opens with: the ticket's own events it missed
    and its state now. ``None`` when the ticket is over (the view answers
    204, which tells EventSource to stop reconnecting)."""
    ticket = selectors.find_ticket(public_id)
    if ticket is None:
        raise NotFound(_("Nomor antrean ini tidak ada."))
    if is_over(ticket):
        return None
    latest = latest_event_id(site_id=ticket.site_id)
    missed = missed_events(site_id=ticket.site_id, since=since, latest=latest)
    last_id = missed[-1].pk if missed else latest
    state = state_data(ticket)
    opening = [*own_messages(ticket, missed or []), Message(TICKET_STATE, state, last_id)]
    return TicketStream(ticket, last_id, opening, state)


def ticket_batch(stream: TicketStream, batch: list[BoardEvent]) -> tuple[list[Message], bool]:
    """The messages for a batch of the site's events: the ticket's own, then
    its state when that changed. Also whether the ticket is now over."""
    ticket = selectors.find_ticket(stream.ticket.public_id)
    if ticket is None:  # pragma: no cover (tickets are never deleted)
        return [], True
    messages = own_messages(ticket, batch)
    state = state_data(ticket)
    if state != stream.state:
        stream.state = state
        messages.append(Message(TICKET_STATE, state, batch[-1].pk))
    return messages, is_over(ticket)


async def ticket_stream(stream: TicketStream) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    for message in stream.opening:
        yield message.encode()
    messages_of = _pooled(ticket_batch)
    try:
        async for batch in follow(site_id=stream.ticket.site_id, after=stream.last_id):
            if not batch:
                yield KEEPALIVE
                continue
            messages, over = await messages_of(stream, batch)
            for message in messages:
                yield message.encode()
            if over:
                return
    except DatabaseError:
        logger.warning("Event stream of ticket %s ended by a database error", stream.ticket.pk)


# --- the operations ---------------------------------------------------------------


class StreamQuery(Schema):
    last_event_id: int | None = Field(
        None,
        ge=0,
        description=(
            "Resume after this event id (what `Last-Event-ID` says; the header wins when both "
            "are sent). For a first connection from a page that kept the last id."
        ),
    )


def _inline(model: type[Schema]) -> dict[str, Any]:
    """A schema's JSON schema for the OpenAPI document, its nested models
    referring to the document's components (where ninja put them)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


def _event(name: str, data: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "title": name,
        "description": description,
        "properties": {
            "id": {"type": "integer", "description": "The event id (`Last-Event-ID`)."},
            "event": {"const": name},
            "data": data,
        },
        "required": ["id", "event", "data"],
    }


def _stream_doc(description: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {
                    EVENT_STREAM: {
                        "schema": {
                            "description": (
                                "Server-sent events: `id:` (the event id), `event:` (the kind) "
                                "and one `data:` line of JSON each; `retry:` first, "
                                "`: keepalive` comments between."
                            ),
                            "oneOf": events,
                        }
                    }
                },
            }
        }
    }


def _site_stream_doc() -> dict[str, Any]:
    ticket = _inline(StreamTicketData)
    board = {"$ref": f"#/components/schemas/{BoardOut.__name__}"}
    return _stream_doc(
        "The site's events as they happen.",
        [
            _event(TICKET_CALLED, ticket, "A ticket was called to a counter: announce it."),
            _event(TICKET_RECALLED, ticket, "A called ticket was called again: announce it."),
            _event(
                TICKET_ADMITTED,
                ticket,
                'A ticket waiting outside may come into the waiting room ("silakan masuk").',
            ),
            _event(
                BOARD_UPDATED,
                board,
                "What the board shows changed; the data is the board itself "
                "(as `GET /sites/{site}/board`).",
            ),
        ],
    )


def _ticket_stream_doc() -> dict[str, Any]:
    ticket = _inline(StreamTicketData)
    return _stream_doc(
        "The ticket's events as they happen.",
        [
            _event(TICKET_CALLED, ticket, "The ticket was called: go to `counter`."),
            _event(TICKET_RECALLED, ticket, "The ticket was called again."),
            _event(TICKET_ADMITTED, ticket, 'Come into the waiting room ("silakan masuk").'),
            _event(TICKET_CHANGED, ticket, "Serving started, finished, no-show or transferred."),
            _event(
                TICKET_STATE,
                _inline(TicketStateData),
                "Position, estimate and status, whenever they change; the first event.",
            ),
        ],
    )


STREAM_MECHANICS = (
    "Each event has `id:` (a number that only grows), `event:` and one `data:` line of JSON; "
    "times carry the site's UTC offset. Reconnecting with `Last-Event-ID` (or "
    "`?last_event_id=`) replays what was missed first (up to 200 events of the last 15 "
    "minutes; beyond that the stream starts afresh). `retry: 2000` opens the stream, a "
    "`: keepalive` comment follows 15 s of silence, and the stream ends after about 10 "
    "minutes (clients reconnect). Served by the ASGI server only."
)


@router.get(
    "/sites/{site}/events",
    auth=STAFF_AUTH,
    response={200: None, **problems(401, 403, 404, 422)},
    summary="The site's live events (server-sent events)",
    description=(
        "`text/event-stream` of `ticket.called`, `ticket.recalled`, `ticket.admitted` and "
        "`board.updated` (whose data is the whole board, so a board needs no other request). "
        "A new connection without `Last-Event-ID` opens with a `board.updated`. "
        + STREAM_MECHANICS
        + " For the site's board device and any staff of the site (bearer token or session); "
        "403 `forbidden` for anyone else signed in, 404 `not_found` for an unknown site."
    ),
    operation_id="stream_site_events",
    openapi_extra=_site_stream_doc(),
)
async def stream_site_events(
    request: HttpRequest, site: str, query: Query[StreamQuery]
) -> StreamingHttpResponse:
    since = resume_from(request, query.last_event_id)
    stream = await sync_to_async(open_site_stream)(caller(request), site, since)
    return event_stream_response(site_stream(stream))


@router.get(
    "/tickets/{public_id}/events",
    auth=None,
    response={200: None, 204: None, **problems(404, 422)},
    summary="A ticket's live events, for its holder (server-sent events)",
    description=(
        "No authentication, as `GET /tickets/{public_id}`. `text/event-stream` of the "
        "ticket's own `ticket.called`, `ticket.recalled`, `ticket.admitted` and "
        "`ticket.changed`, and a `ticket.state` (position, estimate, status) first and "
        "whenever it changes. The stream ends when the ticket is done, no-show or "
        "transferred (then `transferred_to` names the new ticket); a ticket that is already "
        "over (or of a past day) is answered with **204**, which stops EventSource from "
        "reconnecting. " + STREAM_MECHANICS + " 404 `not_found` for an unknown id."
    ),
    operation_id="stream_ticket_events",
    openapi_extra=_ticket_stream_doc(),
)
async def stream_ticket_events(
    request: HttpRequest, public_id: str, query: Query[StreamQuery]
) -> StreamingHttpResponse | HttpResponse:
    since = resume_from(request, query.last_event_id)
    stream = await sync_to_async(open_ticket_stream)(public_id, since)
    if stream is None:
        return no_content()
    return event_stream_response(ticket_stream(stream))

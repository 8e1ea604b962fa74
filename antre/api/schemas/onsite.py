"""On site: tickets, check-in and walk-ins at the kiosk, counters, the board,
and the data of the event streams."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from antre.onsite.models import TicketKind, TicketStatus

# The priority groups a kiosk may ask for (``antre.onsite.models.Priority``
# without its empty "none").
PriorityName = Literal["elderly", "disabled", "pregnant"]
CounterState = Literal["closed", "open", "paused"]


class CheckInIn(Schema):
    code: str = Field(
        ...,
        max_length=40,
        description="The booking code, as scanned or typed: any case, with or without the dash.",
        examples=["7K3M-9QXZ4"],
    )
    priority: PriorityName | None = Field(
        None, description="A priority group the citizen belongs to, chosen at the kiosk."
    )


class WalkInIn(Schema):
    service: str = Field(
        ..., description="Slug of a service offered at the site.", examples=["ktp"]
    )
    priority: PriorityName | None = Field(
        None, description="A priority group the citizen belongs to, chosen at the kiosk."
    )


class TransferIn(Schema):
    service: str = Field(
        ..., description="Slug of the service to send the ticket on to, at the same site."
    )


class TicketOut(Schema):
    id: int = Field(..., description="The ticket's numeric id, for the counter operations.")
    public_id: str = Field(
        ...,
        description="The long random id behind the ticket's QR code (GET /tickets/{public_id}).",
    )
    number: str = Field(
        ...,
        description=(
            "The service's prefix letter and the day's 3-digit sequence at the site, never "
            "repeated within a day. A site offering more services than there are letters "
            "gives some services a two-letter prefix (`BB-004`), so that no two services of "
            "one site share a prefix."
        ),
        examples=["A-012"],
    )
    service: str = Field(..., description="Service slug.", examples=["ktp"])
    service_name: str
    site: str = Field(..., description="Site slug.", examples=["mpp-bekasi"])
    status: TicketStatus
    kind: TicketKind = Field(..., description="With a booking (`appointment`) or a walk-in.")
    priority: PriorityName | None = Field(..., description="Priority group; null for none.")
    booking_code: str | None = Field(
        ..., description="The booking checked in with; null for a walk-in or after a transfer."
    )
    issued_at: dt.datetime = Field(..., description="With the site's UTC offset.")
    called_at: dt.datetime | None = Field(..., description="The last call (or recall).")
    counter: int | None = Field(..., description="Number of the counter it was called to.")
    recall_count: int = Field(..., description="How often it was called again.")
    position: int = Field(..., description="Place in its queue; 1 is next, 0 when not waiting.")
    estimated_call_at: dt.datetime | None = Field(
        ..., description="When it will probably be called; null when it is not waiting or called."
    )
    enter_now: bool = Field(
        ..., description='The holder may be in the waiting room ("silakan masuk").'
    )


class PublicTicketOut(Schema):
    """What the holder of the ticket (its QR code) sees on a phone."""

    number: str = Field(..., examples=["A-012"])
    service: str = Field(..., description="Service slug.")
    service_name: str
    site: str = Field(..., description="Site slug.")
    site_name: str
    status: TicketStatus
    position: int = Field(..., description="Place in the queue; 1 is next, 0 when not waiting.")
    estimated_call_at: dt.datetime | None = Field(
        ..., description="With the site's UTC offset; null when it is not waiting or called."
    )
    enter_now: bool = Field(..., description='Come into the waiting room now ("silakan masuk").')
    issued_at: dt.datetime
    called_at: dt.datetime | None
    counter: int | None = Field(..., description="The counter to go to, once called.")
    transferred_to: str | None = Field(
        ..., description="After a transfer: the public id of the new ticket, to follow instead."
    )


class BoardCall(Schema):
    number: str = Field(..., examples=["A-012"])
    counter: int | None = Field(..., examples=[3])
    called_at: dt.datetime = Field(..., description="With the site's UTC offset.")
    service: str = Field(..., description="Service slug.")


class BoardOut(Schema):
    called: list[BoardCall] = Field(..., description="The last calls, newest first.")
    waiting: dict[str, int] = Field(
        ..., description="Waiting tickets per service slug (services nobody waits for left out)."
    )
    inside: int = Field(..., description="People in the waiting room now.")
    capacity: int = Field(..., description="The room's capacity.")


class CounterOut(Schema):
    id: int
    number: int
    name: str
    site: str = Field(..., description="Site slug.")
    state: CounterState = Field(
        ..., description="`closed` (no shift open), `open`, or `paused` (open, calls nobody)."
    )
    services: list[str] = Field(..., description="Slugs of the services it serves.")
    current: TicketOut | None = Field(
        ..., description="The ticket called to or being served at it now."
    )


class StreamTicketData(Schema):
    """The `data` of `ticket.called`, `ticket.recalled`, `ticket.admitted` and
    `ticket.changed` events."""

    number: str = Field(..., examples=["A-012"])
    service: str = Field(..., description="Service slug.")
    status: TicketStatus
    counter: int | None
    called_at: dt.datetime | None = Field(..., description="With the site's UTC offset.")
    enter_now: bool = Field(..., description="The ticket is let into the waiting room.")


class TicketStateData(Schema):
    """The `data` of a `ticket.state` event of a ticket's own stream."""

    number: str
    status: TicketStatus
    position: int
    estimated_call_at: dt.datetime | None
    enter_now: bool
    counter: int | None
    called_at: dt.datetime | None
    transferred_to: str | None

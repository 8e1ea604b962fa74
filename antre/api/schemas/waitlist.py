"""The waiting list as the API shows it."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from antre.api.schemas.common import BodyId, IsoDate
from antre.waitlist.models import OfferStatus, WaitlistKind, WaitlistStatus


class WaitlistIn(Schema):
    service: str = Field(..., description="Service slug.", examples=["perpanjangan-sim"])
    sites: list[str] = Field(
        default_factory=list,
        description="Slugs of the sites the citizen accepts; empty: every site offering it.",
        examples=[["mpp-kota-bekasi"]],
    )
    earliest: IsoDate = Field(..., description="The first day that would do.")
    latest: IsoDate = Field(
        ..., description="The citizen's deadline: the last day that would still do."
    )
    auto_book: bool = Field(
        False,
        description="Book a freed seat at once (with an e-mail) instead of offering it first.",
    )


class OfferOut(Schema):
    id: int
    status: OfferStatus
    slot_id: int
    site: str
    start: dt.datetime = Field(..., description="With the site's UTC offset.")
    end: dt.datetime
    expires_at: dt.datetime = Field(..., description="Accept before this, or it passes on.")


class WaitlistOut(Schema):
    id: int
    status: WaitlistStatus
    kind: WaitlistKind
    service: str
    sites: list[str]
    earliest: dt.date
    latest: dt.date
    auto_book: bool
    position: int = Field(
        ..., description="1 for the next to be served among those competing for the same seats."
    )
    seats_needed: int = Field(
        ..., description="How many seats must free up before the deadline for this entry."
    )
    offer: OfferOut | None = Field(None, description="The seat held for the caller, if any.")
    created: dt.datetime = Field(
        ...,
        description="When the entry was made, with the UTC offset of its first site (`sites[0]`).",
        examples=["2026-06-02T09:05:00+07:00"],
    )


class WaitlistList(Schema):
    items: list[WaitlistOut]
    count: int


class AcceptIn(Schema):
    offer_id: BodyId = Field(..., description="The `id` of the entry's `offer`.")


class SeatRequestIn(Schema):
    site: str = Field(..., description="Site slug.", examples=["mpp-kota-bekasi"])
    service: str = Field(..., description="Service slug (a high-demand one).")
    day: dt.date = Field(..., description="The day whose request window runs now.")


class SeatRequestOut(Schema):
    id: int = Field(..., description="The request number the lottery shuffles.")
    site: str
    service: str
    day: dt.date
    outcome: str = Field(
        ..., description="`pending` until the draw, then `won` (see `booking`) or `lost`."
    )
    via: str = Field(..., description="`deadline` or `lottery` for a win; empty otherwise.")
    rank: int | None = Field(None, description="Place in the lottery order, after the draw.")
    window_closes: dt.datetime = Field(..., description="When the request window closes.")
    seed: str = Field("", description="The round's lottery seed, once drawn.")
    booking: str | None = Field(None, description="The booking code of a won request.")
    created: dt.datetime


class SeatRequestList(Schema):
    items: list[SeatRequestOut]
    count: int

"""A citizen's bookings: what a booking looks like, what booking one takes."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from antre.api.schemas.common import BodyId, PageQuery
from antre.booking.models import BookingStatus


class BookingIn(Schema):
    slot_id: BodyId = Field(
        ..., description="A slot `id` from `GET /availability`.", examples=[4711]
    )


class RescheduleIn(Schema):
    slot_id: BodyId = Field(
        ...,
        description="The new slot: of the same service, at this site or another one offering it.",
        examples=[4712],
    )


class BookingSlot(Schema):
    id: int
    start: dt.datetime = Field(
        ..., description="With the site's UTC offset.", examples=["2026-06-03T09:30:00+07:00"]
    )
    end: dt.datetime = Field(..., examples=["2026-06-03T10:00:00+07:00"])


class BookingOut(Schema):
    code: str = Field(
        ...,
        description="8 Crockford base32 characters and a check character; unguessable. "
        "Paths accept it in any case, with or without the dash, O/I/L for 0/1/1.",
        examples=["7K3M9QXZ4"],
    )
    display_code: str = Field(
        ..., description="The code as people read it: grouped with a dash.", examples=["7K3M-9QXZ4"]
    )
    status: BookingStatus
    site: str = Field(..., description="Site slug.", examples=["mpp-bekasi"])
    site_name: str = Field(..., examples=["MPP Kota Bekasi"])
    service: str = Field(..., description="Service slug.", examples=["sim-perpanjangan"])
    service_name: str = Field(..., examples=["Perpanjangan SIM"])
    agency: str = Field(..., description="Slug of the service's agency.", examples=["polres"])
    timezone: str = Field(..., description="IANA time zone of the site.", examples=["Asia/Jakarta"])
    slot: BookingSlot
    created: dt.datetime = Field(..., description="When it was booked, with the site's UTC offset.")
    qr_url: str = Field(..., description="The QR code to show at the kiosk, as SVG.")
    qr_png_url: str = Field(..., description="The same QR code as PNG.")
    calendar_url: str = Field(..., description="An iCalendar (.ics) event of the booking.")


class BookingList(Schema):
    items: list[BookingOut]
    count: int = Field(..., description="Total number of items, over all pages.")


class BookingListQuery(PageQuery):
    status: BookingStatus | None = Field(None, description="Only bookings with this status.")

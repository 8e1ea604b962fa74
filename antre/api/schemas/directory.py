"""The public directory: sites, the services they offer, and bookable slots."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from antre.api.schemas.common import IsoDate


class SiteOut(Schema):
    slug: str = Field(..., examples=["mpp-bekasi"])
    name: str = Field(..., examples=["MPP Kota Bekasi"])
    address: str
    timezone: str = Field(..., description="IANA time zone of the site.", examples=["Asia/Jakarta"])


class SiteList(Schema):
    items: list[SiteOut]
    count: int = Field(..., description="Total number of items, over all pages.")


class AgencyRef(Schema):
    slug: str = Field(..., examples=["dukcapil"])
    name: str


class ServiceOut(Schema):
    slug: str = Field(..., examples=["ktp-el-rekam"])
    name: str
    agency: AgencyRef
    duration_minutes: int = Field(..., description="Usual time to serve one citizen.")
    requirements: list[str] = Field(..., description="Documents to bring.")
    walk_in: bool = Field(
        ..., description="Whether the kiosk at this site issues tickets without a booking."
    )


class ServiceList(Schema):
    items: list[ServiceOut]
    count: int = Field(..., description="Total number of items, over all pages.")


class AvailabilityQuery(Schema):
    model_config = ConfigDict(populate_by_name=True)

    site: str = Field(..., description="Site slug.")
    service: str = Field(..., description="Service slug.")
    from_date: IsoDate | None = Field(
        None,
        alias="from",
        description="First day (YYYY-MM-DD, the site's local date). Default: today at the site.",
    )
    to_date: IsoDate | None = Field(
        None,
        alias="to",
        description=(
            "Last day, inclusive (YYYY-MM-DD). Default: `from` + 6 days (one week). "
            "At most 31 days from `from` to `to` inclusive."
        ),
    )


class SlotOut(Schema):
    id: int
    start: dt.datetime = Field(
        ...,
        description="Start, with the site's UTC offset.",
        examples=["2026-06-02T09:00:00+07:00"],
    )
    end: dt.datetime = Field(..., examples=["2026-06-02T09:30:00+07:00"])
    capacity: int
    remaining: int = Field(..., description="Seats left; 0 when the slot is full.")


class RequestWindowOut(Schema):
    """A high-demand day whose seats are released fairly, not first come."""

    day: dt.date
    open: bool = Field(
        ...,
        description="True while requests are taken (`POST /waitlist/requests`); false once "
        "the window has closed and the draw is due.",
    )
    closes: dt.datetime = Field(..., description="When the request window closes.")


class Availability(Schema):
    site: str = Field(..., description="Site slug.")
    service: str = Field(..., description="Service slug.")
    timezone: str = Field(..., description="IANA time zone of the site.")
    from_date: dt.date = Field(..., serialization_alias="from", description="First day covered.")
    to_date: dt.date = Field(
        ..., serialization_alias="to", description="Last day covered (inclusive)."
    )
    slots: list[SlotOut] = Field(
        ..., description="Future open slots in time order, full ones included."
    )
    request_windows: list[RequestWindowOut] = Field(
        default_factory=list,
        description="Days of a high-demand service whose slots cannot be booked first come "
        "yet (`POST /bookings` answers 409 `request_window_open`): ask for a seat instead.",
    )

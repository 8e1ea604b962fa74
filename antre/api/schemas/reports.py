"""Reports for staff: daily figures per site and service."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from antre.api.schemas.common import IsoDate


class DailyReportQuery(Schema):
    model_config = ConfigDict(populate_by_name=True)

    site: str | None = Field(None, description="Only this site (slug).")
    agency: str | None = Field(None, description="Only this agency's services (slug).")
    service: str | None = Field(None, description="Only this service (slug).")
    from_date: IsoDate | None = Field(
        None,
        alias="from",
        description="First day (YYYY-MM-DD, the sites' local dates). Default: `to` - 6 days.",
    )
    to_date: IsoDate | None = Field(
        None,
        alias="to",
        description=(
            "Last day, inclusive (YYYY-MM-DD). Default: today in the city's time zone. "
            "At most 92 days from `from` to `to` inclusive."
        ),
    )
    format: Literal["json", "csv"] = Field(
        "json",
        description=(
            "`csv` for every row as `text/csv` (header: the item's member names; "
            "no pagination), `json` for a page of items."
        ),
    )


class DailyItem(Schema):
    date: dt.date = Field(..., description="The site's local date.")
    site: str = Field(..., description="Site slug.", examples=["mpp-kota-bekasi"])
    agency: str = Field(..., description="Agency slug of the service.", examples=["disdukcapil"])
    service: str = Field(..., description="Service slug.", examples=["perekaman-ktp-el"])
    bookings: int = Field(
        ..., description="Bookings for a slot on the day, whatever became of them."
    )
    cancellations: int = Field(..., description="Of those, cancelled.")
    no_shows: int = Field(
        ...,
        description=(
            "Bookings never checked in once their slot was over, plus tickets marked "
            "no-show at the counter."
        ),
    )
    walk_ins: int = Field(..., description="Walk-in tickets issued at the kiosk.")
    tickets: int = Field(
        ...,
        description="Tickets issued at the kiosk (check-ins and walk-ins); transfers not again.",
    )
    waiting_median_min: float | None = Field(
        ..., description="Median minutes from issue to the first call; null without calls."
    )
    waiting_p90_min: float | None = Field(
        ..., description="90th percentile of the same (linear between closest ranks)."
    )
    service_median_min: float | None = Field(
        ..., description="Median minutes from start to finish of service; null without any."
    )
    service_p90_min: float | None = Field(..., description="90th percentile of the same.")


class DailyReport(Schema):
    items: list[DailyItem]
    count: int = Field(..., description="Total number of items, over all pages.")

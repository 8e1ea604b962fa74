"""Schemas shared by every area: ids in bodies, dates, pagination."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, Strict, WithJsonSchema

from antre.api.field_messages import DATE, DATE_BOUNDS

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# An id in a request body: a JSON integer and nothing pydantic would coerce
# into one (true, "17976", 17976.0), which is a 422 `invalid_input`. Every
# id field of an input schema is one.
BodyId = Annotated[int, Strict()]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The days a request may name: wide enough for any report or booking, and
# far enough from the calendar's ends that a day or a week around one is
# still a date (9999-12-31 plus a day is no date at all).
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2999, 12, 31)


def _iso_date_only(value: Any) -> Any:
    # Pydantic would also take a Unix timestamp or a datetime for a date; the
    # contract says YYYY-MM-DD and nothing else (a date object given in code
    # passes).
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(str(DATE))
    return value


def _within_bounds(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(str(DATE_BOUNDS % {"first": FIRST_DATE, "last": LAST_DATE}))
    return value


# A date in a request (query or body): YYYY-MM-DD and nothing else, in
# bounds; the OpenAPI document says both (the pattern holds the years).
IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date_only),
    AfterValidator(_within_bounds),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^2[0-9]{3}-[0-9]{2}-[0-9]{2}$",
            "description": "YYYY-MM-DD, from 2000-01-01 to 2999-12-31.",
        }
    ),
]


class PageQuery(Schema):
    """Pagination of a list; a value out of range is a 422 `invalid_input` problem."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1 to 200).")
    offset: int = Field(0, ge=0, description="Items to skip.")


def paginate[Row: Any](queryset: QuerySet[Row], page: PageQuery) -> tuple[list[Row], int]:
    """One page of rows and the total: two queries (the count, then the page)."""
    count = queryset.count()
    rows = list(queryset[page.offset : page.offset + page.limit]) if page.offset < count else []
    return rows, count

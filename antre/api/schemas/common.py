"""Schemas shared by every area: ids in bodies, pagination."""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field, Strict

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# An id in a request body: a JSON integer and nothing pydantic would coerce
# into one (true, "17976", 17976.0), which is a 422 `invalid_input`. Every
# id field of an input schema is one.
BodyId = Annotated[int, Strict()]


class PageQuery(Schema):
    """Pagination of a list; a value out of range is a 422 `invalid_input` problem."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1 to 200).")
    offset: int = Field(0, ge=0, description="Items to skip.")


def paginate[Row: Any](queryset: QuerySet[Row], page: PageQuery) -> tuple[list[Row], int]:
    """One page of rows and the total: two queries (the count, then the page)."""
    count = queryset.count()
    rows = list(queryset[page.offset : page.offset + page.limit]) if page.offset < count else []
    return rows, count

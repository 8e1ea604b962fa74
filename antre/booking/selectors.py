"""Reads of slots and bookings."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from antre.booking.models import Slot
from antre.catalog.models import SiteService
from antre.core import clock


def available_slots(*, site_service: SiteService, start: dt.date, end: dt.date) -> QuerySet[Slot]:
    """Open slots of a site service between two local dates (inclusive) that can
    still be booked (starting after the service's booking cut-off), full ones
    included (they show as full, remaining 0). One query."""
    tz = site_service.site.tzinfo
    bookable_from = clock.now() + dt.timedelta(minutes=site_service.service.booking_closes_minutes)
    range_start = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    range_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Slot.objects.filter(
        site_service=site_service,
        is_open=True,
        start__gte=max(range_start, bookable_from),
        start__lt=range_end,
    ).order_by("start")

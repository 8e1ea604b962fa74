"""Periodic jobs of the catalog app (discovered by antre.core.periodic)."""

from __future__ import annotations

import datetime as dt

from antre.booking.schedule_changes import apply_imported_closures
from antre.catalog.models import SiteService
from antre.catalog.services import import_national_holidays
from antre.core import clock
from antre.core.periodic import periodic


@periodic(every=dt.timedelta(days=1))
def import_holidays_ahead() -> None:
    """Keep this year's and next year's national holidays and cuti bersama
    closed; a new year's days appear long before anyone can book them. A day
    declared after citizens booked it cancels those bookings with an apology
    and a place on the waiting list (``apply_imported_closures``)."""
    year = clock.today("Asia/Jakarta").year
    if import_national_holidays(years=[year, year + 1]):
        apply_imported_closures(SiteService.objects.select_related("site", "service"))

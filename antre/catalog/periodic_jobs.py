"""Periodic jobs of the catalog app (discovered by antre.core.periodic)."""

from __future__ import annotations

import datetime as dt

from antre.booking.schedule import materialise_all_slots
from antre.catalog.services import import_national_holidays
from antre.core import clock
from antre.core.periodic import periodic


@periodic(every=dt.timedelta(days=1))
def import_holidays_ahead() -> None:
    """Keep this year's and next year's national holidays and cuti bersama
    closed; a new year's days appear long before anyone can book them."""
    year = clock.today("Asia/Jakarta").year
    if import_national_holidays(years=[year, year + 1]):
        materialise_all_slots()

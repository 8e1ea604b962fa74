"""Periodic jobs of the on-site app (discovered by antre.core.periodic)."""

from __future__ import annotations

import datetime as dt

from antre.core.periodic import periodic
from antre.onsite.services import close_past_days


@periodic(every=dt.timedelta(minutes=15))
def close_open_tickets_of_past_days() -> None:
    """After midnight at each site, the tickets its day left open are closed
    (``antre.onsite.services.close_past_days``)."""
    close_past_days()

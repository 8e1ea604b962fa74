"""Periodic jobs of the waiting list (discovered by antre.core.periodic)."""

from __future__ import annotations

import datetime as dt

from antre.core.periodic import periodic
from antre.waitlist.services import expire_offers


@periodic(every=dt.timedelta(minutes=1))
def expire_waitlist_offers() -> None:
    """Offers past their time pass their seat on; safe to run twice."""
    expire_offers()

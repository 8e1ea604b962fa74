"""Periodic jobs of the waiting list (discovered by antre.core.periodic)."""

from __future__ import annotations

import datetime as dt

from antre.core.periodic import periodic
from antre.waitlist.digest import send_deadline_digests
from antre.waitlist.release import draw_due_rounds
from antre.waitlist.services import end_stale_entries, expire_offers


@periodic(every=dt.timedelta(minutes=1))
def expire_waitlist_offers() -> None:
    """Offers past their time pass their seat on; safe to run twice."""
    expire_offers()


@periodic(every=dt.timedelta(minutes=1))
def draw_release_rounds() -> None:
    """High-demand days whose request window closed get their seats drawn;
    safe to run twice or on two workers (each round is claimed once)."""
    draw_due_rounds()


@periodic(every=dt.timedelta(hours=1))
def deadline_digest() -> None:
    """Each morning, agency admins hear who will miss a deadline; once a day."""
    send_deadline_digests()


@periodic(every=dt.timedelta(minutes=15))
def end_stale_waitlist_entries() -> None:
    """Entries past their deadline expire, and requests for an earlier seat
    end with their booking; safe to run twice."""
    end_stale_entries()

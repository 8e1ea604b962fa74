"""Dates and times as a citizen reads them, in the active language and always
in the site's zone: a citizen in Jakarta booking at a WITA site must arrive at
09.00 WITA, whatever the clock of their phone says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import pgettext

from antre.booking.availability import SlotChoice, zone_name
from antre.booking.models import Slot
from antre.catalog.models import Site
from antre.core.formatting import clock_time


def long_date(day: dt.date | dt.datetime) -> str:
    """Rabu, 3 Juni 2026"""
    return date_format(day, pgettext("long date", "l, j F Y"))


def day_and_month(day: dt.date) -> str:
    """Rabu 3 Juni (the calendar's labels: the month is on the caption)."""
    return date_format(day, pgettext("day in a calendar", "l j F"))


def month_title(month: dt.date) -> str:
    """Juni 2026"""
    return date_format(month, pgettext("month of a calendar", "F Y"))


def time_range(start: dt.datetime, end: dt.datetime, zone: str) -> str:
    """09.00–09.30 WIB"""
    return f"{clock_time(start)}–{clock_time(end)} {zone}"


@dataclass(frozen=True)
class When:
    """A slot's date and time at its site: ``date`` "Rabu, 3 Juni 2026",
    ``time`` "09.00–09.30 WIB"."""

    date: str
    time: str


def describe_slot(slot: Slot, site: Site) -> When:
    tz = site.tzinfo
    start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
    return When(date=long_date(start), time=time_range(start, end, zone_name(site)))


def describe_deadline(instant: dt.datetime, site: Site) -> str:
    """Rabu, 3 Juni 2026 07.00 WIB"""
    local = instant.astimezone(site.tzinfo)
    return f"{long_date(local)} {clock_time(local)} {zone_name(site)}"


def describe_choice(choice: SlotChoice) -> When:
    return When(
        date=long_date(choice.start), time=time_range(choice.start, choice.end, choice.zone)
    )

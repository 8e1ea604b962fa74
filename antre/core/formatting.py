"""Times of day as people read them, in the active language: Indonesian
writes 09.00, English 09:00 (the "time of day" format is a translated
string). Hours and minutes only: seconds are for logs, not for people."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import time_format
from django.utils.translation import pgettext


def clock_time(value: dt.datetime | dt.time) -> str:
    """09.00. An aware datetime is shown in its own zone: convert it to the
    site's (or the city's) zone first."""
    return time_format(value, pgettext("time of day", "H.i"))


def clock_time_of_minute(minute: int) -> str:
    """The clock time ``minute`` minutes after midnight, e.g. 510 -> 08.30;
    past midnight it goes round (a simulated day that runs late)."""
    hours, minutes = divmod(minute % (24 * 60), 60)
    return clock_time(dt.time(hours, minutes))

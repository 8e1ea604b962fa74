"""Clock times for people: 09.00 in Indonesian, 09:00 in English, no seconds."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from antre.core.formatting import clock_time, clock_time_of_minute


def test_a_clock_time_in_indonesian_has_a_dot_and_no_seconds() -> None:
    with translation.override("id"):
        assert clock_time(dt.time(9, 44, 19)) == "09.44"
        assert clock_time(dt.datetime(2026, 11, 30, 15, 2, 59)) == "15.02"


def test_a_clock_time_in_english_has_a_colon() -> None:
    with translation.override("en"):
        assert clock_time(dt.time(9, 44, 19)) == "09:44"


def test_minutes_after_midnight_go_round_past_midnight() -> None:
    with translation.override("id"):
        assert clock_time_of_minute(8 * 60 + 30) == "08.30"
        assert clock_time_of_minute(24 * 60 + 15) == "00.15"

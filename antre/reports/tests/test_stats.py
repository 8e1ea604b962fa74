"""Percentiles, interval sums and quarter-hour peaks: the arithmetic the
reports stand on."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.reports.stats import (
    describe,
    merge,
    overlap_seconds,
    peak_in_buckets,
    percentile,
    total_seconds,
)

BASE = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return BASE + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([5, 10, 20], 0.5, 10),
        ([5, 10, 20], 0.9, 18),
        ([20, 5, 10], 0.9, 18),
        ([1, 2], 0.5, 1.5),
        ([7], 0.9, 7),
        ([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9, 90),
    ],
)
def test_percentiles_interpolate_between_closest_ranks(values, fraction, expected):
    assert percentile(values, fraction) == pytest.approx(expected)


def test_nothing_to_describe():
    assert percentile([], 0.5) is None
    empty = describe([])
    assert (empty.count, empty.median, empty.p90, empty.mean) == (0, None, None, None)


def test_a_distribution():
    result = describe([5, 10, 20, 25])

    assert (result.count, result.median, result.mean) == (4, 15, 15)
    assert result.p90 == pytest.approx(20 + 0.7 * 5)


def test_intervals_merge_and_overlap():
    busy = merge([(at(10), at(20)), (at(15), at(30)), (at(40), at(45)), (at(50), at(50))])
    open_time = merge([(at(0), at(25)), (at(35), at(60))])

    assert busy == [(at(10), at(30)), (at(40), at(45))]
    assert total_seconds(busy) == 25 * 60
    assert overlap_seconds(busy, open_time) == (15 + 5) * 60


def test_quarter_hour_peaks_count_who_is_there_at_once():
    buckets = [at(0), at(15), at(30)]
    people = [
        (at(0), at(16)),  # leaves at 16 ...
        (at(16), at(20)),  # ... as this one comes: never two at once
        (at(5), at(10)),
        (at(31), at(60)),
    ]

    assert peak_in_buckets(people, buckets, dt.timedelta(minutes=15)) == [2, 1, 1]

"""Small statistics over plain numbers and time intervals: no ORM, no Django.

Percentiles interpolate linearly between the closest ranks (numpy's default,
Excel's PERCENTILE.INC): for sorted values x[0..n-1], the q-th percentile is
taken at position (n - 1) * q. So the median of 5, 10 and 20 minutes is 10 and
their 90th percentile is 10 + 0.8 * (20 - 10) = 18.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Interval = tuple[dt.datetime, dt.datetime]


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` (0..1) percentile of ``values``; ``None`` for no values."""
    if not values:
        return None
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True)
class Distribution:
    """Count, median, 90th percentile and mean of some durations in minutes;
    the figures are ``None`` when there is nothing to describe."""

    count: int
    median: float | None
    p90: float | None
    mean: float | None


def describe(values: Sequence[float]) -> Distribution:
    if not values:
        return Distribution(count=0, median=None, p90=None, mean=None)
    return Distribution(
        count=len(values),
        median=percentile(values, 0.5),
        p90=percentile(values, 0.9),
        mean=sum(values) / len(values),
    )


def minutes_between(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 60


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals`` as sorted, disjoint intervals (empty ones dropped)."""
    merged: list[Interval] = []
    for start, end in sorted(interval for interval in intervals if interval[0] < interval[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def overlap_seconds(first: Sequence[Interval], second: Sequence[Interval]) -> float:
    """Seconds covered by both unions of intervals (each already ``merge``d)."""
    total = 0.0
    index = 0
    for start, end in first:
        while index < len(second) and second[index][1] <= start:
            index += 1
        probe = index
        while probe < len(second) and second[probe][0] < end:
            lower = max(start, second[probe][0])
            upper = min(end, second[probe][1])
            if lower < upper:
                total += (upper - lower).total_seconds()
            probe += 1
    return total


def total_seconds(intervals: Sequence[Interval]) -> float:
    return sum((end - start).total_seconds() for start, end in intervals)


def clip(interval: Interval, window: Interval) -> Interval | None:
    """The part of ``interval`` inside ``window``, or ``None``."""
    start = max(interval[0], window[0])
    end = min(interval[1], window[1])
    return (start, end) if start < end else None


def peak_in_buckets(
    intervals: Iterable[Interval], buckets: Sequence[dt.datetime], width: dt.timedelta
) -> list[int]:
    """For each bucket ``[b, b + width)``, the largest number of ``intervals``
    (half-open: present from start, gone at end) covering one instant of it.

    A sweep over the interval ends: one that ends at the instant another
    starts does not overlap it, so the ends are applied first at a tie."""
    changes: list[tuple[dt.datetime, int]] = []
    for start, end in intervals:
        if start < end:
            changes.append((start, 1))
            changes.append((end, -1))
    # -1 sorts before +1 at the same instant.
    changes.sort()
    peaks: list[int] = []
    present = 0
    index = 0
    for bucket in buckets:
        while index < len(changes) and changes[index][0] <= bucket:
            present += changes[index][1]
            index += 1
        peak = present
        bucket_end = bucket + width
        while index < len(changes) and changes[index][0] < bucket_end:
            present += changes[index][1]
            peak = max(peak, present)
            index += 1
        peaks.append(peak)
    return peaks

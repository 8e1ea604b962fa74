"""What the capacity planner simulates: the day's expected arrivals, how long
a service takes, and the scenarios to compare. Pure: no ORM, no Django."""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

BUCKET_MINUTES = 15
# The standard normal's 90th percentile: a lognormal's p90 is median * e^(Z90 * sigma).
Z90 = 1.2815515655446004
# The lognormal's spread when the history has no 90th percentile to fit it to.
DEFAULT_SIGMA = 0.5


class Pattern(enum.StrEnum):
    HISTORY = "history"
    UNIFORM = "uniform"
    MORNING_PEAK = "morning_peak"


class ServiceDistribution(enum.StrEnum):
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"


@dataclass(frozen=True)
class ServiceTime:
    """How long serving one visitor takes, in minutes."""

    distribution: ServiceDistribution
    median_minutes: float
    p90_minutes: float | None = None

    def __post_init__(self) -> None:
        if self.median_minutes <= 0:
            raise ValueError("median_minutes must be positive")

    @property
    def sigma(self) -> float:
        """The lognormal's shape, from p90 / median when the history has one."""
        if self.p90_minutes is not None and self.p90_minutes > self.median_minutes:
            return math.log(self.p90_minutes / self.median_minutes) / Z90
        return DEFAULT_SIGMA

    @property
    def mean_minutes(self) -> float:
        if self.distribution == ServiceDistribution.EXPONENTIAL:
            # An exponential's median is its mean times ln 2.
            return self.median_minutes / math.log(2)
        return self.median_minutes * math.exp(self.sigma**2 / 2)

    def sample(self, rng: random.Random) -> float:
        if self.distribution == ServiceDistribution.EXPONENTIAL:
            return rng.expovariate(1 / self.mean_minutes)
        return rng.lognormvariate(math.log(self.median_minutes), self.sigma)


@dataclass(frozen=True)
class Demand:
    """Expected arrivals per quarter hour, the first quarter starting ``opens``
    minutes after midnight; zero in a quarter when the site is closed."""

    opens: int
    rates: tuple[float, ...]
    appointment_share: float = 0.0
    bucket_minutes: int = BUCKET_MINUTES

    def __post_init__(self) -> None:
        if not 0 <= self.appointment_share <= 1:
            raise ValueError("appointment_share must be between 0 and 1")
        if any(rate < 0 for rate in self.rates):
            raise ValueError("rates must not be negative")

    @property
    def total(self) -> float:
        return sum(self.rates)

    @property
    def minutes(self) -> int:
        return len(self.rates) * self.bucket_minutes

    def scaled(self, total: float) -> Demand:
        """The same shape with ``total`` expected visitors over the day."""
        factor = total / self.total if self.total else 0.0
        return Demand(
            opens=self.opens,
            rates=tuple(rate * factor for rate in self.rates),
            appointment_share=self.appointment_share,
            bucket_minutes=self.bucket_minutes,
        )


def shaped_demand(
    pattern: Pattern,
    *,
    total: float,
    open_ranges: Sequence[tuple[int, int]],
    appointment_share: float,
) -> Demand:
    """``total`` visitors over the open ranges (minutes after midnight) in a
    chosen shape: ``uniform``, or ``morning_peak`` (a crowd about an hour and a
    quarter after opening, a steady trickle after). ``history`` has no shape of
    its own: build its ``Demand`` from the counted arrivals."""
    if not open_ranges:
        raise ValueError("the site is closed that day")
    opens = min(start for start, _end in open_ranges) // BUCKET_MINUTES * BUCKET_MINUTES
    closes = max(end for _start, end in open_ranges)
    buckets = math.ceil((closes - opens) / BUCKET_MINUTES)
    peak = opens + 75
    weights = []
    for index in range(buckets):
        middle = opens + index * BUCKET_MINUTES + BUCKET_MINUTES / 2
        if not any(start <= middle < end for start, end in open_ranges):
            weights.append(0.0)
        elif pattern == Pattern.MORNING_PEAK:
            weights.append(0.35 + math.exp(-(((middle - peak) / 60) ** 2)))
        else:
            weights.append(1.0)
    weight_total = sum(weights) or 1.0
    return Demand(
        opens=opens,
        rates=tuple(total * weight / weight_total for weight in weights),
        appointment_share=appointment_share,
    )


@dataclass(frozen=True)
class Scenario:
    name: str
    counters: int
    room_cap: int | None = None

    def __post_init__(self) -> None:
        if self.counters < 1:
            raise ValueError("a scenario needs at least one counter")

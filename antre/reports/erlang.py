"""Erlang's C formula for the M/M/c queue: the analytic yardstick the
planner's simulation is checked against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErlangC:
    probability_of_waiting: float
    mean_wait: float


def erlang_c(*, arrival_rate: float, service_rate: float, servers: int) -> ErlangC:
    """The M/M/c queue in equilibrium: the probability that an arrival waits
    (Erlang's C formula) and the mean wait in the queue, C / (c * mu - lambda).
    Rates per minute give minutes. Raises ``ValueError`` when the queue grows
    without bound (lambda >= c * mu)."""
    load = arrival_rate / service_rate
    utilisation = load / servers
    if utilisation >= 1:
        raise ValueError("unstable: arrival rate reaches the servers' capacity")
    # Erlang B by its stable recursion, then C from B.
    blocking = 1.0
    for count in range(1, servers + 1):
        blocking = load * blocking / (count + load * blocking)
    waiting = blocking / (1 - utilisation * (1 - blocking))
    return ErlangC(
        probability_of_waiting=waiting,
        mean_wait=waiting / (servers * service_rate - arrival_rate),
    )

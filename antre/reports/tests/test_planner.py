"""The capacity planner's simulation against Erlang's C formula for the
M/M/c queue, its recommendation, and the demand shapes it is fed."""

from __future__ import annotations

import random

import pytest

from antre.reports.erlang import erlang_c
from antre.reports.planner import (
    recommend_counters,
    run_plan,
    simulate_day,
    visitors,
)
from antre.reports.workload import (
    Demand,
    Pattern,
    Scenario,
    ServiceDistribution,
    ServiceTime,
    shaped_demand,
)

# An M/M/3 queue at 75% load: 0.45 arrivals a minute, a mean service of 5
# minutes (rate 0.2), so an exponential with median 5 ln 2.
ARRIVAL_RATE = 0.45
SERVICE_RATE = 0.2
SERVERS = 3
EXPONENTIAL = ServiceTime(ServiceDistribution.EXPONENTIAL, median_minutes=5 * 0.6931471805599453)


def test_erlang_c_by_hand_for_one_server():
    # M/M/1: P(wait) = rho, Wq = rho / (mu - lambda).
    result = erlang_c(arrival_rate=0.5, service_rate=1.0, servers=1)

    assert result.probability_of_waiting == pytest.approx(0.5)
    assert result.mean_wait == pytest.approx(1.0)


def test_erlang_c_by_hand_for_two_servers():
    # a = 1, c = 2: C = (1/2 * 2) / (1 + 1 + 1) = 1/3; Wq = C / (2 - 1) = 1/3.
    result = erlang_c(arrival_rate=1.0, service_rate=1.0, servers=2)

    assert result.probability_of_waiting == pytest.approx(1 / 3)
    assert result.mean_wait == pytest.approx(1 / 3)


def test_erlang_c_refuses_an_unstable_queue():
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(arrival_rate=3.0, service_rate=1.0, servers=3)


def test_the_simulation_agrees_with_erlang_c():
    """Long stationary days of Poisson arrivals and exponential service, all
    walk-ins (one class, first come first served): the M/M/3 queue."""
    expected = erlang_c(arrival_rate=ARRIVAL_RATE, service_rate=SERVICE_RATE, servers=SERVERS)
    demand = Demand(opens=0, rates=(ARRIVAL_RATE * 15,) * 1600, appointment_share=0.0)
    waits: list[float] = []
    for seed in range(5):
        day = visitors(demand, EXPONENTIAL, random.Random(seed))
        waits += simulate_day(day, counters=SERVERS).waits

    assert len(waits) > 45_000
    waited = sum(1 for wait in waits if wait > 0) / len(waits)
    mean_wait = sum(waits) / len(waits)
    assert waited == pytest.approx(expected.probability_of_waiting, rel=0.10)
    assert mean_wait == pytest.approx(expected.mean_wait, rel=0.10)


def test_the_service_time_is_fitted_to_the_median_and_p90():
    lognormal = ServiceTime(ServiceDistribution.LOGNORMAL, median_minutes=10, p90_minutes=20)
    rng = random.Random(7)
    draws = sorted(lognormal.sample(rng) for _ in range(20_000))

    assert draws[len(draws) // 2] == pytest.approx(10, rel=0.05)
    assert draws[int(len(draws) * 0.9)] == pytest.approx(20, rel=0.05)
    assert EXPONENTIAL.mean_minutes == pytest.approx(5)


def test_the_fewest_counters_that_meet_the_target():
    """60 visitors an hour for six hours, 5 minutes each on average: five
    counters are busy all the time, so at least six are needed, and the
    recommendation is the count whose p90 meets 10 minutes when one less
    does not."""
    demand = Demand(opens=9 * 60, rates=(15.0,) * 24)

    recommendation = recommend_counters(demand, EXPONENTIAL, target_p90=10, replications=4)

    assert recommendation.counters is not None
    assert recommendation.counters >= 6
    assert recommendation.p90 is not None
    assert recommendation.p90 <= 10
    tried = dict(recommendation.tried)
    fewer = tried.get(recommendation.counters - 1)
    assert fewer is not None
    assert fewer > 10
    # The same answer as walking up from one counter.
    plan = run_plan(
        demand,
        EXPONENTIAL,
        [Scenario("fewer", recommendation.counters - 1), Scenario("just", recommendation.counters)],
        replications=4,
    )
    assert not plan.results[0].meets(10)
    assert plan.results[1].meets(10)


def test_a_quiet_day_needs_one_counter():
    demand = Demand(opens=9 * 60, rates=(1.0,) * 24)

    recommendation = recommend_counters(demand, EXPONENTIAL, target_p90=30, replications=3)

    assert recommendation.counters == 1


def test_an_unreachable_target_says_so():
    demand = Demand(opens=9 * 60, rates=(15.0,) * 24)
    slow = ServiceTime(ServiceDistribution.EXPONENTIAL, median_minutes=60)

    recommendation = recommend_counters(demand, slow, target_p90=1, replications=2, max_counters=3)

    assert recommendation.counters is None


def test_scenarios_share_their_visitors_and_more_counters_wait_less():
    demand = shaped_demand(
        Pattern.MORNING_PEAK, total=150, open_ranges=[(9 * 60, 15 * 60)], appointment_share=0.5
    )
    service = ServiceTime(ServiceDistribution.LOGNORMAL, median_minutes=12, p90_minutes=20)

    plan = run_plan(
        demand,
        service,
        [Scenario("now", 4, room_cap=20), Scenario("+2", 6, room_cap=20), Scenario("cap", 5, 30)],
        target_p90=20,
        replications=4,
    )

    now, more, _cap = plan.results
    assert now.visitors == more.visitors
    assert more.waits.p90 is not None
    assert now.waits.p90 is not None
    assert more.waits.p90 < now.waits.p90
    assert now.peak_inside <= 20
    assert len(now.queue_by_bucket) == plan.buckets == len(plan.bucket_starts())
    assert plan.bucket_starts()[0] == 9 * 60
    assert plan.recommendation is not None


def test_the_room_cap_sends_the_rest_outside():
    demand = Demand(opens=0, rates=(30.0,) * 4)
    plan = run_plan(demand, EXPONENTIAL, [Scenario("small room", 1, room_cap=5)], replications=2)

    result = plan.results[0]
    assert result.peak_inside == 5
    assert result.peak_outside > 0
    for inside in result.inside_by_bucket:
        assert inside <= 5


def test_demand_shapes_spread_the_day_over_the_open_hours():
    ranges = [(8 * 60, 11 * 60 + 30), (13 * 60, 15 * 60)]

    uniform = shaped_demand(Pattern.UNIFORM, total=110, open_ranges=ranges, appointment_share=0)
    peak = shaped_demand(Pattern.MORNING_PEAK, total=110, open_ranges=ranges, appointment_share=0)

    assert uniform.total == pytest.approx(110)
    assert peak.total == pytest.approx(110)
    assert uniform.opens == 8 * 60
    lunch = (12 * 60 - uniform.opens) // 15
    assert uniform.rates[lunch] == 0
    assert peak.rates[lunch] == 0
    # The crowd comes about an hour and a quarter after opening (09:00-09:30).
    assert peak.rates.index(max(peak.rates)) in (4, 5)
    assert len({rate for rate in uniform.rates if rate}) == 1

"""What the planner starts from: the hand-built Monday as history."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.accounts.scopes import scope_for
from antre.reports.profiles import (
    PlanningError,
    ScenarioWish,
    plan_day,
    planning_history,
    same_weekdays,
)
from antre.reports.tests.hand_day import HandDay
from antre.reports.workload import Pattern, ServiceDistribution

NEXT_MONDAY = dt.date(2026, 6, 8)
TODAY = dt.date(2026, 6, 2)


def test_the_same_weekdays_before_the_day_and_before_today():
    assert same_weekdays(NEXT_MONDAY, weeks=3, today=TODAY) == [
        dt.date(2026, 5, 18),
        dt.date(2026, 5, 25),
        dt.date(2026, 6, 1),
    ]
    # Planning today itself looks at last week and before, never at today.
    assert same_weekdays(TODAY, weeks=1, today=TODAY) == [dt.date(2026, 5, 26)]


def test_the_history_of_a_site(hand_day: HandDay):
    city = hand_day.city

    history = planning_history(
        scope_for(city.city_admin),
        site=city.site_s,
        service=None,
        day=NEXT_MONDAY,
        weeks=4,
        today=TODAY,
    )

    assert history.days == [dt.date(2026, 6, 1)]
    assert history.open_ranges == [(8 * 60, 15 * 60)]
    demand = history.arrivals
    assert demand is not None
    assert demand.opens == 8 * 60
    # T1, T2, T5, T3 from 09:00; T4 at 09:20; T6 at 10:00 (T7 is T6 transferred).
    assert demand.rates[4:9] == (4, 1, 0, 0, 1)
    assert demand.total == 6
    assert history.appointment_share == pytest.approx(1 / 6)
    # Services 5, 10, 10, 12, 20 minutes.
    assert history.service_median == 10
    assert history.service_p90 == pytest.approx(16.8)
    assert history.counters_typical == 2
    assert history.counters_configured == 2


def test_an_agency_admins_history_is_their_agencys(hand_day: HandDay):
    city = hand_day.city

    history = planning_history(
        scope_for(city.agency_admin_b),
        site=city.site_s,
        service=None,
        day=NEXT_MONDAY,
        weeks=4,
        today=TODAY,
    )

    assert history.arrivals is not None
    assert history.arrivals.total == 1


def plan(hand_day: HandDay, **choices: object):
    city = hand_day.city
    options: dict[str, object] = {
        "site": city.site_s,
        "service": None,
        "day": NEXT_MONDAY,
        "weeks": 4,
        "today": TODAY,
        "pattern": Pattern.HISTORY,
        "visitors": None,
        "appointment_share": None,
        "distribution": ServiceDistribution.LOGNORMAL,
        "service_minutes": None,
        "scenarios": [ScenarioWish(1), ScenarioWish(2, 10)],
        "target_p90": 20.0,
    } | choices
    return plan_day(scope_for(city.city_admin), **options)  # type: ignore[arg-type]


def test_a_day_planned_from_history(hand_day: HandDay):
    outcome = plan(hand_day, visitors=60)

    result = outcome.plan
    assert result.demand.total == pytest.approx(60)
    assert result.service_time.median_minutes == 10
    assert result.service_time.p90_minutes == pytest.approx(16.8)
    assert [item.scenario.name for item in result.results] == [
        "1 loket, ruang 2",
        "2 loket, ruang 10",
    ]
    assert result.recommendation is not None
    assert result.recommendation.counters is not None


def test_a_chosen_pattern_and_service_time(hand_day: HandDay):
    outcome = plan(
        hand_day,
        pattern=Pattern.UNIFORM,
        visitors=28,
        service_minutes=15.0,
        appointment_share=0.5,
        scenarios=[],
    )

    result = outcome.plan
    assert result.demand.total == pytest.approx(28)
    assert result.demand.appointment_share == 0.5
    assert result.service_time.median_minutes == 15
    # No scenario asked for: the counters in use.
    assert [item.scenario.counters for item in result.results] == [2]


def test_without_history_a_pattern_and_visitors_are_needed(hand_day: HandDay):
    with pytest.raises(PlanningError):
        plan(hand_day, day=dt.date(2026, 6, 9))
    outcome = plan(hand_day, day=dt.date(2026, 6, 9), pattern=Pattern.MORNING_PEAK, visitors=40)
    # No history: the catalog's typical duration.
    assert outcome.plan.service_time.median_minutes == 15
    with pytest.raises(PlanningError):
        plan(hand_day, day=dt.date(2026, 6, 13), pattern=Pattern.UNIFORM, visitors=40)

"""The capacity planner page: simulate a day at a site with N counters
before changing anything. For city and site admins (an agency admin does not
run a site's counters). Thin: parse the form, call ``plan_day``, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from antre.accounts.scopes import Grant, StaffScope, scope_for
from antre.backoffice.reports_forms import PlannerForm
from antre.backoffice.reports_views import admin_context, show_table
from antre.core import clock
from antre.reports.plan_tables import plan_charts, plan_table
from antre.reports.profiles import (
    DEFAULT_WEEKS,
    PlanningError,
    ScenarioWish,
    plan_day,
    planning_history,
)
from antre.reports.workload import Pattern, ServiceDistribution

PLANNER_GRANTS = frozenset({Grant.CITY, Grant.SITE})


def planner_scope(request: HttpRequest) -> StaffScope:
    scope = scope_for(request.user).only(PLANNER_GRANTS)
    if scope.is_empty:
        raise PermissionDenied(_("Perencana kapasitas untuk admin kota dan admin gerai."))
    return scope


def next_working_day(today: dt.date) -> dt.date:
    day = today + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def initial_values(scope: StaffScope, form: PlannerForm) -> dict[str, Any]:
    """A first plan for the first site: tomorrow (a working day), as the last
    four same weekdays went, with the counters in use and two more."""
    site = form.fields["site"].queryset.first()  # type: ignore[attr-defined]
    if site is None:
        return {}
    today = clock.today(site.timezone)
    day = next_working_day(today)
    history = planning_history(
        scope, site=site, service=None, day=day, weeks=DEFAULT_WEEKS, today=today
    )
    now = history.counters_now
    return {
        "site": site.pk,
        "day": day.isoformat(),
        "weeks": DEFAULT_WEEKS,
        "pattern": Pattern.HISTORY.value if history.arrivals else Pattern.MORNING_PEAK.value,
        "visitors": "" if history.arrivals else 100,
        "distribution": ServiceDistribution.LOGNORMAL.value,
        "target_p90": 30,
        "counters_1": now,
        "cap_1": site.room_capacity,
        "counters_2": now + 2,
        "cap_2": site.room_capacity,
    }


def planner(request: HttpRequest) -> HttpResponse:
    scope = planner_scope(request)
    form = PlannerForm(request.GET or None, scope=scope)
    if not form.is_bound:
        form = PlannerForm(initial_values(scope, form), scope=scope)
    context: dict[str, Any] = {
        **admin_context(request, _("Perencana kapasitas"), "planner"),
        "form": form,
    }
    if not form.is_valid():
        return render(
            request, "backoffice/reports/planner.html", context, status=400 if request.GET else 200
        )
    data = form.cleaned_data
    site = data["site"]
    wishes = [
        ScenarioWish(counters=data[f"counters_{number}"], room_cap=data[f"cap_{number}"])
        for number in range(1, PlannerForm.SCENARIOS + 1)
        if data.get(f"counters_{number}")
    ]
    share = data.get("appointment_share")
    try:
        outcome = plan_day(
            scope,
            site=site,
            service=data.get("service"),
            day=data["day"],
            weeks=data["weeks"],
            today=clock.today(site.timezone),
            pattern=Pattern(data["pattern"]),
            visitors=data.get("visitors"),
            appointment_share=share / 100 if share is not None else None,
            distribution=ServiceDistribution(data["distribution"]),
            service_minutes=data.get("service_minutes"),
            scenarios=wishes,
            target_p90=data["target_p90"],
        )
    except PlanningError as error:
        context["problem"] = str(error)
        return render(request, "backoffice/reports/planner.html", context)
    context |= {
        "outcome": outcome,
        "charts": [
            {
                "id": f"plan-chart-{number}",
                "data_id": f"plan-chart-{number}-data",
                "title": item.title,
                "config": item.chart.config(),
            }
            for number, item in enumerate(plan_charts(outcome.plan), start=1)
        ],
        "table": show_table(plan_table(outcome.plan)),
    }
    return render(request, "backoffice/reports/planner.html", context)

"""The demo city's past weeks: ``seed_demo_city`` calls this so that the
reports, the dashboard and the capacity planner have history to show on a
fresh ``make run``. What is written and why: ``antre.reports.history``."""

from __future__ import annotations

from antre.catalog.models import Site
from antre.demo import data
from antre.reports.history import HISTORY_DAYS, HistorySummary, generate_history


def seed_history(*, days: int = HISTORY_DAYS) -> HistorySummary:
    """The ``days`` days before today at the demo sites; idempotent (a day
    that has tickets is left alone)."""
    sites = Site.objects.filter(slug__in=[site.slug for site in data.SITES], is_active=True)
    return generate_history(days=days, sites=sites.order_by("slug"))

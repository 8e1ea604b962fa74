"""The schedule pages, registered by ``BackofficeSite.get_urls`` and wrapped
in ``admin_view`` (the back office's login and role check)."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.urls import URLPattern, path

from antre.backoffice import schedule_views


def schedule_urls(site: AdminSite) -> list[URLPattern]:
    return [
        path("jadwal/", site.admin_view(schedule_views.schedule_index), name="schedule-index"),
        path(
            "jadwal/<int:site_service_id>/",
            site.admin_view(schedule_views.schedule_page),
            name="schedule",
        ),
        path(
            "jadwal/<int:site_service_id>/<slug:kind>/",
            site.admin_view(schedule_views.schedule_change),
            name="schedule-change",
        ),
        path(
            "jadwal/<int:site_service_id>/<slug:kind>/<int:rule_id>/",
            site.admin_view(schedule_views.schedule_change),
            name="schedule-rule-change",
        ),
    ]

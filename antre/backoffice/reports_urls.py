"""The back office's own pages beside the model admins: the city dashboard,
the reports and the capacity planner. Registered by ``BackofficeSite.get_urls``
and wrapped in ``admin_view``, so they take the same login and role check as
every admin page."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.urls import URLPattern, path

from antre.backoffice import planner_views, reports_views


def report_urls(site: AdminSite) -> list[URLPattern]:
    return [
        path("dasbor/", site.admin_view(reports_views.dashboard), name="reports-dashboard"),
        path("laporan/", site.admin_view(reports_views.reports_index), name="reports-index"),
        path("laporan/<slug:kind>/", site.admin_view(reports_views.report_view), name="report"),
        path("perencana/", site.admin_view(planner_views.planner), name="reports-planner"),
    ]

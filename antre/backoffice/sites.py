"""The back office: Django's admin site, entered by role, not by permission rows."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext_lazy as _

from antre.accounts.scopes import Grant, scope_for

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# Third-party models whose names are English only, by (app label, model name):
# their names in the back office's app lists (index, sidebar, app pages).
MODEL_NAMES = {
    ("django_tasks_database", "dbtaskresult"): _("Hasil tugas latar belakang"),
}


class BackofficeSite(admin.AdminSite):
    """``admin.site`` (see ``BackofficeAdminConfig``).

    Entry takes an active staff account that holds a city, site or agency admin
    role (or is a superuser); officers and devices are sent to the login page
    like strangers. What each admin then sees is decided per model by
    ``antre.backoffice.admin.base``.
    """

    site_header = _("Back office antre")
    site_title = _("Back office antre")
    index_title = _("Pengaturan layanan")
    index_template = "backoffice/index.html"
    login_template = "backoffice/login.html"
    enable_nav_sidebar = True

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and scope_for(user).has_backoffice_access)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        from antre.backoffice.dashboard_titles import dashboard_title

        context = super().each_context(request)
        # The dashboard's name in the links to it, by the admin's scope; a
        # callable, so that only pages showing a link read the names.
        context["dashboard_title"] = functools.partial(dashboard_title, scope_for(request.user))
        # The capacity planner is for those who run a site's counters.
        context["reports_can_plan"] = (
            not scope_for(request.user).only({Grant.CITY, Grant.SITE}).is_empty
        )
        return context

    def _build_app_dict(
        self, request: HttpRequest, label: str | _StrPromise | None = None
    ) -> dict[str, Any]:
        app_dict = super()._build_app_dict(request, label)
        for app in app_dict.values():
            for model in app["models"]:
                name = MODEL_NAMES.get((app["app_label"], model["object_name"].lower()))
                if name is not None:
                    model["name"] = name
        return app_dict

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # The dashboard, reports and planner come first: the admin's own
        # last pattern takes any "<app_label>/" for an app index.
        from django.urls import path

        from antre.backoffice.privacy_views import reveal_citizen_data
        from antre.backoffice.reports_urls import report_urls
        from antre.backoffice.schedule_urls import schedule_urls

        privacy = path(
            "warga/<int:user_id>/data-pribadi/",
            self.admin_view(reveal_citizen_data),
            name="citizen-personal-data",
        )
        return [*report_urls(self), *schedule_urls(self), privacy, *super().get_urls()]

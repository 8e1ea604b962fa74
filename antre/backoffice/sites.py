"""The back office: Django's admin site, entered by role, not by permission rows."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from antre.accounts.scopes import scope_for


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

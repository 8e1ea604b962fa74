"""The staff login shared by officers and by the kiosk and board devices
(``/petugas/masuk/``), the logout, and where a login lands without a ``next``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from antre.accounts.models import Role, StaffRole
from antre.accounts.onsite_access import workable_counters

STAFF_LOGIN_URL = reverse_lazy("counter:staff_login")

# Device accounts land on their device's page; the kiosk's URL belongs to the
# kiosk app (reversed by name, never imported: interface apps stay apart).
_DEVICE_PAGES = {Role.BOARD: "board:board", Role.KIOSK: "kiosk:kiosk"}


def staff_login_required[V: Callable[..., HttpResponse]](view: V) -> V:
    """Like ``login_required``, to the staff login page instead of the citizens'.

    An htmx request (the console's refresh) whose session ended is told to
    load the login page as a whole page, coming back to the page it was on,
    instead of getting the login form swapped into the console."""
    guarded = login_required(view, login_url=STAFF_LOGIN_URL)

    @wraps(view)
    def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and request.headers.get("HX-Request") == "true":
            page = request.headers.get("HX-Current-URL", "")
            back = urlsplit(page).path if page else request.get_full_path()
            return HttpResponseClientRedirect(
                f"{STAFF_LOGIN_URL}?{urlencode({REDIRECT_FIELD_NAME: back})}"
            )
        return guarded(request, *args, **kwargs)

    return check  # type: ignore[return-value]


class StaffLoginView(auth_views.LoginView):
    template_name = "counter/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Masuk petugas")}

    def get_default_redirect_url(self) -> str:
        return resolve_url("counter:staff_home")


class StaffLogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""

    def get_default_redirect_url(self) -> str:
        return resolve_url("counter:staff_login")


def _device_page(user_id: int) -> str | None:
    for role, site_slug in StaffRole.objects.filter(
        user_id=user_id, role__in=list(_DEVICE_PAGES), site__isnull=False
    ).values_list("role", "site__slug"):
        try:
            return reverse(_DEVICE_PAGES[Role(role)], kwargs={"site": site_slug})
        except NoReverseMatch:
            continue
    return None


@staff_login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Officers go to their counters, a board or kiosk device to its page,
    admins to the back office."""
    user = request.user
    if workable_counters(user).exists():
        return redirect("counter:pick")
    device_page = _device_page(user.pk) if user.pk is not None else None
    if device_page is not None:
        return redirect(device_page)
    if user.is_staff:
        return redirect("admin:index")
    raise PermissionDenied(_("Akun ini bukan akun petugas."))

"""Asking for a seat of a high-demand day while its request window runs
(``antre.waitlist.release``); the result comes by e-mail after the draw."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from antre.accounts.models import User
from antre.catalog.models import SiteService
from antre.core.errors import DomainError
from antre.waitlist import release, release_selectors
from antre.waitlist.models import ReleaseRequest


def _citizen(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _site_service(site: str, service: str) -> SiteService:
    found = (
        SiteService.objects.select_related("site", "service__agency")
        .filter(
            site__slug=site,
            service__slug=service,
            is_active=True,
            site__is_active=True,
            service__is_active=True,
        )
        .first()
    )
    if found is None:
        raise Http404(_("Layanan ini tidak dibuka di gerai ini."))
    return found


@require_http_methods(["GET", "POST"])
@login_required
def release_request(request: HttpRequest, site: str, service: str, day: str) -> HttpResponse:
    """GET: how the fair release works and one button. POST: ``request_seat``;
    a refusal is shown on the service page."""
    site_service = _site_service(site, service)
    try:
        wanted = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404(_("Tanggal ini tidak dikenal.")) from None
    back = reverse("citizen:service", kwargs={"site": site, "service": service})
    if request.method == "POST":
        try:
            release.request_seat(citizen=_citizen(request), site_service=site_service, day=wanted)
        except DomainError as error:
            messages.error(request, str(error.detail))
            return redirect(back)
        messages.success(
            request,
            _(
                "Permintaan Anda tercatat. Setelah masa permintaan berakhir kursi dibagi "
                "menurut tenggat, lalu diundi; hasilnya kami kirim ke e-mail Anda."
            ),
        )
        return redirect("citizen:waitlist")
    days = {
        item.day: item
        for item in release_selectors.release_days(site_service, citizen=_citizen(request))
    }
    item = days.get(wanted)
    return render(
        request,
        "citizen/waitlist/release_request.html",
        {
            "site": site_service.site,
            "service": site_service.service,
            "agency": site_service.service.agency,
            "day": wanted,
            "item": item,
            "closes": (
                date_format(item.closes_at.astimezone(site_service.site.tzinfo), "j F Y H:i")
                if item
                else ""
            ),
            "back": back,
        },
    )


@require_POST
@login_required
def release_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    citizen = _citizen(request)
    found = ReleaseRequest.objects.filter(pk=request_id, citizen=citizen).first()
    if found is None:
        raise Http404(_("Permintaan ini tidak ada."))
    try:
        release.withdraw_request(request=found, citizen=citizen)
    except DomainError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Permintaan kursi Anda sudah ditarik."))
    return redirect("citizen:waitlist")

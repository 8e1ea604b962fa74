"""The waiting list for citizens: join with a deadline, see where you stand,
accept a held seat, leave. Writes are one call each to
``antre.waitlist.services``; their errors come back as a message."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from antre.accounts.models import User
from antre.catalog.models import Site, SiteService
from antre.citizen import formatting
from antre.core import clock
from antre.core.errors import DomainError
from antre.waitlist import forecast, release_selectors, selectors, services
from antre.waitlist.models import Offer, WaitlistEntry


def _citizen(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@dataclass(frozen=True)
class ListedEntry:
    entry: WaitlistEntry
    standing: selectors.Standing
    offer: Offer | None
    offer_when: formatting.When | None
    sites: list[Site]
    # Seats expected to free up at its sites before its deadline (measured
    # cancellation and no-show rates); None for an entry no longer waiting.
    expected_freed: int | None


@login_required
def waitlist_list(request: HttpRequest) -> HttpResponse:
    entries = []
    for entry in selectors.citizen_entries(_citizen(request))[:50]:
        offer = selectors.open_offer(entry)
        sites = list(entry.sites.all())
        entries.append(
            ListedEntry(
                entry=entry,
                standing=selectors.standing(entry),
                offer=offer,
                offer_when=(
                    formatting.describe_slot(offer.slot, offer.slot.site_service.site)
                    if offer
                    else None
                ),
                sites=sites,
                expected_freed=(
                    forecast.expected_freed_seats(
                        entry.service, [site.pk for site in sites], entry.latest
                    )
                    if entry.status in selectors.OPEN_STATUSES
                    else None
                ),
            )
        )
    requests = list(release_selectors.citizen_requests(_citizen(request))[:20])
    return render(request, "citizen/waitlist/list.html", {"entries": entries, "requests": requests})


def _parse_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@login_required
def waitlist_join(request: HttpRequest, site: str, service: str) -> HttpResponse:
    """GET: the form (deadline, sites, offer or automatic booking). POST:
    ``join_waitlist``."""
    site_service = (
        SiteService.objects.select_related("site", "service")
        .filter(site__slug=site, service__slug=service, is_active=True, site__is_active=True)
        .first()
    )
    if site_service is None:
        raise Http404(_("Layanan ini tidak ada di gerai ini."))
    offering = list(
        Site.objects.filter(
            site_services__service=site_service.service,
            site_services__is_active=True,
            is_active=True,
        ).order_by("name")
    )
    today = clock.today(site_service.site.timezone)
    if request.method == "POST":
        latest = _parse_date(request.POST.get("latest"))
        earliest = _parse_date(request.POST.get("earliest")) or today
        chosen = [s for s in offering if s.slug in request.POST.getlist("sites")]
        if latest is None:
            messages.error(request, _("Isi tenggat Anda: tanggal terakhir yang masih berguna."))
        elif not chosen:
            messages.error(request, _("Pilih sedikitnya satu gerai."))
        else:
            try:
                services.join_waitlist(
                    citizen=_citizen(request),
                    service=site_service.service,
                    sites=chosen,
                    earliest=earliest,
                    latest=latest,
                    auto_book=request.POST.get("auto_book") == "1",
                )
            except DomainError as error:
                messages.error(request, str(error.detail))
            else:
                messages.success(
                    request,
                    _("Anda masuk daftar tunggu. Kami kabari lewat e-mail begitu ada kursi."),
                )
                return redirect("citizen:waitlist")
    return render(
        request,
        "citizen/waitlist/join.html",
        {
            "site_service": site_service,
            "service": site_service.service,
            "site": site_service.site,
            "offering": offering,
            "today": today,
        },
    )


def _own_entry(request: HttpRequest, entry_id: int) -> WaitlistEntry:
    entry = selectors.citizen_entries(_citizen(request)).filter(pk=entry_id).first()
    if entry is None:
        raise Http404(_("Entri daftar tunggu ini tidak ada."))
    return entry


@require_POST
@login_required
def waitlist_accept(request: HttpRequest, entry_id: int, offer_id: int) -> HttpResponse:
    entry = _own_entry(request, entry_id)
    try:
        booking = services.accept_offer(entry=entry, offer_id=offer_id, citizen=_citizen(request))
    except DomainError as error:
        messages.error(request, str(error.detail))
        return redirect("citizen:waitlist")
    messages.success(
        request, _("Kursi itu kini milik Anda. Kode pemesanan juga kami kirim lewat e-mail.")
    )
    return redirect("citizen:booking", code=booking.code)


@require_POST
@login_required
def waitlist_withdraw(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _own_entry(request, entry_id)
    try:
        services.withdraw_entry(entry=entry, actor=_citizen(request))
    except DomainError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Anda sudah keluar dari daftar tunggu."))
    return redirect("citizen:waitlist")

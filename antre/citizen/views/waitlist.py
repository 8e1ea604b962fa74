"""The waiting list for citizens: join with a deadline, see where you stand,
accept a held seat, withdraw (after a confirmation page). Writes are one
call each to ``antre.waitlist.services``; their errors come back beside the
form's field when joining, otherwise as a message."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from antre.accounts.models import User
from antre.booking import availability
from antre.catalog.models import Site
from antre.catalog.selectors import find_offered_site_service
from antre.citizen import formatting
from antre.citizen.forms import WaitlistJoinForm
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


def _listed(entry: WaitlistEntry) -> ListedEntry:
    offer = selectors.open_offer(entry)
    sites = list(entry.sites.all())
    return ListedEntry(
        entry=entry,
        standing=selectors.standing(entry),
        offer=offer,
        offer_when=(
            formatting.describe_slot(offer.slot, offer.slot.site_service.site) if offer else None
        ),
        sites=sites,
        expected_freed=(
            forecast.expected_freed_seats(entry.service, [site.pk for site in sites], entry.latest)
            if entry.status in selectors.OPEN_STATUSES
            else None
        ),
    )


@login_required
def waitlist_list(request: HttpRequest) -> HttpResponse:
    entries = [_listed(entry) for entry in selectors.citizen_entries(_citizen(request))[:50]]
    requests = list(release_selectors.citizen_requests(_citizen(request))[:20])
    return render(request, "citizen/waitlist/list.html", {"entries": entries, "requests": requests})


@require_http_methods(["GET", "POST"])
@login_required
def waitlist_join(request: HttpRequest, site: str, service: str) -> HttpResponse:
    """GET: the form (deadline, sites, offer or automatic booking). POST:
    ``join_waitlist``; a refusal comes back as the form with what was typed
    and the error beside its field."""
    site_service = find_offered_site_service(site_slug=site, service_slug=service)
    if site_service is None:
        raise Http404(_("Layanan ini tidak ada di gerai ini."))
    offering = availability.sites_offering(service=site_service.service)
    today = clock.today(site_service.site.timezone)
    form = WaitlistJoinForm(
        request.POST if request.method == "POST" else None,
        initial={"earliest": today, "sites": [site_service.site.slug], "auto_book": "0"},
        sites=[(option.slug, option.name) for option in offering],
        today=today,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.join_waitlist(
                citizen=_citizen(request),
                service=site_service.service,
                sites=[option for option in offering if option.slug in data["sites"]],
                earliest=data["earliest"] or today,
                latest=data["latest"],
                auto_book=data["auto_book"] == "1",
            )
        except DomainError as error:
            form.add_domain_error(error)
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
            "form": form,
            "site_service": site_service,
            "service": site_service.service,
            "site": site_service.site,
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


@require_http_methods(["GET", "POST"])
@login_required
def waitlist_withdraw(request: HttpRequest, entry_id: int) -> HttpResponse:
    """GET: what leaving the list gives up, and one button. POST:
    ``withdraw_entry``."""
    entry = _own_entry(request, entry_id)
    if request.method == "POST":
        try:
            services.withdraw_entry(entry=entry, actor=_citizen(request))
        except DomainError as error:
            messages.error(request, str(error.detail))
        else:
            messages.success(
                request,
                _("Anda sudah mundur dari daftar tunggu %(service)s.")
                % {"service": entry.service.name},
            )
        return redirect("citizen:waitlist")
    return render(request, "citizen/waitlist/withdraw.html", {"item": _listed(entry)})

"""Finding a slot and the citizen's bookings: the service page with its
calendar, the confirm pages, the booking (its code and QR), its calendar
file, cancelling and moving it, and the list of the citizen's bookings.

Writes are one call each to ``antre.booking.services``. Their errors
(``DomainError``) are shown as a message on the page the citizen came from,
after a redirect, and nothing is booked, cancelled or moved. A refused
booking or move goes back to the chosen day's slot list (``#hari``), and its
message is shown there (``DAY_ANCHOR``), not at the top of the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

from antre.accounts.models import User
from antre.booking import availability
from antre.booking.availability import SlotChoice
from antre.booking.documents import booking_ics, booking_ics_filename, booking_qr_svg
from antre.booking.errors import NotCancellable
from antre.booking.models import Booking, BookingStatus
from antre.booking.selectors import citizen_bookings, find_booking
from antre.booking.services import (
    cancel_booking,
    check_changeable,
    check_citizen,
    create_booking,
)
from antre.booking.services import reschedule_booking as reschedule_booking_service
from antre.catalog.models import Site, SiteService
from antre.catalog.selectors import find_offered_site_service
from antre.citizen import formatting
from antre.citizen.forms import BookingConfirmationForm
from antre.citizen.picker import (
    DAY_ANCHOR,
    DAY_PARAMETER,
    PickerLinks,
    build_picker,
    parse_day,
    parse_month,
)
from antre.core import clock, ratelimits
from antre.core.codes import parse_code
from antre.core.errors import DomainError
from antre.core.ratelimits import limit_page
from antre.onsite import selectors as onsite_selectors
from antre.waitlist import forecast, proof, release_selectors
from antre.waitlist import selectors as waitlist_selectors
from antre.waitlist.models import WaitlistEntry

SITE_PARAMETER = "gerai"


def _citizen(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _is_partial(request: HttpRequest) -> bool:
    """An htmx request for the picker alone (not htmx restoring a page from
    its history, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return isinstance(htmx, HtmxDetails) and bool(htmx) and not htmx.history_restore_request


def _render_picker_page(
    request: HttpRequest, template: str, context: dict[str, Any]
) -> HttpResponse:
    partial = _is_partial(request)
    response = render(request, "citizen/booking/_picker.html" if partial else template, context)
    # The same URL answers a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def service_url(site: Site | str, service_slug: str, **query: str) -> str:
    url = reverse(
        "citizen:service",
        kwargs={"site": site if isinstance(site, str) else site.slug, "service": service_slug},
    )
    return f"{url}?{urlencode(query)}" if query else url


def _find_site_service(site: str, service: str) -> SiteService:
    site_service = find_offered_site_service(site_slug=site, service_slug=service)
    if site_service is None:
        raise Http404(_("Layanan ini tidak dibuka di gerai ini."))
    return site_service


def service_page(request: HttpRequest, site: str, service: str) -> HttpResponse:
    """A service at a site: what to bring, then a month calendar; choosing a
    day lists its slots (htmx loads them in place, a plain link reloads)."""
    site_service = _find_site_service(site, service)
    path = request.path
    user = request.user
    release_days = release_selectors.release_days(
        site_service, citizen=user if isinstance(user, User) else None
    )
    held_days = {item.day for item in release_days}

    def slot_url(choice: SlotChoice) -> str:
        if choice.start.date() in held_days:
            # A high-demand day awaiting its fair release: ask, do not book.
            return reverse(
                "citizen:release_request",
                kwargs={"site": site, "service": service, "day": choice.start.date().isoformat()},
            )
        return reverse(
            "citizen:book",
            kwargs={"site": site, "service": service, "slot_id": choice.slot_id},
        )

    def elsewhere_url(other: Site, day: dt.date | None) -> str:
        return service_url(other, service, **({DAY_PARAMETER: day.isoformat()} if day else {}))

    picker = build_picker(
        site_service=site_service,
        links=PickerLinks(path=path, slot_url=slot_url, elsewhere_url=elsewhere_url),
        month=parse_month(request.GET.get("bulan")),
        day=parse_day(request.GET.get(DAY_PARAMETER)),
    )
    existing = None
    waiting = None
    if isinstance(user, User) and user.is_authenticated:
        existing = availability.active_booking_for(citizen=user, service=site_service.service)
        waiting = _honest_outlook(user, site_service) if existing is None else None
    context = {
        "site_service": site_service,
        "site": site_service.site,
        "service": site_service.service,
        "agency": site_service.service.agency,
        "picker": picker,
        "existing": existing,
        "existing_when": (
            formatting.describe_slot(existing.slot, existing.site) if existing else None
        ),
        "release_days": release_days,
        "waiting": waiting,
    }
    return _render_picker_page(request, "citizen/booking/service.html", context)


@dataclass(frozen=True)
class Outlook:
    """What the service page tells a citizen who waits for this service with
    a deadline: whether anything is free here before it, where they stand,
    and how many seats usually free up before it (PRODUCT.md: honest)."""

    entry: WaitlistEntry
    full_until_deadline: bool
    standing: waitlist_selectors.Standing
    expected_freed: int


def _honest_outlook(citizen: User, site_service: SiteService) -> Outlook | None:
    entry = waitlist_selectors.open_deadline_entry(
        citizen=citizen, service=site_service.service, site=site_service.site
    )
    if entry is None:
        return None
    return Outlook(
        entry=entry,
        full_until_deadline=not availability.has_free_seat_until(
            site_service=site_service, last=entry.latest
        ),
        standing=waitlist_selectors.standing(entry),
        expected_freed=forecast.expected_freed_seats(
            site_service.service, [site_service.site_id], entry.latest
        ),
    )


def _signed_in_account(request: HttpRequest) -> object:
    return request.user.pk


@require_http_methods(["GET", "POST"])
@login_required
@limit_page(ratelimits.BOOKING_IP, ratelimits.BOOKING_ACCOUNT, account=_signed_in_account)
def book(request: HttpRequest, site: str, service: str, slot_id: int) -> HttpResponse:
    """GET: the slot, the place and what to bring, and one button. POST:
    ``create_booking``; its refusal goes back to the service page."""
    site_service = _find_site_service(site, service)
    found = availability.find_slot(slot_id=slot_id)
    if found is None or found.site_service.pk != site_service.pk:
        raise Http404(_("Slot ini tidak ada."))
    back = service_url(site, service, **{DAY_PARAMETER: found.choice.start.date().isoformat()})
    form = BookingConfirmationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = create_booking(citizen=_citizen(request), slot_id=slot_id)
        except DomainError as error:
            messages.error(request, str(error.detail), extra_tags=DAY_ANCHOR)
            return redirect(f"{back}#{DAY_ANCHOR}")
        messages.success(
            request,
            _("Pemesanan Anda berhasil. Kami juga mengirim kode pemesanan ke e-mail Anda."),
        )
        return redirect("citizen:booking", code=booking.code)
    citizen = _citizen(request)
    account_refusal = _account_refusal(citizen)
    # The booking that would make create_booking refuse this one
    # (DuplicateBooking): shown instead of a button bound to fail.
    existing = (
        availability.active_booking_for(citizen=citizen, service=site_service.service)
        if account_refusal is None
        else None
    )
    return render(
        request,
        "citizen/booking/book.html",
        {
            "form": form,
            "site": found.site_service.site,
            "service": found.site_service.service,
            "agency": found.site_service.service.agency,
            "choice": found.choice,
            "is_bookable": found.is_bookable,
            "account_refusal": account_refusal,
            "existing": existing,
            "existing_when": (
                formatting.describe_slot(existing.slot, existing.site) if existing else None
            ),
            "existing_changeable": existing is not None and _changeable(existing),
            "when": formatting.describe_choice(found.choice),
            "back": back,
        },
        status=422 if form.errors else 200,
    )


def _account_refusal(citizen: User) -> DomainError | None:
    """Why this account cannot book at all (not verified, not a citizen's),
    so that the page offers the way forward instead of a button bound to fail."""
    try:
        check_citizen(citizen)
    except DomainError as refusal:
        return refusal
    return None


@dataclass(frozen=True)
class ListedBooking:
    booking: Booking
    when: formatting.When


@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    """The citizen's bookings: those still ahead (soonest first), then the
    rest (past, cancelled, done; newest first)."""
    now = clock.now()
    upcoming: list[ListedBooking] = []
    past: list[ListedBooking] = []
    for booking in citizen_bookings(citizen=_citizen(request)):
        entry = ListedBooking(
            booking, formatting.describe_slot(booking.slot, booking.slot.site_service.site)
        )
        (upcoming if booking.is_active and booking.slot.end > now else past).append(entry)
    upcoming.sort(key=lambda entry: entry.booking.slot.start)
    citizen = _citizen(request)
    return render(
        request,
        "citizen/booking/list.html",
        {
            "upcoming": upcoming,
            "past": past,
            # The waiting list is a page of its own: say here that it holds something.
            "waiting": list(waitlist_selectors.open_entries(citizen)),
            "seat_requests": release_selectors.pending_requests(citizen).count(),
        },
    )


def _own_booking(request: HttpRequest, raw_code: str) -> Booking | str:
    """The citizen's booking for the code in the URL, or the canonical code to
    redirect to when the URL spells it otherwise (lower case, no dash). 404
    for a code that is not a code, is no booking, or is someone else's: the
    three must look alike (codes must not be probed)."""
    code = parse_code(raw_code)
    if code is None:
        raise Http404(_("Pemesanan ini tidak ada."))
    if code != raw_code:
        return code
    booking = find_booking(code)
    if booking is None or booking.citizen_id is None or booking.citizen_id != request.user.pk:
        raise Http404(_("Pemesanan ini tidak ada."))
    return booking


def _canonical_redirect(request: HttpRequest, name: str, code: str, **kwargs: Any) -> HttpResponse:
    url = reverse(name, kwargs={"code": code, **kwargs})
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url)


def _changeable(booking: Booking) -> bool:
    try:
        check_changeable(booking, now=clock.now())
    except NotCancellable:
        return False
    return True


def _booking_context(booking: Booking) -> dict[str, Any]:
    site = booking.slot.site_service.site
    deadline = booking.slot.start - dt.timedelta(minutes=booking.service.changes_close_minutes)
    return {
        "booking": booking,
        "site": site,
        "service": booking.service,
        "agency": booking.service.agency,
        "when": formatting.describe_slot(booking.slot, site),
        "changeable": _changeable(booking),
        "change_deadline": formatting.describe_deadline(deadline, site),
        "requirements": [str(item) for item in booking.service.requirements or []],
    }


def _not_found(request: HttpRequest, response: HttpResponse) -> bool:
    return response.status_code == 404


@login_required
@limit_page(
    ratelimits.LOOKUP_ACCOUNT,
    account=_signed_in_account,
    methods=("GET", "HEAD"),
    failed=_not_found,
    lookup="booking_code",
)
def booking_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The booking confirmation: the code, the QR to scan at the kiosk, where
    and when, what to bring; print it, add it to a calendar, move or cancel it.
    Once checked in, the queue ticket it became instead of the QR; once over
    (served, missed, cancelled), what happened."""
    booking = _own_booking(request, code)
    if isinstance(booking, str):
        return _canonical_redirect(request, "citizen:booking", booking)
    context = _booking_context(booking)
    if booking.status == BookingStatus.CONFIRMED:
        context["qr_svg"] = booking_qr_svg(booking)
    if booking.status in (BookingStatus.CHECKED_IN, BookingStatus.COMPLETED):
        ticket = onsite_selectors.visit_ticket(booking)
        context["ticket"] = ticket
        if ticket is not None and booking.status == BookingStatus.CHECKED_IN:
            # Come in or wait outside: the live ticket page's own answer, so
            # that the two pages (and the kiosk's ticket) never disagree.
            context["ticket_state"] = onsite_selectors.ticket_state(ticket)
    if booking.status != BookingStatus.CANCELLED:
        # The signed proof states the deadline the citizen gave on the waiting
        # list; a booking that did not come through it has nothing to prove.
        context["proof_deadline"] = proof.booking_deadline(booking)
    return render(request, "citizen/booking/detail.html", context)


@login_required
def booking_calendar(request: HttpRequest, code: str) -> HttpResponse:
    booking = _own_booking(request, code)
    if isinstance(booking, str):
        return _canonical_redirect(request, "citizen:booking_calendar", booking)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{booking_ics_filename(booking)}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def booking_cancel(request: HttpRequest, code: str) -> HttpResponse:
    booking = _own_booking(request, code)
    if isinstance(booking, str):
        return _canonical_redirect(request, "citizen:booking_cancel", booking)
    if request.method == "POST":
        try:
            cancel_booking(booking=booking, actor=_citizen(request))
        except DomainError as error:
            messages.error(request, str(error.detail))
            return redirect("citizen:booking_cancel", code=booking.code)
        messages.success(
            request, _("Pemesanan Anda sudah dibatalkan. Kursinya kini terbuka untuk warga lain.")
        )
        return redirect("citizen:booking", code=booking.code)
    return render(request, "citizen/booking/cancel.html", _booking_context(booking))


@login_required
def booking_reschedule(request: HttpRequest, code: str) -> HttpResponse:
    """The same calendar as the service page, for the booking's service at its
    site or (``?gerai=``) another site offering it."""
    booking = _own_booking(request, code)
    if isinstance(booking, str):
        return _canonical_redirect(request, "citizen:booking_reschedule", booking)
    context = _booking_context(booking)
    if not context["changeable"]:
        return render(request, "citizen/booking/reschedule.html", context)
    service = booking.service
    sites = availability.sites_offering(service=service)
    asked = request.GET.get(SITE_PARAMETER)
    chosen_slug = asked or booking.slot.site_service.site.slug
    site_service = find_offered_site_service(site_slug=chosen_slug, service_slug=service.slug)
    if site_service is None and not asked and sites:
        # The booking's own site no longer offers the service: show another.
        site_service = find_offered_site_service(site_slug=sites[0].slug, service_slug=service.slug)
    if site_service is None:
        raise Http404(_("Layanan ini tidak dibuka di gerai itu."))
    path = request.path

    def slot_url(choice: SlotChoice) -> str:
        return reverse(
            "citizen:booking_move", kwargs={"code": booking.code, "slot_id": choice.slot_id}
        )

    def elsewhere_url(other: Site, day: dt.date | None) -> str:
        query = {SITE_PARAMETER: other.slug}
        if day:
            query[DAY_PARAMETER] = day.isoformat()
        return f"{path}?{urlencode(query)}"

    context.update(
        sites=sites,
        shown_site=site_service.site,
        site_service=site_service,
        picker=build_picker(
            site_service=site_service,
            links=PickerLinks(
                path=path,
                fixed={SITE_PARAMETER: site_service.site.slug},
                slot_url=slot_url,
                elsewhere_url=elsewhere_url,
            ),
            month=parse_month(request.GET.get("bulan")),
            day=parse_day(request.GET.get(DAY_PARAMETER)),
            current_slot_id=booking.slot_id,
        ),
    )
    return _render_picker_page(request, "citizen/booking/reschedule.html", context)


@require_http_methods(["GET", "POST"])
@login_required
# Taking the new seat counts as a booking does: moving a booking again and
# again must not be a way round the booking limit.
@limit_page(ratelimits.BOOKING_IP, ratelimits.BOOKING_ACCOUNT, account=_signed_in_account)
def booking_move(request: HttpRequest, code: str, slot_id: int) -> HttpResponse:
    """GET: the old and the new time side by side, one button. POST:
    ``reschedule_booking``; its refusal goes back to the reschedule page."""
    booking = _own_booking(request, code)
    if isinstance(booking, str):
        return _canonical_redirect(request, "citizen:booking_move", booking, slot_id=slot_id)
    found = availability.find_slot(slot_id=slot_id)
    if found is None or found.site_service.service_id != booking.service_id:
        raise Http404(_("Slot ini tidak ada."))
    back = reverse("citizen:booking_reschedule", kwargs={"code": booking.code})
    back += "?" + urlencode(
        {
            SITE_PARAMETER: found.site_service.site.slug,
            DAY_PARAMETER: found.choice.start.date().isoformat(),
        }
    )
    if request.method == "POST":
        try:
            reschedule_booking_service(booking=booking, slot_id=slot_id, actor=_citizen(request))
        except DomainError as error:
            messages.error(request, str(error.detail), extra_tags=DAY_ANCHOR)
            return redirect(f"{back}#{DAY_ANCHOR}")
        messages.success(request, _("Jadwal Anda sudah dipindah. Kode pemesanan Anda tetap sama."))
        return redirect("citizen:booking", code=booking.code)
    context = _booking_context(booking)
    context.update(
        new_site=found.site_service.site,
        choice=found.choice,
        is_bookable=found.is_bookable and booking.status == BookingStatus.CONFIRMED,
        new_when=formatting.describe_choice(found.choice),
        back=back,
    )
    return render(request, "citizen/booking/move.html", context)

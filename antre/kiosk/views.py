"""The kiosk at the MPP door: scan a booking (or type its code) to get a
queue ticket, or take a walk-in ticket while the day's quota lasts.

A kiosk device logs in once (its own staff account, role ``kiosk`` at the
site) and stays on these pages. Each write is one call to
``antre.onsite.services``; its refusals (``DomainError``) are shown as a large
message with what to do next (``antre.kiosk.problems``).

Printing happens on the ticket screen, the request after the one that issued
the ticket: the issuing POST stores the ticket as "to print" in the session and
redirects. So the ticket is committed before any printer is touched, a slow
or broken printer can never undo or hold it, and reloading the ticket screen
does not print it twice.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from antre.accounts.models import User
from antre.accounts.onsite_access import can_use_kiosk
from antre.catalog.models import Service, Site
from antre.core import clock, ratelimits
from antre.core.codes import ALPHABET
from antre.core.errors import DomainError
from antre.core.ratelimits import limit_page, page_lookup_failed
from antre.kiosk.forms import CheckInForm, WalkInForm
from antre.kiosk.presentation import long_date, ticket_facts, ticket_qr_svg
from antre.kiosk.printing import PrintResult, print_ticket
from antre.kiosk.problems import Problem, explain_check_in, explain_walk_in
from antre.kiosk.walk_ins import walk_in_groups, walk_in_option
from antre.onsite import services
from antre.onsite.errors import (
    UnknownCode,
    UnknownService,
    WalkInNotAllowed,
    WalkInQuotaExhausted,
)
from antre.onsite.models import Kiosk, PrinterKind, Priority, Ticket
from antre.onsite.selectors import find_ticket, ticket_state

# The session key of the ticket the next ticket screen prints.
PENDING_PRINT = "kiosk_pending_print"

# The on-screen keypad: Crockford's alphabet, the only characters of a code.
KEYPAD = ALPHABET[1:10] + ALPHABET[0] + ALPHABET[10:]

KioskView = Callable[..., HttpResponse]


def _not_found(request: HttpRequest, site_slug: str) -> HttpResponse:
    """A 404 inside the kiosk, in the kiosk's own layout: what happened, the
    way back to the kiosk's home, and the idle return there. Never the
    citizen layout, whose "Keluar" would sign the kiosk device out and which
    has no way back to the kiosk."""
    site = Site.objects.filter(slug=site_slug, is_active=True).first()
    context = {"site": site, "today": long_date(clock.now(), site) if site else ""}
    return render(request, "kiosk/not_found.html", context, status=404)


def kiosk_page(view: KioskView) -> KioskView:
    """Answer the ``Http404`` a kiosk view raises (an unknown ticket, a
    service gone from the site) with the kiosk's own 404 page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _not_found(request, str(kwargs.get("site", "")))

    return wrapper


def _open_kiosk(request: HttpRequest, site_slug: str) -> Kiosk | HttpResponse:
    """The kiosk this device runs at the site, or the response that refuses it:
    the staff login for a device not logged in, a 403 page for an account that
    may not run this site's kiosk.

    A site or city admin standing in has no ``Kiosk`` row: they get an unsaved
    one with the defaults (printing through the browser on 80 mm paper)."""
    site = get_object_or_404(Site, slug=site_slug, is_active=True)
    user = request.user
    if not user.is_authenticated:
        # Back to the kiosk's home after login, whatever was asked (a POST's
        # URL cannot be opened with GET).
        return redirect_to_login(
            reverse("kiosk:kiosk", args=[site.slug]), reverse("counter:staff_login")
        )
    if not can_use_kiosk(user, site):
        return render(request, "kiosk/forbidden.html", {"site": site}, status=403)
    kiosk = Kiosk.objects.select_related("site", "user").filter(user_id=user.pk, site=site).first()
    return kiosk or Kiosk(site=site, name=gettext("Kiosk"))


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _context(kiosk: Kiosk, **extra: Any) -> dict[str, Any]:
    site = kiosk.site
    return {"kiosk": kiosk, "site": site, "today": long_date(clock.now(), site), **extra}


def _home(
    request: HttpRequest,
    kiosk: Kiosk,
    *,
    form: CheckInForm | None = None,
    problem: Problem | None = None,
) -> HttpResponse:
    return render(
        request,
        "kiosk/home.html",
        _context(
            kiosk,
            form=form or CheckInForm(),
            problem=problem,
            keypad=KEYPAD,
            walk_in_groups=walk_in_groups(kiosk.site),
        ),
    )


def _issued(request: HttpRequest, kiosk: Kiosk, ticket: Ticket) -> HttpResponse:
    request.session[PENDING_PRINT] = ticket.public_id
    return redirect("kiosk:ticket", site=kiosk.site.slug, public_id=ticket.public_id)


def _site_ticket(kiosk: Kiosk, public_id: str) -> Ticket:
    ticket = find_ticket(public_id)
    if ticket is None or ticket.site_id != kiosk.site.pk:
        raise Http404
    return ticket


@require_http_methods(["GET", "HEAD"])
@kiosk_page
def home(request: HttpRequest, site: str) -> HttpResponse:
    kiosk = _open_kiosk(request, site)
    if isinstance(kiosk, HttpResponse):
        return kiosk
    return _home(request, kiosk)


def _device(request: HttpRequest) -> object:
    return request.user.pk if request.user.is_authenticated else None


@require_POST
@limit_page(ratelimits.LOOKUP_KIOSK, account=_device, template="kiosk/rate_limited.html")
@kiosk_page
def check_in(request: HttpRequest, site: str) -> HttpResponse:
    kiosk = _open_kiosk(request, site)
    if isinstance(kiosk, HttpResponse):
        return kiosk
    form = CheckInForm(request.POST)
    if not form.is_valid():
        problem = Problem(
            code="invalid",
            title=gettext("Kode belum diisi"),
            detail=" ".join(str(message) for message in form.errors.get("code", [])),
            next_step=gettext(
                "Pindai kode QR pada e-mail pemesanan Anda, atau ketik kodenya dengan tombol "
                "di layar lalu tekan OK."
            ),
        )
        return _home(request, kiosk, problem=problem)
    code = form.cleaned_data["code"]
    try:
        ticket = services.check_in(site=kiosk.site, code=code, actor=_actor(request))
    except DomainError as error:
        if isinstance(error, UnknownCode):
            page_lookup_failed(request, kind="booking_code", value=code, site_id=kiosk.site.pk)
        return _home(request, kiosk, problem=explain_check_in(error, site=kiosk.site, code=code))
    return _issued(request, kiosk, ticket)


@require_http_methods(["GET", "HEAD", "POST"])
@kiosk_page
def walk_in(request: HttpRequest, site: str, service: str) -> HttpResponse:
    """GET: choose the priority (Umum, Lansia, ...); POST: take the ticket."""
    kiosk = _open_kiosk(request, site)
    if isinstance(kiosk, HttpResponse):
        return kiosk
    chosen = get_object_or_404(Service, slug=service)
    if request.method == "POST":
        form = WalkInForm(request.POST)
        priority = form.cleaned_data["priority"] if form.is_valid() else Priority.NONE
        try:
            ticket = services.issue_walk_in(
                site=kiosk.site, service=chosen, actor=_actor(request), priority=priority
            )
        except DomainError as error:
            return _home(request, kiosk, problem=explain_walk_in(error, site=kiosk.site))
        return _issued(request, kiosk, ticket)
    option = walk_in_option(kiosk.site, chosen)
    if option is None or not option.available:
        refusal: DomainError
        if not chosen.walk_in_allowed:
            refusal = WalkInNotAllowed()
        elif option is None:
            refusal = UnknownService(
                gettext("Layanan ini tidak menerima pengunjung tanpa janji saat ini.")
            )
        else:
            refusal = WalkInQuotaExhausted()
        return _home(request, kiosk, problem=explain_walk_in(refusal, site=kiosk.site))
    return render(
        request,
        "kiosk/walk_in.html",
        _context(kiosk, option=option, priorities=Priority.choices),
    )


def _print_status(kiosk: Kiosk, result: PrintResult | None, *, pending: bool) -> str:
    """What the ticket screen says about the paper ticket: "" when nothing was
    printed now (a reload of the screen)."""
    if not pending:
        return ""
    if kiosk.printer_kind == PrinterKind.NONE:
        return "none"
    if result is not None and not result.ok:
        return "failed"
    return "printing"


@require_http_methods(["GET", "HEAD"])
@kiosk_page
def ticket(request: HttpRequest, site: str, public_id: str) -> HttpResponse:
    """The issued ticket, big, with its QR; prints it once when it was just issued."""
    kiosk = _open_kiosk(request, site)
    if isinstance(kiosk, HttpResponse):
        return kiosk
    issued = _site_ticket(kiosk, public_id)
    pending = request.session.get(PENDING_PRINT) == issued.public_id
    if pending:
        del request.session[PENDING_PRINT]
    result = print_ticket(kiosk, issued) if pending and kiosk.uses_escpos else None
    state = ticket_state(issued)
    status = _print_status(kiosk, result, pending=pending)
    return render(
        request,
        "kiosk/ticket.html",
        _context(
            kiosk,
            ticket=issued,
            facts=ticket_facts(issued, state),
            qr_svg=ticket_qr_svg(issued),
            print_status=status,
            auto_print=pending and kiosk.printer_kind == PrinterKind.BROWSER,
            can_reprint=kiosk.printer_kind != PrinterKind.NONE,
            idle_seconds=30 if status == "failed" else 10,
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@kiosk_page
def ticket_print(request: HttpRequest, site: str, public_id: str) -> HttpResponse:
    """GET: the paper ticket alone, for the browser's printer (58 or 80 mm).
    POST: print the ticket again (the ticket screen prints it on arrival)."""
    kiosk = _open_kiosk(request, site)
    if isinstance(kiosk, HttpResponse):
        return kiosk
    issued = _site_ticket(kiosk, public_id)
    if request.method == "POST":
        return _issued(request, kiosk, issued)
    return render(
        request,
        "kiosk/print.html",
        _context(
            kiosk,
            ticket=issued,
            facts=ticket_facts(issued, ticket_state(issued)),
            qr_svg=ticket_qr_svg(issued),
        ),
    )


@kiosk_page
def unknown_page(request: HttpRequest, site: str, rest: str) -> HttpResponse:
    """Any other address under the kiosk's: its 404, once the device is known
    (the login first, like every kiosk page)."""
    kiosk = _open_kiosk(request, site)
    if isinstance(kiosk, HttpResponse):
        return kiosk
    raise Http404

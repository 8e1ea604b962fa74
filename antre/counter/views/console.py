"""The officer's console: pick a counter, then work it.

Every button is a form that works without JavaScript (POST, then a redirect
back with a message); with htmx it posts in place and gets the refreshed
panel back, which also polls every few seconds. Each action is one call to
``antre.onsite.services``; its ``DomainError`` becomes a message on the panel
and changes nothing. Actions on the current ticket carry its id, so a press
on a stale screen never acts on a ticket the officer has not seen.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from antre.accounts import privacy
from antre.accounts.models import User
from antre.accounts.onsite_access import can_work_counter, is_counter_staff, workable_counters
from antre.catalog.models import Counter, Service, SiteService
from antre.core.errors import DomainError
from antre.counter.console import console_state
from antre.counter.views.staff import staff_login_required
from antre.onsite import services
from antre.onsite.models import Ticket

# Seconds between the panel's refreshes.
POLL_SECONDS = 4


class Refused(Exception):
    """An action the view refuses before calling a service (a stale screen)."""


def _officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return isinstance(htmx, HtmxDetails) and bool(htmx) and not htmx.history_restore_request


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "counter/forbidden.html", {"message": message}, status=403)


def _counter(request: HttpRequest, counter_id: int) -> Counter | HttpResponse:
    counter = get_object_or_404(
        Counter.objects.select_related("site"), pk=counter_id, is_active=True
    )
    if not can_work_counter(request.user, counter):
        return forbidden(request, _("Anda tidak bertugas di loket ini."))
    return counter


@require_GET
@staff_login_required
def pick(request: HttpRequest) -> HttpResponse:
    """The counters this account may work, grouped by site; 403 for an account
    that works no counters at all (a citizen, a device, an agency admin)."""
    if not is_counter_staff(request.user):
        return forbidden(request, _("Akun ini bukan akun petugas."))
    counters = (
        workable_counters(request.user)
        .select_related("site")
        .prefetch_related(
            # What each counter serves, so the officer picks the right one.
            Prefetch(
                "site_services",
                queryset=SiteService.objects.filter(is_active=True, service__is_active=True)
                .select_related("service")
                .order_by("service__name", "pk"),
                to_attr="served",
            )
        )
        .order_by("site__name", "site_id", "number")
    )
    sites = [(site, list(group)) for site, group in groupby(counters, key=lambda c: c.site)]
    return render(request, "counter/pick.html", {"sites": sites})


def _render_panel(
    request: HttpRequest,
    counter: Counter,
    *,
    notice: str = "",
    problem: str = "",
    template: str = "counter/console.html#panel",
) -> HttpResponse:
    state = console_state(counter)
    context = {
        "console": state,
        "notice": notice,
        "problem": problem,
        # An action's answer carries its message for the feedback box.
        "oob": bool(notice or problem),
        "poll_seconds": POLL_SECONDS,
        # The citizen's name and data are for the officer serving here.
        "shows_citizen": privacy.sees_citizen_at_counter(request.user, state.shift),  # type: ignore[arg-type]
        "reveal_choices": [
            (privacy.Field.PHONE.value, _("Tampilkan telepon")),
            (privacy.Field.NIK.value, _("Tampilkan NIK lengkap")),
        ],
    }
    return render(request, template, context)


@require_GET
@staff_login_required
def console(request: HttpRequest, counter_id: int) -> HttpResponse:
    counter = _counter(request, counter_id)
    if isinstance(counter, HttpResponse):
        return counter
    return _render_panel(request, counter, template="counter/console.html")


@require_GET
@staff_login_required
def panel(request: HttpRequest, counter_id: int) -> HttpResponse:
    """The console's refreshing part alone (htmx polls it)."""
    counter = _counter(request, counter_id)
    if isinstance(counter, HttpResponse):
        return counter
    return _render_panel(request, counter)


def _current_ticket(request: HttpRequest, counter: Counter) -> Ticket:
    """The ticket the pressed button was shown with, if it is still at this
    counter."""
    raw = request.POST.get("ticket", "")
    ticket = (
        Ticket.objects.select_related("site", "service", "counter")
        .filter(pk=int(raw), counter=counter)
        .first()
        if raw.isdigit()
        else None
    )
    if ticket is None:
        raise Refused(_("Nomor itu tidak lagi di loket ini; tampilan sudah diperbarui."))
    return ticket


def _call(request: HttpRequest, counter: Counter) -> str:
    ticket = services.call_next(counter=counter, actor=_officer(request))
    if ticket is None:
        return _("Tidak ada yang menunggu untuk loket ini.")
    return _("%(number)s dipanggil ke Loket %(counter)s.") % {
        "number": ticket.number,
        "counter": counter.number,
    }


def _recall(request: HttpRequest, counter: Counter) -> str:
    ticket = services.recall(ticket=_current_ticket(request, counter), actor=_officer(request))
    return _("%(number)s dipanggil ulang (panggilan ulang ke-%(count)s).") % {
        "number": ticket.number,
        "count": ticket.recall_count,
    }


def _start(request: HttpRequest, counter: Counter) -> str:
    ticket = services.start_service(
        ticket=_current_ticket(request, counter), actor=_officer(request)
    )
    return _("%(number)s sedang dilayani.") % {"number": ticket.number}


def _finish(request: HttpRequest, counter: Counter) -> str:
    ticket = services.finish_service(
        ticket=_current_ticket(request, counter), actor=_officer(request)
    )
    return _("%(number)s selesai dilayani.") % {"number": ticket.number}


def _no_show(request: HttpRequest, counter: Counter) -> str:
    ticket = services.mark_no_show(
        ticket=_current_ticket(request, counter), actor=_officer(request)
    )
    return _("%(number)s ditandai tidak hadir.") % {"number": ticket.number}


def _transfer(request: HttpRequest, counter: Counter) -> str:
    ticket = _current_ticket(request, counter)
    raw = request.POST.get("service", "")
    service = Service.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if service is None:
        raise Refused(_("Pilih layanan tujuan pengalihan."))
    new = services.transfer(ticket=ticket, service=service, actor=_officer(request))
    return _("%(number)s dialihkan ke %(service)s dengan nomor baru %(new)s.") % {
        "number": ticket.number,
        "service": service.name,
        "new": new.number,
    }


def _pause(request: HttpRequest, counter: Counter) -> str:
    services.pause_counter(counter=counter, officer=_officer(request))
    return _("Loket %(counter)s dijeda; tidak ada nomor baru yang dipanggil.") % {
        "counter": counter.number
    }


def _resume(request: HttpRequest, counter: Counter) -> str:
    services.resume_counter(counter=counter, officer=_officer(request))
    return _("Loket %(counter)s melayani lagi.") % {"counter": counter.number}


def _open(request: HttpRequest, counter: Counter) -> str:
    services.open_shift(counter=counter, officer=_officer(request))
    return _("Loket %(counter)s dibuka.") % {"counter": counter.number}


def _close(request: HttpRequest, counter: Counter) -> str:
    services.close_counter(counter=counter)
    return _("Loket %(counter)s ditutup.") % {"counter": counter.number}


# The URL's action slug (Indonesian, like every path of antre) to its handler.
ACTIONS: dict[str, Callable[[HttpRequest, Counter], str]] = {
    "panggil": _call,
    "panggil-ulang": _recall,
    "mulai": _start,
    "selesai": _finish,
    "tidak-hadir": _no_show,
    "alihkan": _transfer,
    "jeda": _pause,
    "lanjutkan": _resume,
    "buka": _open,
    "tutup": _close,
}


@require_POST
@staff_login_required
def citizen_data(request: HttpRequest, counter_id: int) -> HttpResponse:
    """Reveal the phone or the full NIK of the citizen whose ticket is at this
    counter, or check a NIK the citizen shows against the account's
    (docs/privacy.md). Each is audited by ``antre.accounts.privacy``.

    Answered with the page itself, never a redirect: the value must not pass
    through the messages cookie, and ``no-store`` keeps it out of caches."""
    counter = _counter(request, counter_id)
    if isinstance(counter, HttpResponse):
        return counter
    notice = problem = ""
    try:
        ticket = _current_ticket(request, counter)
        citizen = privacy.citizen_of(ticket)
        if citizen is None:
            raise Refused(_("Nomor ini bukan milik akun warga; tidak ada data untuk dibuka."))
        what = request.POST.get("what", "")
        if what == "verify":
            typed = request.POST.get("nik", "")
            if privacy.verify_nik(
                viewer=_officer(request), citizen=citizen, typed=typed, ticket=ticket
            ):
                notice = _("NIK cocok dengan akun %(number)s.") % {"number": ticket.number}
            else:
                problem = _("NIK TIDAK cocok dengan akun %(number)s.") % {"number": ticket.number}
        elif what in (privacy.Field.PHONE, privacy.Field.NIK):
            value = privacy.reveal_personal_data(
                viewer=_officer(request), citizen=citizen, field=privacy.Field(what), ticket=ticket
            )
            label = _("Telepon") if what == privacy.Field.PHONE else _("NIK")
            notice = _("%(label)s pemohon %(number)s: %(value)s") % {
                "label": label,
                "number": ticket.number,
                "value": value or _("tidak ada"),
            }
        else:
            raise Http404
    except privacy.NotAllowed:
        return forbidden(request, _("Anda tidak berwenang membuka data warga ini."))
    except Refused as refused:
        problem = str(refused)
    if _is_htmx(request):
        response = _render_panel(request, counter, notice=notice, problem=problem)
    else:
        response = _render_panel(
            request, counter, notice=notice, problem=problem, template="counter/console.html"
        )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_login_required
def action(request: HttpRequest, counter_id: int, name: str) -> HttpResponse:
    handler = ACTIONS.get(name)
    if handler is None:
        raise Http404
    counter = _counter(request, counter_id)
    if isinstance(counter, HttpResponse):
        return counter
    notice = problem = ""
    try:
        notice = handler(request, counter)
    except DomainError as error:
        problem = f"{error.title}: {error.detail}"
    except Refused as refused:
        problem = str(refused)
    if _is_htmx(request):
        return _render_panel(request, counter, notice=notice, problem=problem)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, notice)
    return redirect("counter:console", counter_id=counter.pk)

"""The hall's display board (``/papan/<site>/``) and the citizen's live ticket
page behind the ticket's QR (``/antrean/<public_id>/``).

Both render everything on the server first and then follow the site's or
the ticket's event stream (``/api/v1/.../events``, served by the API); their
scripts only apply what the stream says, and resynchronise from the JSON or
HTML fragment here after a reconnection.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from antre.accounts.onsite_access import can_show_board
from antre.board.announcements import clip_texts
from antre.board.audio import MANIFEST_STATIC_PATH
from antre.board.reads import ADMITTED_MINUTES, board_state, state_json
from antre.booking.availability import zone_name
from antre.catalog.models import Site
from antre.core import clock, ratelimits
from antre.core.ratelimits import limit_page
from antre.onsite.models import TicketStatus
from antre.onsite.selectors import find_ticket, successor_of, ticket_state

# Announce a call only while it is this fresh: a board that reconnects and is
# replayed what it missed shows those calls but does not read them out late.
FRESH_CALL_SECONDS = 90
# The live ticket page polls this often when its event stream is unavailable.
TICKET_POLL_SECONDS = 15
# When more services wait than the board's list can show, it shows them a
# page at a time, each for this long.
WAITING_PAGE_SECONDS = 8


# The session key of the day a board's session was last renewed.
RENEWED_KEY = "board.session_renewed"


def _keep_session(request: HttpRequest, site: Site) -> None:
    """A TV shows its board for months: saving the session once a day (the
    page and its minutely check come here) moves its expiry on, so the
    board is not sent back to the login every two weeks."""
    today = clock.today(site.timezone).isoformat()
    if request.session.get(RENEWED_KEY) != today:
        request.session[RENEWED_KEY] = today


def _board_site(request: HttpRequest, slug: str) -> Site | HttpResponse:
    """The site whose board this account may show; the staff login for a
    visitor (a TV is logged in once, as the site's board device)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("counter:staff_login"))
    site = get_object_or_404(Site, slug=slug, is_active=True)
    if not can_show_board(request.user, site):
        return render(
            request,
            "board/forbidden.html",
            {"message": _("Akun ini tidak boleh menampilkan papan gerai ini.")},
            status=403,
        )
    _keep_session(request, site)
    return site


@require_GET
@never_cache
def board(request: HttpRequest, site: str) -> HttpResponse:
    found = _board_site(request, site)
    if isinstance(found, HttpResponse):
        return found
    state = board_state(found)
    local_now = state.now.astimezone(found.tzinfo)
    config: dict[str, Any] = {
        "eventsUrl": f"/api/v1/sites/{found.slug}/events",
        "stateUrl": reverse("board:state", kwargs={"site": found.slug}),
        "manifestUrl": static(MANIFEST_STATIC_PATH),
        "timezone": found.timezone,
        "serverNow": state.now.isoformat(),
        "lastEventId": state.last_event_id,
        "freshCallSeconds": FRESH_CALL_SECONDS,
        "admittedMinutes": ADMITTED_MINUTES,
        "waitingPageSeconds": WAITING_PAGE_SECONDS,
        "services": {
            slug: {"name": service.name, "prefix": service.prefix}
            for slug, service in state.services.items()
        },
        "texts": clip_texts(),
        "strings": {
            "counter": _("Loket %(counter)s"),
            "noCalls": _("Belum ada panggilan."),
            "nobodyWaiting": _("Tidak ada yang menunggu."),
            "full": _("Penuh: tunggu dipanggil masuk"),
            "waitingPage": _("Halaman %(page)s dari %(pages)s"),
        },
        "state": state_json(state),
    }
    return render(
        request,
        "board/board.html",
        {
            "site": found,
            "state": state,
            "config": config,
            "zone": zone_name(found),
            "clock": date_format(local_now, pgettext("time of day", "H.i")),
            "today": date_format(local_now, pgettext("long date", "l, j F Y")),
        },
    )


@require_GET
@never_cache
def board_state_json(request: HttpRequest, site: str) -> HttpResponse:
    """What the board shows, for its script to resynchronise after a lost
    connection (401 when the session is gone: the script reloads the page,
    which leads to the login)."""
    if not request.user.is_authenticated:
        return JsonResponse({"code": "unauthenticated"}, status=401)
    found = _board_site(request, site)
    if isinstance(found, HttpResponse):
        return JsonResponse({"code": "forbidden"}, status=found.status_code)
    return JsonResponse(state_json(board_state(found)))


def _ticket_context(public_id: str) -> dict[str, Any] | None:
    ticket = find_ticket(public_id)
    if ticket is None:
        return None
    state = ticket_state(ticket)
    return {
        "ticket": ticket,
        "state": state,
        "ahead": max(state.position - 1, 0),
        "successor": successor_of(ticket),
        "zone": zone_name(ticket.site),
        "now": clock.now(),
        "is_final": ticket.status
        in (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.TRANSFERRED),
    }


def _not_found(request: HttpRequest, response: HttpResponse) -> bool:
    return response.status_code == 404


# An unknown id is counted against the address and audited: guessing ids shows.
_limit_ticket_lookup = limit_page(
    ratelimits.LOOKUP_IP, methods=("GET", "HEAD"), failed=_not_found, lookup="ticket"
)


@require_GET
@never_cache
@_limit_ticket_lookup
def ticket_live(request: HttpRequest, public_id: str) -> HttpResponse:
    """No login: the long random id behind the ticket's QR is the key."""
    context = _ticket_context(public_id)
    if context is None:
        return render(request, "board/ticket_not_found.html", status=404)
    context["config"] = {
        "eventsUrl": f"/api/v1/tickets/{public_id}/events",
        "statusUrl": reverse("board:ticket_status", kwargs={"public_id": public_id}),
        "pollSeconds": TICKET_POLL_SECONDS,
        "final": context["is_final"],
    }
    return render(request, "board/ticket.html", context)


@require_GET
@never_cache
@_limit_ticket_lookup
def ticket_status(request: HttpRequest, public_id: str) -> HttpResponse:
    """The live part of the ticket page alone (the page's script swaps it in)."""
    context = _ticket_context(public_id)
    if context is None:
        return render(request, "board/ticket_not_found.html", status=404)
    return render(request, "board/ticket.html#status", context)

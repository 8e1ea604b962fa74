"""On site (API.md "On site"): check-in and walk-ins at the kiosk, calls at the
counters, each step of a ticket's life, the board, and the public ticket page.

Thin: parse, check who may, call one service or selector of
``antre.onsite``, render (STYLE.md rule 1). Who may do what is decided by
``antre.accounts.onsite_access``:

* a site's kiosk endpoints (check-in, walk-in) take a kiosk device of that
  site, its site admins and city admins; anyone else signed in gets 403
  ``forbidden`` (sites are public, so their existence is no secret);
* a counter is answered for only to those who may work it (an officer of
  its site, of an agency it serves if the officer is scoped to one; the
  site's admins; city admins); to anyone else it does not exist (404);
* a ticket (by numeric id) is answered for only to staff who may operate its
  site (officers, site admins, city admins); to anyone else, 404;
* the board and its event stream take the site's board device or any staff
  of the site (403 for anyone else signed in);
* ``GET /tickets/{public_id}`` needs nothing but the long random id behind
  the ticket's QR code.

Devices and staff authenticate with a bearer token; browser pages of the
kiosk, the counter console and the board may use their Django session
instead (``antre.api.session``), and then every unsafe request must carry
the CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from antre.accounts.models import User
from antre.accounts.onsite_access import (
    can_operate_ticket,
    can_show_board,
    can_use_kiosk,
    workable_counters,
)
from antre.api import idempotency
from antre.api.problems import problems
from antre.api.ratelimit import caller_account, limit_operation
from antre.api.rendering import no_content
from antre.api.schemas.onsite import (
    BoardCall,
    BoardOut,
    CheckInIn,
    CounterOut,
    PublicTicketOut,
    TicketOut,
    TransferIn,
    WalkInIn,
)
from antre.api.session import STAFF_AUTH
from antre.catalog import selectors as catalog_selectors
from antre.catalog.models import Counter, Site
from antre.core import ratelimits
from antre.core.errors import NotFound
from antre.onsite import selectors, services
from antre.onsite.errors import UnknownCode, UnknownService
from antre.onsite.models import Ticket, TicketKind, TicketStatus
from antre.onsite.selectors import BoardSnapshot

router = Router(tags=["On site"])


def caller(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


# --- what the caller may reach ----------------------------------------------


def public_site(slug: str) -> Site:
    site = catalog_selectors.find_public_site(slug)
    if site is None:
        raise NotFound(_("Gerai ini tidak ada."))
    return site


def kiosk_site(request: HttpRequest, slug: str) -> Site:
    """The site whose kiosk the caller runs; 404 for an unknown site, 403 when
    the caller is no kiosk of it."""
    site = public_site(slug)
    if not can_use_kiosk(caller(request), site):
        raise PermissionDenied
    return site


def board_site(user: User, slug: str) -> Site:
    """The site whose board the caller may show; 404 unknown, 403 not theirs."""
    site = public_site(slug)
    if not can_show_board(user, site):
        raise PermissionDenied
    return site


def worked_counter(request: HttpRequest, counter_id: int) -> Counter:
    """A counter the caller may work; 404 for any other (or none)."""
    counter = (
        workable_counters(caller(request)).select_related("site").filter(pk=counter_id).first()
    )
    if counter is None:
        raise NotFound(_("Loket ini tidak ada."))
    return counter


def operable_ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    """A ticket the caller may act on (``can_operate_ticket``); 404 for any
    other (or none)."""
    ticket = selectors.find_ticket_by_id(ticket_id)
    if ticket is None or not can_operate_ticket(caller(request), ticket):
        raise NotFound(_("Nomor antrean ini tidak ada."))
    return ticket


def reread(ticket: Ticket) -> Ticket:
    """The ticket again, with what the API shows joined in, after a service changed it."""
    fresh = selectors.find_ticket_by_id(ticket.pk)
    if fresh is None:  # pragma: no cover (written in this request; never deleted)
        raise NotFound()
    return fresh


# --- rendering ----------------------------------------------------------------


def ticket_out(ticket: Ticket) -> TicketOut:
    """A ticket as staff and devices see it; expects ``find_ticket_by_id``'s joins."""
    state = selectors.ticket_state(ticket)
    tz = ticket.site.tzinfo
    counter = ticket.counter
    return TicketOut(
        id=ticket.pk,
        public_id=ticket.public_id,
        number=ticket.number,
        service=ticket.service.slug,
        service_name=ticket.service.name,
        site=ticket.site.slug,
        status=TicketStatus(ticket.status),
        kind=TicketKind(ticket.kind),
        priority=ticket.priority or None,  # type: ignore[arg-type]
        booking_code=ticket.booking.code if ticket.booking is not None else None,
        issued_at=ticket.issued_at.astimezone(tz),
        called_at=ticket.called_at.astimezone(tz) if ticket.called_at else None,
        counter=counter.number if counter is not None else None,
        recall_count=ticket.recall_count,
        position=state.position,
        estimated_call_at=(
            state.estimated_call_at.astimezone(tz) if state.estimated_call_at else None
        ),
        enter_now=state.enter_now,
    )


def public_ticket_out(ticket: Ticket) -> PublicTicketOut:
    """What the ticket's holder sees; nothing of the booking or the citizen."""
    state = selectors.ticket_state(ticket)
    tz = ticket.site.tzinfo
    counter = ticket.counter
    successor = selectors.successor_of(ticket)
    return PublicTicketOut(
        number=ticket.number,
        service=ticket.service.slug,
        service_name=ticket.service.name,
        site=ticket.site.slug,
        site_name=ticket.site.name,
        status=TicketStatus(ticket.status),
        position=state.position,
        estimated_call_at=(
            state.estimated_call_at.astimezone(tz) if state.estimated_call_at else None
        ),
        enter_now=state.enter_now,
        issued_at=ticket.issued_at.astimezone(tz),
        called_at=ticket.called_at.astimezone(tz) if ticket.called_at else None,
        counter=counter.number if counter is not None else None,
        transferred_to=successor.public_id if successor is not None else None,
    )


def board_out(snapshot: BoardSnapshot) -> BoardOut:
    tz = snapshot.site.tzinfo
    return BoardOut(
        called=[
            BoardCall(
                number=call.number,
                counter=call.counter,
                called_at=call.called_at.astimezone(tz),
                service=call.service,
            )
            for call in snapshot.called
        ],
        waiting=snapshot.waiting,
        inside=snapshot.inside,
        capacity=snapshot.capacity,
    )


def counter_out(counter: Counter) -> CounterOut:
    shift = selectors.open_shift_of(counter.pk)
    current = selectors.current_ticket_at(counter.pk)
    if shift is None:
        state = "closed"
    elif shift.paused_at is not None:
        state = "paused"
    else:
        state = "open"
    return CounterOut(
        id=counter.pk,
        number=counter.number,
        name=counter.name,
        site=counter.site.slug,
        state=state,  # type: ignore[arg-type]
        services=selectors.counter_service_slugs(counter.pk),
        current=ticket_out(current) if current is not None else None,
    )


# --- the kiosk ----------------------------------------------------------------

KIOSK_ACCESS = (
    "For the site's kiosk device, its site admins and city admins (bearer token or a "
    "signed-in kiosk page with its CSRF token); 403 `forbidden` for anyone else signed in, "
    "404 `not_found` for an unknown site."
)


@router.post(
    "/sites/{site}/checkins",
    auth=STAFF_AUTH,
    response={201: TicketOut, **problems(401, 403, 404, 409, 422, 429)},
    summary="Check in a booking at the kiosk",
    description=(
        "Turns a booking into a ticket: accepted from the site's check-in opening (30 minutes "
        "before the slot by default) until its closing (15 minutes after). Two scans of one "
        "code issue one ticket; send an `Idempotency-Key` to get the same ticket back on a "
        "retry. Errors: 404 `unknown_code`; 409 `already_checked_in`; 422 `too_early`, "
        "`too_late`, `wrong_site` (the booking is for another site), `cancelled`. " + KIOSK_ACCESS
    ),
    operation_id="create_checkin",
    openapi_extra=idempotency.openapi_header(
        replayed="issues no second ticket", note="Bearer tokens only."
    ),
)
@limit_operation(
    ratelimits.LOOKUP_KIOSK,
    account=caller_account,
    failures=(UnknownCode,),
    lookup="booking_code",
    looked_up=lambda arguments: f"{arguments['site']}/{arguments['payload'].code}",
)
def create_checkin(request: HttpRequest, site: str, payload: CheckInIn) -> Status[TicketOut]:
    found = kiosk_site(request, site)
    ticket = services.check_in(
        site=found, code=payload.code, actor=caller(request), priority=payload.priority or ""
    )
    return Status(201, ticket_out(reread(ticket)))


@router.post(
    "/sites/{site}/tickets",
    auth=STAFF_AUTH,
    response={201: TicketOut, **problems(401, 403, 404, 409, 422)},
    summary="Issue a walk-in ticket at the kiosk",
    description=(
        "A ticket without a booking while the service's daily walk-in quota at the site lasts. "
        "Send an `Idempotency-Key` so that a retry does not take a second ticket from the "
        "quota. Errors: 409 `walk_in_quota_exhausted`; 422 `closed` (outside opening hours, a "
        "holiday or a closure), `walk_in_not_allowed` (bookings only); 404 `unknown_service` "
        "(not offered at the site). " + KIOSK_ACCESS
    ),
    operation_id="create_walk_in_ticket",
    openapi_extra=idempotency.openapi_header(
        replayed="issues no second ticket", note="Bearer tokens only."
    ),
)
def create_walk_in_ticket(request: HttpRequest, site: str, payload: WalkInIn) -> Status[TicketOut]:
    found = kiosk_site(request, site)
    offer = catalog_selectors.find_offered_site_service(
        site_slug=found.slug, service_slug=payload.service
    )
    if offer is None:
        raise UnknownService()
    ticket = services.issue_walk_in(
        site=found, service=offer.service, actor=caller(request), priority=payload.priority or ""
    )
    return Status(201, ticket_out(reread(ticket)))


# --- counters -------------------------------------------------------------------

COUNTER_ACCESS = (
    "For those who may work the counter: officers of its site (of an agency it serves, when "
    "the officer is scoped to one), the site's admins and city admins; to anyone else the "
    "counter does not exist (404 `not_found`)."
)


@router.get(
    "/counters/{id}",
    auth=STAFF_AUTH,
    response={200: CounterOut, **problems(401, 404, 422)},
    summary="A counter's state",
    description="Closed, open or paused, its services, and the ticket at it now. " + COUNTER_ACCESS,
    operation_id="get_counter",
)
def get_counter(request: HttpRequest, id: int) -> CounterOut:
    return counter_out(worked_counter(request, id))


@router.post(
    "/counters/{id}/call-next",
    auth=STAFF_AUTH,
    response={200: TicketOut, 204: None, **problems(401, 404, 409, 422)},
    summary="Call the next ticket to the counter",
    description=(
        "Calls the next waiting ticket of the counter's services in queue order (appointments "
        "due, walk-ins with their guaranteed share, priority groups first) and opens the "
        "counter's shift if none is open. 200 with the ticket, now `called`; **204 with no "
        "body** when nobody waits. Two counters calling at the same instant never get one "
        "ticket. Errors: 409 `counter_busy` (a ticket is still called or served here: finish "
        "it or mark it no-show first), `counter_paused`. " + COUNTER_ACCESS
    ),
    operation_id="call_next_ticket",
)
def call_next_ticket(request: HttpRequest, id: int) -> Status[TicketOut] | HttpResponse:
    counter = worked_counter(request, id)
    ticket = services.call_next(counter=counter, actor=caller(request))
    if ticket is None:
        return no_content()
    return Status(200, ticket_out(reread(ticket)))


@router.post(
    "/counters/{id}/pause",
    auth=STAFF_AUTH,
    response={200: CounterOut, **problems(401, 404, 422)},
    summary="Pause the counter",
    description="The counter stays open but calls nobody (a break). " + COUNTER_ACCESS,
    operation_id="pause_counter",
)
def pause_counter(request: HttpRequest, id: int) -> CounterOut:
    counter = worked_counter(request, id)
    services.pause_counter(counter=counter, officer=caller(request))
    return counter_out(counter)


@router.post(
    "/counters/{id}/resume",
    auth=STAFF_AUTH,
    response={200: CounterOut, **problems(401, 404, 422)},
    summary="Resume the counter",
    description="Ends a pause (and opens the shift if none is open). " + COUNTER_ACCESS,
    operation_id="resume_counter",
)
def resume_counter(request: HttpRequest, id: int) -> CounterOut:
    counter = worked_counter(request, id)
    services.resume_counter(counter=counter, officer=caller(request))
    return counter_out(counter)


# --- a ticket's life ------------------------------------------------------------

TICKET_ACCESS = (
    "`{id}` is the ticket's numeric `id`. For officers, site admins and city admins of the "
    "ticket's site (an officer of one agency: that agency's tickets, and any ticket called to "
    "a counter they work); to anyone else the ticket does not exist (404 `not_found`)."
)


def _ticket_step(
    path: str, operation_id: str, summary: str, description: str
) -> Any:  # the ninja decorator
    return router.post(
        path,
        auth=STAFF_AUTH,
        response={200: TicketOut, **problems(401, 404, 409, 422)},
        summary=summary,
        description=description + " " + TICKET_ACCESS,
        operation_id=operation_id,
    )


@_ticket_step(
    "/tickets/{id}/recall",
    "recall_ticket",
    "Call a ticket again",
    "Announces a `called` ticket again on the board (`ticket.recalled`). "
    "409 `invalid_transition` unless the ticket is `called`.",
)
def recall_ticket(request: HttpRequest, id: int) -> TicketOut:
    ticket = services.recall(ticket=operable_ticket(request, id), actor=caller(request))
    return ticket_out(reread(ticket))


@_ticket_step(
    "/tickets/{id}/start",
    "start_ticket",
    "Start serving a ticket",
    "`called` becomes `serving`. 409 `invalid_transition` from any other status.",
)
def start_ticket(request: HttpRequest, id: int) -> TicketOut:
    ticket = services.start_service(ticket=operable_ticket(request, id), actor=caller(request))
    return ticket_out(reread(ticket))


@_ticket_step(
    "/tickets/{id}/finish",
    "finish_ticket",
    "Finish serving a ticket",
    "`serving` (or `called`) becomes `done`; the booking is completed and the ticket's place "
    "in the waiting room goes to the next in line outside. 409 `invalid_transition` from any "
    "other status.",
)
def finish_ticket(request: HttpRequest, id: int) -> TicketOut:
    ticket = services.finish_service(ticket=operable_ticket(request, id), actor=caller(request))
    return ticket_out(reread(ticket))


@_ticket_step(
    "/tickets/{id}/no-show",
    "mark_ticket_no_show",
    "Mark a ticket as not shown up",
    "`called` becomes `no_show` once it was recalled as often as the site requires (two "
    "recalls by default); the booking is marked no-show and the place in the room frees. "
    "409 `invalid_transition` otherwise.",
)
def mark_ticket_no_show(request: HttpRequest, id: int) -> TicketOut:
    ticket = services.mark_no_show(ticket=operable_ticket(request, id), actor=caller(request))
    return ticket_out(reread(ticket))


@router.post(
    "/tickets/{id}/transfer",
    auth=STAFF_AUTH,
    response={200: TicketOut, **problems(401, 404, 409, 422)},
    summary="Send a ticket on to another service",
    description=(
        "The ticket becomes `transferred` and a new ticket (a new number) waits in the other "
        "service's queue at the same site, keeping the original place in line and the place "
        "in the waiting room. Answers with the **new** ticket. Errors: 409 "
        "`invalid_transition` (the ticket is already done, no-show or transferred); 404 "
        "`unknown_service` (not offered at the site). " + TICKET_ACCESS
    ),
    operation_id="transfer_ticket",
)
def transfer_ticket(request: HttpRequest, id: int, payload: TransferIn) -> TicketOut:
    ticket = operable_ticket(request, id)
    offer = catalog_selectors.find_offered_site_service(
        site_slug=ticket.site.slug, service_slug=payload.service
    )
    if offer is None:
        raise UnknownService()
    new = services.transfer(ticket=ticket, service=offer.service, actor=caller(request))
    return ticket_out(reread(new))


# --- the board and the public ticket page ---------------------------------------


@router.get(
    "/sites/{site}/board",
    auth=STAFF_AUTH,
    response={200: BoardOut, **problems(401, 403, 404, 422)},
    summary="What the site's board shows",
    description=(
        "The last calls (newest first), who waits per service, and people in the waiting room "
        "against its capacity. For the site's board device and any staff of the site (and "
        "city admins); 403 `forbidden` for anyone else signed in. The event stream "
        "`GET /sites/{site}/events` sends the same as `board.updated` events."
    ),
    operation_id="get_board",
)
def get_board(request: HttpRequest, site: str) -> BoardOut:
    found = board_site(caller(request), site)
    return board_out(selectors.board_snapshot(found))


@router.get(
    "/tickets/{public_id}",
    auth=None,
    response={200: PublicTicketOut, **problems(404, 422, 429)},
    summary="A ticket, for its holder",
    description=(
        "No authentication: the long random `public_id` sits behind the ticket's QR code and "
        "is the key. Place in the queue, estimated call time, and whether to come into the "
        "waiting room (`enter_now`). After a transfer, `transferred_to` names the new ticket. "
        "Live updates: `GET /tickets/{public_id}/events`. 404 `not_found` for an unknown id."
    ),
    operation_id="get_public_ticket",
)
@limit_operation(
    ratelimits.LOOKUP_IP,
    failures=(NotFound,),
    lookup="ticket",
    looked_up=lambda arguments: str(arguments.get("public_id", "")),
)
def get_public_ticket(request: HttpRequest, public_id: str) -> PublicTicketOut:
    ticket = selectors.find_ticket(public_id)
    if ticket is None:
        raise NotFound(_("Nomor antrean ini tidak ada."))
    return public_ticket_out(ticket)

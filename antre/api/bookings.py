"""A citizen's bookings: book, list, look up, cancel, reschedule, and the
booking's QR code and calendar entry.

Thin: parse, call one booking service or selector, render (STYLE.md rule 1).
Who may do what:

* the owner (the citizen who booked) may do everything;
* staff of the booking's site or agency (``booking_visible_to``) may look it
  up; cancelling, rescheduling and its QR code and calendar file are the
  owner's, so staff get 403 ``forbidden`` there (they may see that it exists);
* anyone else gets 404 ``not_found``, exactly as for a code that does not
  exist, so that nobody learns that another citizen's booking does.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from antre.accounts.models import User
from antre.api import idempotency
from antre.api.auth import bearer_auth
from antre.api.problems import problems
from antre.api.ratelimit import caller_account, challenge_required, limit_operation
from antre.api.rendering import json_response
from antre.api.schemas.bookings import (
    BookingIn,
    BookingList,
    BookingListQuery,
    BookingOut,
    BookingSlot,
    RescheduleIn,
)
from antre.api.schemas.common import paginate
from antre.booking import documents, selectors, services
from antre.booking.models import Booking, BookingStatus
from antre.core import ratelimits
from antre.core.codes import parse_code
from antre.core.errors import NotFound

router = Router(auth=bearer_auth, tags=["Bookings"])

BOOKINGS_PATH = "/api/v1/bookings/"
# The QR code is a function of the code alone, which never changes (not even
# on a reschedule); the calendar entry changes with the booking.
QR_CACHE_CONTROL = "private, max-age=86400"
CALENDAR_CACHE_CONTROL = "private, no-cache"

# Shared by every operation that books a seat: API.md, "errors as POST /bookings".
BOOKING_ERRORS = """
Errors: 409 `slot_full`, `duplicate_booking` (an active booking of this service
already), `booking_limit_reached` (too many active bookings),
`request_window_open` (a high-demand day whose seats are released fairly:
its request window runs or its draw is due; ask for a seat instead); 422
`outside_booking_window` (not open yet, or closed shortly before the start),
`email_not_verified`, `slot_closed` (past or closed); 404 `unknown_slot`;
403 `not_a_citizen` for a staff or device token; 429 `rate_limited` (with
`Retry-After`) after too many bookings by one account."""

CODE_LOOKUP = """
The code in the path may be typed as people do: any case, with or without the
dash, O/I/L for 0/1/1. 404 `not_found` for a code that does not exist or is
not the caller's to see (the same answer, so that another citizen's booking
cannot be detected). Such misses are audited, and after too many of them in an
hour the account gets 429 `rate_limited` (with `Retry-After`)."""


# Every operation that finds a booking by the code in its path: a code that
# is not the caller's to see counts as a miss, and too many misses in an
# hour answer 429 (CODE_LOOKUP), whichever of them the caller guessed with.
class UnknownCode(NotFound):
    """No booking of this code that the caller may see: the same 404
    ``not_found`` as any other, told apart only to count it as a miss (a
    slot or a page that does not exist is no guessed code)."""


code_lookup = limit_operation(
    ratelimits.LOOKUP_ACCOUNT,
    account=caller_account,
    failures=(UnknownCode,),
    lookup="booking_code",
    looked_up=lambda arguments: str(arguments.get("code", "")),
)


def _binary_response(media_type: str, description: str) -> dict[str, object]:
    """The OpenAPI 200 response of an operation that answers with a file."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def booking_out(booking: Booking) -> BookingOut:
    """A booking as the API shows it; expects its slot, site and service
    (with agency) loaded, as ``selectors.bookings_with_details`` and
    ``services.create_booking`` give them."""
    site = booking.site
    service = booking.service
    tz = site.tzinfo
    base = f"{settings.BASE_URL}{BOOKINGS_PATH}{booking.code}"
    return BookingOut(
        code=booking.code,
        display_code=booking.display_code,
        status=BookingStatus(booking.status),
        site=site.slug,
        site_name=site.name,
        service=service.slug,
        service_name=service.name,
        agency=service.agency.slug,
        timezone=site.timezone,
        slot=BookingSlot(
            id=booking.slot_id,
            start=booking.slot.start.astimezone(tz),
            end=booking.slot.end.astimezone(tz),
        ),
        created=booking.created_at.astimezone(tz),
        qr_url=f"{base}/qr.svg",
        qr_png_url=f"{base}/qr.png",
        calendar_url=f"{base}/calendar.ics",
    )


def caller(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def visible_booking(request: HttpRequest, code: str) -> Booking:
    """The booking of ``code`` if the caller may see it, else ``UnknownCode`` (404)."""
    canonical = parse_code(code)
    booking = (
        selectors.booking_visible_to(user=caller(request), code=canonical)
        if canonical is not None
        else None
    )
    if booking is None:
        raise UnknownCode()
    return booking


def owned_booking(request: HttpRequest, code: str) -> Booking:
    """The caller's own booking of ``code``: 403 for staff who may only see
    it, 404 for everyone else."""
    booking = visible_booking(request, code)
    if booking.citizen_id != caller(request).pk:
        raise PermissionDenied
    return booking


def reread(booking: Booking) -> Booking:
    """The booking again, with its details, after a service changed it."""
    fresh = selectors.find_booking(booking.code)
    if fresh is None:  # pragma: no cover (written in this request; never deleted)
        raise NotFound()
    return fresh


@router.post(
    "",
    response={201: BookingOut, **problems(401, 403, 404, 409, 422, 429)},
    summary="Book a slot",
    description=(
        "Takes one seat of the slot for the caller, who must be a citizen with a verified "
        "e-mail address; the confirmation e-mail (with the QR code) follows. Send an "
        "`Idempotency-Key`: a retry with the same key answers with the first booking and "
        "books nothing again.\n" + BOOKING_ERRORS
    ),
    operation_id="create_booking",
    openapi_extra=idempotency.openapi_header(),
)
@limit_operation(ratelimits.BOOKING_ACCOUNT, account=caller_account)
@challenge_required
def create_booking(request: HttpRequest, payload: BookingIn) -> HttpResponse:
    # The answer is rendered before the booking's transaction begins, and the
    # record of its Idempotency-Key written inside it
    # (idempotency.answers_in_own_transaction): the parsing, the reads, the
    # checks and the rendering stay outside the write lock.
    pending = idempotency.pending_answer(request)
    answered: list[HttpResponse] = []

    def answer(booking: Booking) -> Callable[[], object]:
        # The new booking carries its slot, site and service as the service
        # loaded them: nothing to read again (booking_out's expectations).
        response = json_response(request, booking_out(booking), status=201)
        answered[:] = [response]
        if pending is None:
            return lambda: None
        return pending.recorder(request, response)

    try:
        services.create_booking(citizen=caller(request), slot_id=payload.slot_id, answer=answer)
    except idempotency.KeyTaken:
        return idempotency.taken_response()
    except Exception:
        if pending is not None:  # its record rolled back with the booking
            pending.recorded = False
        raise
    return answered[0]


idempotency.answers_in_own_transaction("POST", BOOKINGS_PATH.rstrip("/"))


@router.get(
    "",
    response={200: BookingList, **problems(401, 422)},
    summary="List the caller's bookings",
    description=(
        "The caller's own bookings of every status, newest first (by when they were made), "
        "optionally only those of one `status`. Paginated with `limit` (1-200, default 50) "
        "and `offset`."
    ),
    operation_id="list_bookings",
)
def list_bookings(request: HttpRequest, query: Query[BookingListQuery]) -> BookingList:
    bookings, count = paginate(
        selectors.citizen_bookings(citizen=caller(request), status=query.status), query
    )
    return BookingList(items=[booking_out(booking) for booking in bookings], count=count)


@router.get(
    "/{code}",
    response={200: BookingOut, **problems(401, 404, 422, 429)},
    summary="Look up a booking",
    description=(
        "For its owner, and for staff of its site or agency: a city admin, the site's "
        "admin, the agency's admin (at every site, or at this one), an officer of the "
        "site (of any agency, or of this one). Devices (kiosks, boards) see no bookings.\n"
        + CODE_LOOKUP
    ),
    operation_id="get_booking",
)
@code_lookup
def get_booking(request: HttpRequest, code: str) -> BookingOut:
    return booking_out(visible_booking(request, code))


@router.post(
    "/{code}/cancel",
    response={200: BookingOut, **problems(401, 403, 404, 409, 422, 429)},
    summary="Cancel a booking",
    description=(
        "The owner cancels a confirmed booking until the service's cut-off before the slot "
        "(usually two hours); the seat is freed at once. 409 `not_cancellable` for a booking "
        "that is not confirmed any more or is past the cut-off. 403 `forbidden` for staff "
        "who may see the booking (they cancel in the back office). An `Idempotency-Key` "
        "makes a retry answer as the first cancel did.\n" + CODE_LOOKUP
    ),
    operation_id="cancel_booking",
    openapi_extra=idempotency.openapi_header(),
)
@code_lookup
def cancel_booking(request: HttpRequest, code: str) -> BookingOut:
    booking = owned_booking(request, code)
    cancelled = services.cancel_booking(booking=booking, actor=caller(request))
    return booking_out(reread(cancelled))


@router.post(
    "/{code}/reschedule",
    response={200: BookingOut, **problems(401, 403, 404, 409, 422, 429)},
    summary="Move a booking to another slot",
    description=(
        "The owner moves a confirmed booking to another slot of the same service, at this "
        "site or another one offering it; the code stays. The new seat is taken and the old "
        "one freed in one transaction. Moving to the slot it is at already changes nothing. "
        "409 `not_cancellable` for a booking that is not confirmed any more or is past the "
        "service's cut-off; 422 `wrong_service` for a slot of another service; 403 "
        "`forbidden` for staff who may see the booking. Taking the new seat counts against "
        "the account's booking rate limit, as a booking does.\n"
        + BOOKING_ERRORS
        + "\n"
        + CODE_LOOKUP
    ),
    operation_id="reschedule_booking",
    openapi_extra=idempotency.openapi_header(),
)
@code_lookup
@limit_operation(ratelimits.BOOKING_ACCOUNT, account=caller_account)
@challenge_required
def reschedule_booking(request: HttpRequest, code: str, payload: RescheduleIn) -> BookingOut:
    booking = owned_booking(request, code)
    moved = services.reschedule_booking(
        booking=booking, slot_id=payload.slot_id, actor=caller(request)
    )
    return booking_out(reread(moved))


OWNER_DOCUMENT = "\nFor the booking's owner only; 403 `forbidden` for staff who may see it.\n"


@router.get(
    "/{code}/qr.svg",
    response=problems(401, 403, 404, 422, 429),
    summary="The booking's QR code (SVG)",
    description=(
        "The QR code the kiosk scans to check in; it encodes the booking code. "
        "`Cache-Control: private`." + OWNER_DOCUMENT + CODE_LOOKUP
    ),
    operation_id="get_booking_qr_svg",
    openapi_extra=_binary_response("image/svg+xml", "An SVG image."),
)
@code_lookup
def booking_qr_svg(request: HttpRequest, code: str) -> HttpResponse:
    booking = owned_booking(request, code)
    response = HttpResponse(
        documents.booking_qr_svg(booking), content_type="image/svg+xml; charset=utf-8"
    )
    response["Cache-Control"] = QR_CACHE_CONTROL
    return response


@router.get(
    "/{code}/qr.png",
    response=problems(401, 403, 404, 422, 429),
    summary="The booking's QR code (PNG)",
    description=(
        "The same QR code as a 232-pixel PNG (8 pixels a module, with the quiet zone). "
        "`Cache-Control: private`." + OWNER_DOCUMENT + CODE_LOOKUP
    ),
    operation_id="get_booking_qr_png",
    openapi_extra=_binary_response("image/png", "A PNG image."),
)
@code_lookup
def booking_qr_png(request: HttpRequest, code: str) -> HttpResponse:
    booking = owned_booking(request, code)
    response = HttpResponse(documents.booking_qr_png(booking), content_type="image/png")
    response["Cache-Control"] = QR_CACHE_CONTROL
    return response


@router.get(
    "/{code}/calendar.ics",
    response=problems(401, 403, 404, 422, 429),
    summary="The booking as a calendar event",
    description=(
        "An iCalendar file with one event at the booking's slot, as an attachment "
        "`antre-<code>.ics`. Its UID stays the same across reschedules and its SEQUENCE "
        "grows, so importing it again updates the entry; a cancelled booking's event says "
        "`STATUS:CANCELLED`." + OWNER_DOCUMENT + CODE_LOOKUP
    ),
    operation_id="get_booking_calendar",
    openapi_extra=_binary_response("text/calendar", "An iCalendar (RFC 5545) file."),
)
@code_lookup
def booking_calendar(request: HttpRequest, code: str) -> HttpResponse:
    booking = owned_booking(request, code)
    response = HttpResponse(
        documents.booking_ics(booking), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.booking_ics_filename(booking)}"'
    )
    response["Cache-Control"] = CALENDAR_CACHE_CONTROL
    return response

"""The waiting list: join with a deadline, see where you stand, accept a held seat.

Thin: parse, call one waitlist service or selector, render (STYLE.md rule 1).
Only the citizen's own entries are visible; another's entry is 404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from antre.api import idempotency
from antre.api.auth import bearer_auth
from antre.api.bookings import BOOKING_ERRORS, booking_out, caller, reread
from antre.api.problems import problems
from antre.api.rendering import no_content
from antre.api.schemas.bookings import BookingOut
from antre.api.schemas.common import PageQuery, paginate
from antre.api.schemas.waitlist import (
    AcceptIn,
    OfferOut,
    SeatRequestIn,
    SeatRequestList,
    SeatRequestOut,
    WaitlistIn,
    WaitlistList,
    WaitlistOut,
)
from antre.catalog.models import Service, Site, SiteService
from antre.core.errors import NotFound
from antre.waitlist import release, release_selectors, selectors, services
from antre.waitlist.errors import NoSiteOffersService
from antre.waitlist.models import (
    OfferStatus,
    ReleaseRequest,
    WaitlistEntry,
    WaitlistKind,
    WaitlistStatus,
)

router = Router(auth=bearer_auth, tags=["Waiting list"])


def entry_out(entry: WaitlistEntry) -> WaitlistOut:
    standing = selectors.standing(entry)
    offer = selectors.open_offer(entry)
    offer_out = None
    if offer is not None:
        site = offer.slot.site_service.site
        offer_out = OfferOut(
            id=offer.pk,
            status=OfferStatus(offer.status),
            slot_id=offer.slot_id,
            site=site.slug,
            start=offer.slot.start.astimezone(site.tzinfo),
            end=offer.slot.end.astimezone(site.tzinfo),
            expires_at=offer.expires_at.astimezone(site.tzinfo),
        )
    sites = sorted(entry.sites.all(), key=lambda site: site.slug)
    # The entry's own times in the zone of its first site (as listed); its
    # offer's in that of the offer's site. Every entry has a site (the
    # service's, when the citizen named none); the city's zone otherwise.
    zone = sites[0].tzinfo if sites else timezone.get_default_timezone()
    return WaitlistOut(
        id=entry.pk,
        status=WaitlistStatus(entry.status),
        kind=WaitlistKind(entry.kind),
        service=entry.service.slug,
        sites=[site.slug for site in sites],
        earliest=entry.earliest,
        latest=entry.latest,
        auto_book=entry.auto_book,
        position=standing.position,
        seats_needed=standing.seats_needed,
        offer=offer_out,
        created=entry.created_at.astimezone(zone),
    )


def own_entry(request: HttpRequest, entry_id: int) -> WaitlistEntry:
    entry = selectors.citizen_entries(caller(request)).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    return entry


@router.post(
    "",
    response={201: WaitlistOut, **problems(401, 403, 404, 409, 422)},
    summary="Join the waiting list",
    description=(
        "Waits for a seat of `service` at one of `sites` (all sites offering it when empty) on a "
        "day between `earliest` and `latest`, the citizen's deadline. Freed seats go to the "
        "waiting list before the public: earliest deadline first, then first come. With "
        "`auto_book` a freed seat is booked at once; otherwise it is held for the citizen for "
        "the service's offer time (accept it with `POST /waitlist/{id}/accept`). Errors: 409 "
        "`already_waiting`, `duplicate_booking` (a booking of this service is held: ask for an "
        "earlier seat instead); 422 `invalid_range`, `unknown_site`, `email_not_verified`; "
        "404 `not_found` for an unknown service."
    ),
    operation_id="join_waitlist",
    openapi_extra=idempotency.openapi_header(replayed="joins nothing again"),
)
def join(request: HttpRequest, payload: WaitlistIn) -> Status[WaitlistOut]:
    service = Service.objects.filter(slug=payload.service, is_active=True).first()
    if service is None:
        raise NotFound()
    sites = list(Site.objects.filter(slug__in=payload.sites, is_active=True))
    if len(sites) != len(set(payload.sites)):
        raise NoSiteOffersService()
    entry = services.join_waitlist(
        citizen=caller(request),
        service=service,
        sites=sites,
        earliest=payload.earliest,
        latest=payload.latest,
        auto_book=payload.auto_book,
    )
    return Status(201, entry_out(own_entry(request, entry.pk)))


@router.get(
    "",
    response={200: WaitlistList, **problems(401, 422)},
    summary="The caller's waiting-list entries",
    operation_id="list_waitlist",
)
def list_entries(request: HttpRequest, page: Query[PageQuery]) -> WaitlistList:
    # paginate() never sends an offset past the count to the database, where
    # a huge one overflows SQLite's integers (a 500, found by schemathesis).
    rows, count = paginate(selectors.citizen_entries(caller(request)), page)
    return WaitlistList(items=[entry_out(entry) for entry in rows], count=count)


# Before the routes with an `{entry_id}`, which would match `requests` first.
def seat_request_out(seat_request: ReleaseRequest) -> SeatRequestOut:
    round_ = seat_request.round
    site = round_.site_service.site
    return SeatRequestOut(
        id=seat_request.pk,
        site=site.slug,
        service=seat_request.service.slug,
        day=seat_request.day,
        outcome=seat_request.outcome,
        via=seat_request.via,
        rank=seat_request.rank,
        window_closes=round_.closes_at.astimezone(site.tzinfo),
        seed=round_.seed,
        booking=seat_request.booking.code if seat_request.booking else None,
        created=seat_request.created_at.astimezone(site.tzinfo),
    )


@router.post(
    "/requests",
    response={201: SeatRequestOut, **problems(401, 403, 404, 409, 422)},
    summary="Ask for a seat of a high-demand day",
    description=(
        "A high-demand service opens each new day as a request window instead of first come "
        "(`POST /bookings` answers 409 `request_window_open` meanwhile). One request per NIK "
        "per service and day, at any site. When the window closes the seats go first to "
        "requests whose waiting-list deadline falls on or before the day, then by a lottery "
        "whose seed is published; winners are booked (the usual confirmation e-mail), the "
        "others are told by e-mail and stay on the waiting list. Errors: 409 "
        "`already_requested`, `request_window_closed`, `duplicate_booking`; 422 "
        "`no_request_window` (not a high-demand service), `no_slots`, `email_not_verified`; "
        "404 `not_found` for a site or service that does not exist or does not go together."
    ),
    operation_id="request_seat",
    openapi_extra=idempotency.openapi_header(replayed="asks for no seat again"),
)
def request_seat(request: HttpRequest, payload: SeatRequestIn) -> Status[SeatRequestOut]:
    site_service = (
        SiteService.objects.select_related("site", "service__agency")
        .filter(
            site__slug=payload.site,
            service__slug=payload.service,
            is_active=True,
            site__is_active=True,
            service__is_active=True,
        )
        .first()
    )
    if site_service is None:
        raise NotFound()
    created = release.request_seat(
        citizen=caller(request), site_service=site_service, day=payload.day
    )
    found = release_selectors.citizen_requests(caller(request)).get(pk=created.pk)
    return Status(201, seat_request_out(found))


@router.get(
    "/requests",
    response={200: SeatRequestList, **problems(401, 422)},
    summary="The caller's seat requests and their results",
    operation_id="list_seat_requests",
)
def list_seat_requests(request: HttpRequest, page: Query[PageQuery]) -> SeatRequestList:
    requests = release_selectors.citizen_requests(caller(request)).select_related(
        "round__site_service__site", "service", "booking"
    )
    rows, count = paginate(requests, page)
    return SeatRequestList(items=[seat_request_out(row) for row in rows], count=count)


@router.delete(
    "/{entry_id}",
    response={204: None, **problems(401, 404, 409, 422)},
    summary="Leave the waiting list",
    description="A seat held for the entry moves on to the next. 409 `not_waiting`.",
    operation_id="withdraw_waitlist",
)
def withdraw(request: HttpRequest, entry_id: int) -> HttpResponse:
    services.withdraw_entry(entry=own_entry(request, entry_id), actor=caller(request))
    return no_content()


@router.post(
    "/{entry_id}/accept",
    response={201: BookingOut, **problems(401, 404, 409, 422)},
    summary="Accept a held seat",
    description=(
        "Books the seat held by `offer_id`. 409 `offer_expired`; 404 `not_found` for an "
        "offer never made to this entry.\n" + BOOKING_ERRORS
    ),
    operation_id="accept_waitlist_offer",
    openapi_extra=idempotency.openapi_header(replayed="books nothing again"),
)
def accept(request: HttpRequest, entry_id: int, payload: AcceptIn) -> Status[BookingOut]:
    booking = services.accept_offer(
        entry=own_entry(request, entry_id), offer_id=payload.offer_id, citizen=caller(request)
    )
    return Status(201, booking_out(reread(booking)))

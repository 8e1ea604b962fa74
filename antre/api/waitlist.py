"""The waiting list: join with a deadline, see where you stand, accept a held seat.

Thin: parse, call one waitlist service or selector, render (STYLE.md rule 1).
Only the citizen's own entries are visible; another's entry is 404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from antre.api.auth import bearer_auth
from antre.api.bookings import BOOKING_ERRORS, booking_out, caller, reread
from antre.api.problems import problems
from antre.api.schemas.bookings import BookingOut
from antre.api.schemas.common import PageQuery
from antre.api.schemas.waitlist import AcceptIn, OfferOut, WaitlistIn, WaitlistList, WaitlistOut
from antre.catalog.models import Service, Site
from antre.core.errors import NotFound
from antre.waitlist import selectors, services
from antre.waitlist.errors import NoSiteOffersService
from antre.waitlist.models import OfferStatus, WaitlistEntry, WaitlistKind, WaitlistStatus

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
    return WaitlistOut(
        id=entry.pk,
        status=WaitlistStatus(entry.status),
        kind=WaitlistKind(entry.kind),
        service=entry.service.slug,
        sites=sorted(site.slug for site in entry.sites.all()),
        earliest=entry.earliest,
        latest=entry.latest,
        auto_book=entry.auto_book,
        position=standing.position,
        seats_needed=standing.seats_needed,
        offer=offer_out,
        created=entry.created_at,
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
    entries = selectors.citizen_entries(caller(request))
    count = entries.count()
    rows = list(entries[page.offset : page.offset + page.limit])
    return WaitlistList(items=[entry_out(entry) for entry in rows], count=count)


@router.delete(
    "/{entry_id}",
    response={204: None, **problems(401, 404, 409, 422)},
    summary="Leave the waiting list",
    description="A seat held for the entry moves on to the next. 409 `not_waiting`.",
    operation_id="withdraw_waitlist",
)
def withdraw(request: HttpRequest, entry_id: int) -> HttpResponse:
    services.withdraw_entry(entry=own_entry(request, entry_id), actor=caller(request))
    return HttpResponse(status=204)


@router.post(
    "/{entry_id}/accept",
    response={201: BookingOut, **problems(401, 404, 409, 422)},
    summary="Accept a held seat",
    description="Books the seat held by `offer_id`. 409 `offer_expired`.\n" + BOOKING_ERRORS,
    operation_id="accept_waitlist_offer",
)
def accept(request: HttpRequest, entry_id: int, payload: AcceptIn) -> Status[BookingOut]:
    booking = services.accept_offer(
        entry=own_entry(request, entry_id), offer_id=payload.offer_id, citizen=caller(request)
    )
    return Status(201, booking_out(reread(booking)))

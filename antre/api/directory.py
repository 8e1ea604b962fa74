"""Directory endpoints (public, no auth): sites, their services, availability.

Thin: parse, call a catalog or booking selector, render (STYLE.md rule 1).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from antre.api.problems import problems
from antre.api.rendering import content_type, render_json
from antre.api.schemas.common import PageQuery, paginate
from antre.api.schemas.directory import (
    AgencyRef,
    Availability,
    AvailabilityQuery,
    RequestWindowOut,
    ServiceList,
    ServiceOut,
    SiteList,
    SiteOut,
    SlotOut,
)
from antre.booking.selectors import available_slot_seats
from antre.catalog import cache, selectors
from antre.catalog.models import SiteService
from antre.core import clock
from antre.core.errors import InvalidInput, NotFound
from antre.core.microcache import MicroCache
from antre.waitlist.release_selectors import release_days

router = Router(tags=["Directory"])

MAX_RANGE_DAYS = 31
DEFAULT_RANGE_DAYS = 7


class RangeTooLong(InvalidInput):
    code = "range_too_long"
    title = _("Rentang tanggal terlalu panjang")
    default_detail = _("Rentang tanggal paling panjang 31 hari (from sampai to, inklusif).")


class InvalidRange(InvalidInput):
    code = "invalid_range"
    title = _("Rentang tanggal tidak sah")
    default_detail = _("Tanggal 'to' tidak boleh sebelum tanggal 'from'.")


def date_range(
    first: dt.date | None, last: dt.date | None, *, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The days an availability request covers: ``first`` defaults to today
    at the site, ``last`` to one week from ``first`` (inclusive)."""
    start = first if first is not None else today
    end = last if last is not None else start + dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if end < start:
        raise InvalidRange()
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise RangeTooLong()
    return start, end


@router.get(
    "/sites",
    response={200: SiteList, **problems(422)},
    summary="List the sites",
    description="Active sites by name. Paginated with `limit` (1-200, default 50) and `offset`.",
    operation_id="list_sites",
)
def list_sites(request: HttpRequest, page: Query[PageQuery]) -> SiteList:
    sites, count = paginate(selectors.public_sites(), page)
    return SiteList(
        items=[
            SiteOut(slug=site.slug, name=site.name, address=site.address, timezone=site.timezone)
            for site in sites
        ],
        count=count,
    )


def service_out(site_service: SiteService) -> ServiceOut:
    service = site_service.service
    return ServiceOut(
        slug=service.slug,
        name=service.name,
        agency=AgencyRef(slug=service.agency.slug, name=service.agency.name),
        duration_minutes=service.duration_minutes,
        requirements=[str(item) for item in service.requirements or []],
        # A site may set its walk-in quota to zero to take bookings only.
        walk_in=service.walk_in_allowed and site_service.effective_walk_in_quota > 0,
    )


@router.get(
    "/sites/{site}/services",
    response={200: ServiceList, **problems(404, 422)},
    summary="List the services offered at a site",
    description=(
        "Active services offered at an active site, by agency and name. "
        "404 `not_found` for an unknown or inactive site."
    ),
    operation_id="list_site_services",
)
def list_site_services(request: HttpRequest, site: str, page: Query[PageQuery]) -> ServiceList:
    found = selectors.find_public_site(site)
    if found is None:
        raise NotFound(_("Gerai ini tidak ada."))
    site_services, count = paginate(selectors.offered_site_services(found), page)
    return ServiceList(items=[service_out(row) for row in site_services], count=count)


@router.get(
    "/availability",
    response={200: Availability, **problems(404, 422)},
    by_alias=True,
    summary="Bookable slots of a service at a site",
    description=(
        "Future open slots between two local dates of the site, full ones included with "
        "`remaining: 0`; closed days have no slots. Times carry the site's UTC offset "
        "(`+07:00` WIB, `+08:00` WITA, `+09:00` WIT). `from` defaults to today at the site "
        "and `to` to `from` + 6 days; at most 31 days inclusive (else 422 `range_too_long`), "
        "`to` before `from` is 422 `invalid_range`. 404 `not_found` for an unknown site or "
        "service, or a service not offered at the site."
    ),
    operation_id="get_availability",
)
def get_availability(request: HttpRequest, query: Query[AvailabilityQuery]) -> HttpResponse:
    # The per-process catalogue cache: a change made in another process shows
    # here within a few seconds (antre.catalog.cache).
    site_service = cache.offered_site_service(query.site, query.service)
    if site_service is None:
        raise NotFound(
            _("Gerai atau layanan ini tidak ada, atau layanan tidak dibuka di gerai ini.")
        )
    start, end = date_range(
        query.from_date, query.to_date, today=clock.today(site_service.site.tzinfo)
    )
    # The finished answer, shared for ANTRE_AVAILABILITY_CACHE_MS by
    # everyone in this process asking the same (antre.core.microcache).
    content = AVAILABILITY_ANSWERS.get_or_make(
        (site_service.pk, start, end),
        lambda: render_json(request, availability(site_service, start, end), by_alias=True),
    )
    return HttpResponse(content, content_type=content_type())


AVAILABILITY_ANSWERS: MicroCache[bytes] = MicroCache(
    ttl=lambda: settings.ANTRE_AVAILABILITY_CACHE_MS / 1000
)


def availability(site_service: SiteService, start: dt.date, end: dt.date) -> Availability:
    site = site_service.site
    tz = site.tzinfo
    slots = available_slot_seats(site_service=site_service, start=start, end=end)
    # Built without validation: a month is hundreds of slots, validating them
    # cost more than reading them, and every value already has its field's
    # type (strings and dates from typed models, ints and aware datetimes from
    # the database).
    return Availability.model_construct(
        site=site.slug,
        service=site_service.service.slug,
        timezone=site.timezone,
        from_date=start,
        to_date=end,
        slots=[
            SlotOut.model_construct(
                id=slot.id,
                start=slot.start.astimezone(tz),
                end=slot.end.astimezone(tz),
                capacity=slot.capacity,
                remaining=slot.remaining,
            )
            for slot in slots
        ],
        request_windows=[
            RequestWindowOut(day=item.day, open=item.open, closes=item.closes_at.astimezone(tz))
            for item in release_days(site_service)
            if start <= item.day <= end
        ],
    )

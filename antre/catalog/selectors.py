"""Reads of the catalog: what the public directory shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from antre.catalog.models import Agency, OpeningHours, Service, Site, SiteService, Weekday

# Indonesia's three civil time zones by the names citizens read on a clock;
# another IANA zone is shown as its own name.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def public_sites() -> QuerySet[Site]:
    """Active sites by name (the primary key breaks ties, so pages are stable)."""
    return Site.objects.filter(is_active=True).order_by("name", "pk")


@dataclass(frozen=True)
class OpeningDays:
    """Consecutive weekdays that share the same opening ranges, e.g. Monday to
    Friday 08:00-15:00. ``last_day`` equals ``first_day`` for a single day."""

    first_day: Weekday
    last_day: Weekday
    ranges: tuple[tuple[dt.time, dt.time], ...]


@dataclass(frozen=True)
class DirectoryAgency:
    agency: Agency
    services: list[Service] = field(default_factory=list)


@dataclass(frozen=True)
class DirectorySite:
    site: Site
    hours: list[OpeningDays]
    agencies: list[DirectoryAgency]

    @property
    def zone(self) -> str:
        return ZONE_ABBREVIATIONS.get(self.site.timezone, self.site.timezone)

    @property
    def service_count(self) -> int:
        return sum(len(entry.services) for entry in self.agencies)


@dataclass(frozen=True)
class ServiceMatch:
    """A service at a site that a citizen's search found."""

    site: Site
    agency: Agency
    service: Service


# Longer searches are cut: nobody types a service's name past this.
MAX_SEARCH_LENGTH = 100


def search_words(query: str) -> list[str]:
    """The words of a search, case folded, at most ``MAX_SEARCH_LENGTH`` characters."""
    return query[:MAX_SEARCH_LENGTH].casefold().split()


def matching_services(directory: list[DirectorySite], query: str) -> list[ServiceMatch]:
    """The services of ``directory`` (``public_directory()``) that hold every
    word of ``query`` in their name, description, required documents or
    their agency's names ("sim", "paspor", "bpjs kesehatan"), in the
    directory's order; none for an empty query. No query of its own: a city
    has tens of services, searched in memory."""
    words = search_words(query)
    if not words:
        return []
    found = []
    for entry in directory:
        for group in entry.agencies:
            for service in group.services:
                text = " ".join(
                    [
                        service.name,
                        service.description,
                        group.agency.name,
                        group.agency.short_name,
                        *(str(item) for item in service.requirements or []),
                    ]
                ).casefold()
                if all(word in text for word in words):
                    found.append(ServiceMatch(entry.site, group.agency, service))
    return found


def group_opening_hours(rows: list[OpeningHours]) -> list[OpeningDays]:
    """Fold a site's opening hours into runs of consecutive weekdays with equal
    ranges. Days without hours are closed and break a run."""
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for row in sorted(rows, key=lambda row: (row.weekday, row.opens)):
        by_day.setdefault(row.weekday, []).append((row.opens, row.closes))
    runs: list[OpeningDays] = []
    for weekday in sorted(by_day):
        ranges = tuple(by_day[weekday])
        previous = runs[-1] if runs else None
        if previous is not None and previous.last_day == weekday - 1 and previous.ranges == ranges:
            runs[-1] = OpeningDays(previous.first_day, Weekday(weekday), ranges)
        else:
            runs.append(OpeningDays(Weekday(weekday), Weekday(weekday), ranges))
    return runs


def public_directory() -> list[DirectorySite]:
    """Active sites with their opening hours and their active services grouped
    by agency, ordered by site, agency and service name.

    Three queries whatever the size of the city: the sites, their opening
    hours, and their active site services joined to service and agency.
    """
    offered = (
        SiteService.objects.filter(is_active=True, service__is_active=True)
        .select_related("service__agency")
        .order_by("service__agency__name", "service__name")
    )
    sites = public_sites().prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
        Prefetch("site_services", queryset=offered, to_attr="offered_services"),
    )
    directory = []
    for site in sites:
        agencies: dict[int, DirectoryAgency] = {}
        site_services: list[SiteService] = site.offered_services
        for site_service in site_services:
            service = site_service.service
            entry = agencies.setdefault(service.agency_id, DirectoryAgency(service.agency))
            entry.services.append(service)
        directory.append(
            DirectorySite(
                site=site,
                hours=group_opening_hours(list(site.opening_hours.all())),
                agencies=list(agencies.values()),
            )
        )
    return directory


def find_public_site(slug: str) -> Site | None:
    """An active site by its slug; None when there is none (or it is inactive)."""
    return public_sites().filter(slug=slug).first()


def offered_site_services(site: Site) -> QuerySet[SiteService]:
    """What a site offers to the public: its active site services of active
    services, with service and agency joined in (no query per row), ordered
    by agency and service name."""
    return (
        SiteService.objects.filter(site=site, is_active=True, service__is_active=True)
        .select_related("service__agency")
        .order_by("service__agency__name", "service__name", "pk")
    )


def offered_site_service_query(*, site_slug: str, service_slug: str) -> QuerySet[SiteService]:
    """The site service behind a public (site, service) pair, as a queryset
    (at most one row): only when the site, the service and the offer are all
    active."""
    return SiteService.objects.filter(
        site__slug=site_slug,
        site__is_active=True,
        service__slug=service_slug,
        service__is_active=True,
        is_active=True,
    )


def find_offered_site_service(*, site_slug: str, service_slug: str) -> SiteService | None:
    """The site service behind a public (site, service) pair, with site and
    service joined in; None unless the site, the service and the offer are all
    active. One query. Hot public reads use the per-process cache instead
    (``antre.catalog.cache.offered_site_service``)."""
    return (
        offered_site_service_query(site_slug=site_slug, service_slug=service_slug)
        .select_related("site", "service")
        .first()
    )

"""Which services the kiosk offers walk-in tickets for right now.

A read only: the walk-in quota is taken by ``issue_walk_in`` under its guarded
UPDATE, so what this shows ("sisa 3") may be one ticket stale when two people
press at once; the service then refuses and the kiosk says the quota is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from antre.catalog.models import Agency, Service, Site, SiteService
from antre.core import clock
from antre.onsite.models import ServiceDay
from antre.onsite.services import is_open_now


@dataclass(frozen=True)
class WalkInOption:
    service: Service
    remaining: int

    @property
    def available(self) -> bool:
        return self.remaining > 0


def _options(site: Site, *, service: Service | None = None) -> list[WalkInOption]:
    site_services = SiteService.objects.filter(
        site=site,
        is_active=True,
        service__is_active=True,
        service__walk_in_allowed=True,
    )
    if service is not None:
        site_services = site_services.filter(service=service)
    today = clock.today(site.timezone)
    issued = dict(
        ServiceDay.objects.filter(site=site, date=today).values_list(
            "service_id", "walk_ins_issued"
        )
    )
    return [
        WalkInOption(
            service=site_service.service,
            remaining=max(
                site_service.effective_walk_in_quota - issued.get(site_service.service_id, 0), 0
            ),
        )
        for site_service in site_services.select_related("service", "service__agency").order_by(
            "service__agency__name", "service__agency_id", "service__name", "pk"
        )
        # One calendar read per service: a site offers a few dozen at most.
        if is_open_now(site, site_service.service)
    ]


def walk_in_options(site: Site) -> list[WalkInOption]:
    """The site's services that take walk-ins and are open now, with what is
    left of today's walk-in quota (0 when it is used up: the kiosk shows those
    as full rather than hiding them, so nobody hunts for a missing service)."""
    return _options(site)


@dataclass(frozen=True)
class WalkInGroup:
    """One agency's walk-in options: a heading and its buttons on the kiosk."""

    agency: Agency
    options: list[WalkInOption]

    @property
    def anchor(self) -> str:
        """The group's element id, the target of its jump button."""
        return f"instansi-{self.agency.slug}"


def walk_in_groups(site: Site) -> list[WalkInGroup]:
    """``walk_in_options`` grouped by agency, agencies in name order (an MPP
    has a score of them: the kiosk shows a row of agency buttons first)."""
    return [
        WalkInGroup(agency=agency, options=list(options))
        for agency, options in groupby(
            walk_in_options(site), key=lambda option: option.service.agency
        )
    ]


def walk_in_option(site: Site, service: Service) -> WalkInOption | None:
    """The walk-in option for one service, or ``None`` when the site does not
    take walk-ins for it now."""
    options = _options(site, service=service)
    return options[0] if options else None

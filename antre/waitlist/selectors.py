"""Reads of the waiting list: where a citizen stands."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from antre.accounts.models import User
from antre.catalog.models import Service, Site
from antre.waitlist.models import Offer, OfferStatus, WaitlistEntry, WaitlistKind, WaitlistStatus

OPEN_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


@dataclass(frozen=True)
class Standing:
    """``position``: 1 for the next to be served among the entries that compete
    with this one for a seat (same service, a site and a day in common); ``seats_needed``:
    how many seats must free up before the deadline for this entry to get one."""

    position: int
    seats_needed: int


def standing(entry: WaitlistEntry) -> Standing:
    if entry.status not in OPEN_STATUSES:
        return Standing(position=0, seats_needed=0)
    sites = set(entry.sites.values_list("pk", flat=True))
    rivals = (
        WaitlistEntry.objects.filter(
            service_id=entry.service_id,
            status__in=OPEN_STATUSES,
            sites__in=sites,
            # Only an entry that would take a seat of a day this one would.
            earliest__lte=entry.latest,
            latest__gte=entry.earliest,
        )
        .distinct()
        .values_list("pk", "kind", "latest", "created_at")
    )

    def key(
        kind: str, latest: object, created_at: object, pk: int
    ) -> tuple[int, object, object, int]:
        return (0 if kind == WaitlistKind.DEADLINE else 1, latest, created_at, pk)

    mine = key(entry.kind, entry.latest, entry.created_at, entry.pk)
    ahead = sum(
        1 for pk, kind, latest, created_at in rivals if key(kind, latest, created_at, pk) < mine
    )
    return Standing(position=ahead + 1, seats_needed=ahead + 1)


def citizen_entries(citizen: User) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(citizen=citizen)
        .select_related("service")
        .prefetch_related("sites", "offers__slot__site_service__site")
        .order_by("-created_at")
    )


def open_entries(citizen: User) -> QuerySet[WaitlistEntry]:
    """The citizen's entries still waiting for a seat or holding an offer,
    soonest deadline first."""
    return (
        WaitlistEntry.objects.filter(citizen=citizen, status__in=OPEN_STATUSES)
        .select_related("service")
        .order_by("latest", "created_at", "pk")
    )


def open_offer(entry: WaitlistEntry) -> Offer | None:
    return next((o for o in entry.offers.all() if o.status == OfferStatus.OPEN), None)


def open_deadline_entry(*, citizen: User, service: Service, site: Site) -> WaitlistEntry | None:
    """The citizen's open deadline entry for ``service`` that accepts ``site``."""
    return (
        WaitlistEntry.objects.filter(
            citizen=citizen,
            service=service,
            kind=WaitlistKind.DEADLINE,
            status__in=OPEN_STATUSES,
            sites=site,
        )
        .order_by("latest")
        .first()
    )

"""Reads of the fair release: the rounds an admin may see, and the re-check
of a recorded draw."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from antre.accounts.models import User
from antre.accounts.scopes import filter_queryset, scope_for
from antre.booking.models import Slot
from antre.catalog.models import SiteService
from antre.core import clock
from antre.waitlist.lottery import allocation_order, ranking
from antre.waitlist.models import (
    ReleaseOutcome,
    ReleaseRequest,
    ReleaseRound,
    ReleaseRoundStatus,
    ReleaseVia,
)
from antre.waitlist.release import request_window


@dataclass(frozen=True)
class Verification:
    """The outcome of recomputing a drawn round from its seed and request ids.
    ``problems`` says what does not match (empty when ``valid``)."""

    valid: bool
    order: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def verify_round(round_: ReleaseRound) -> Verification:
    """Recompute the round's lottery from what it recorded and check the result
    against it: every request's rank, the set of requests that were drawn,
    and that seats went down the allocation order (deadlines, then lottery
    rank) with nobody skipped except those who could not be booked."""
    if round_.status != ReleaseRoundStatus.DRAWN:
        return Verification(valid=False, problems=["not drawn"])
    requests = {
        request.pk: request
        for request in ReleaseRequest.objects.filter(round=round_).exclude(
            outcome=ReleaseOutcome.WITHDRAWN
        )
    }
    request_ids = [int(request_id) for request_id in round_.request_ids]
    problems: list[str] = []
    if sorted(requests) != sorted(request_ids):
        problems.append("the recorded request ids are not the round's requests")
        return Verification(valid=False, problems=problems)
    recomputed = ranking(round_.seed, request_ids)
    for index, request_id in enumerate(recomputed, start=1):
        if requests[request_id].rank != index:
            problems.append(f"request {request_id}: rank {requests[request_id].rank} != {index}")
    deadlines: dict[int, dt.date] = {
        request_id: request.deadline
        for request_id, request in requests.items()
        if request.deadline is not None
    }
    order = allocation_order(round_.seed, request_ids, deadlines)
    seen_loser = False
    won = 0
    for request_id in order:
        request = requests[request_id]
        if request.via == ReleaseVia.SKIPPED:
            continue
        if request.outcome == ReleaseOutcome.WON:
            won += 1
            if seen_loser:
                problems.append(f"request {request_id} won after a request that lost")
        else:
            seen_loser = True
    if won > round_.seats:
        problems.append(f"{won} winners for {round_.seats} seats")
    return Verification(valid=not problems, order=order, problems=problems)


def rounds_visible_to(user: User) -> QuerySet[ReleaseRound]:
    """Rounds of the sites and agencies the admin's scope covers, newest day
    first, with their request counts."""
    rounds = ReleaseRound.objects.select_related(
        "site_service__site", "site_service__service__agency"
    ).annotate(
        request_count=Count("requests", filter=~Q(requests__outcome=ReleaseOutcome.WITHDRAWN)),
        won_count=Count("requests", filter=Q(requests__outcome=ReleaseOutcome.WON)),
    )
    return filter_queryset(
        scope_for(user),
        rounds,
        site_path="site_service__site",
        agency_path="site_service__service__agency",
    ).order_by("-day", "pk")


def round_requests(round_: ReleaseRound) -> QuerySet[ReleaseRequest]:
    return (
        ReleaseRequest.objects.filter(round=round_)
        .select_related("citizen", "booking")
        .order_by("rank", "pk")
    )


@dataclass(frozen=True)
class ReleaseDay:
    """A high-demand day whose seats are not released yet: requests are taken
    until ``closes_at`` (``open``), or the draw is due (not ``open``).
    ``request`` is the citizen's own request for it, if any."""

    day: dt.date
    closes_at: dt.datetime
    open: bool
    request: ReleaseRequest | None


def release_days(site_service: SiteService, *, citizen: User | None = None) -> list[ReleaseDay]:
    """The days of a site service still waiting for their fair release, in
    date order: those whose request window runs now, and those whose window
    closed with requests not drawn yet. Empty for an ordinary service."""
    service = site_service.service
    if not service.high_demand:
        return []
    now = clock.now()
    today = clock.today(site_service.site.timezone)
    window_days = -(-service.release_window_hours // 24)
    candidates = {
        today + dt.timedelta(days=service.booking_opens_days - back)
        for back in range(window_days + 1)
    }
    found: dict[dt.date, ReleaseDay] = {}
    for day in sorted(candidates):
        opens, closes = request_window(site_service, day)
        if opens <= now < closes and _day_has_slots(site_service, day):
            found[day] = ReleaseDay(day=day, closes_at=closes, open=True, request=None)
    for round_ in ReleaseRound.objects.filter(
        site_service=site_service, status=ReleaseRoundStatus.OPEN
    ):
        if round_.day not in found:
            found[round_.day] = ReleaseDay(
                day=round_.day, closes_at=round_.closes_at, open=False, request=None
            )
    if citizen is not None and found and citizen.is_authenticated:
        mine = {
            request.day: request
            for request in ReleaseRequest.objects.filter(
                citizen_id=citizen.pk, service=service, day__in=list(found)
            ).exclude(outcome=ReleaseOutcome.WITHDRAWN)
        }
        found = {
            day: ReleaseDay(
                day=item.day, closes_at=item.closes_at, open=item.open, request=mine.get(day)
            )
            for day, item in found.items()
        }
    return [found[day] for day in sorted(found)]


def _day_has_slots(site_service: SiteService, day: dt.date) -> bool:
    tz = site_service.site.tzinfo
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return Slot.objects.filter(
        site_service=site_service,
        is_open=True,
        start__gte=start,
        start__lt=start + dt.timedelta(days=1),
    ).exists()


def citizen_requests(citizen: User) -> QuerySet[ReleaseRequest]:
    return (
        ReleaseRequest.objects.filter(citizen=citizen)
        .exclude(outcome=ReleaseOutcome.WITHDRAWN)
        .select_related("round__site_service__site", "service", "booking")
        .order_by("-created_at")
    )


def pending_requests(citizen: User) -> QuerySet[ReleaseRequest]:
    """The citizen's seat requests still waiting for their draw."""
    return citizen_requests(citizen).filter(outcome=ReleaseOutcome.PENDING)

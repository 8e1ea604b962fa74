"""Fair release of high-demand days (issue "Full is not the end", item 5).

A service an admin marks ``high_demand`` does not open a new day first-click-
wins. The day becomes visible when the booking window reaches it (local
midnight, ``booking_opens_days`` ahead, as for any service), but for the
service's ``release_window_hours`` it only takes *requests*: one per NIK per
service and day, whatever the site. When the window ends the periodic job
``draw_due_rounds`` gives the day's free seats, in one transaction per round:

1. to requests whose citizen has an open waiting-list deadline on or before
   the day (earliest deadline first), then
2. by a lottery whose seed comes from ``secrets`` and is recorded on the round
   with the ordered request ids, so that anyone can recompute it
   (``antre.waitlist.lottery``).

Winners are booked through ``antre.booking.services.create_booking`` (the
usual confirmation e-mail with its QR follows); the others are told by e-mail
and stay on, or join, the waiting list.

Until its round is drawn a high-demand day is closed to first-come booking
(``check_released``, called by ``check_bookable``) and to the waiting list's
seat passing (``holds_day``), so that no side door leads around the draw.

Concurrency: the draw claims the round with a status-guarded UPDATE (open ->
drawn) after locking its row, so two workers running the job at once draw it
once; requests lock the round row and re-check its status, so none slips in
after the draw read the list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from antre.accounts.models import User
from antre.booking import errors as booking_errors
from antre.booking.models import ACTIVE_BOOKING_STATUSES, Booking, Slot
from antre.catalog.models import SiteService
from antre.core import clock
from antre.core.audit import record_event
from antre.core.errors import DomainError
from antre.notifications.rendering import in_languages, render_email
from antre.notifications.services import queue_message
from antre.waitlist.errors import (
    AlreadyRequested,
    NoSlotsThatDay,
    NotHighDemand,
    RequestWindowClosed,
    RequestWindowOpen,
)
from antre.waitlist.lottery import allocation_order, new_seed, ranking
from antre.waitlist.models import (
    ReleaseOutcome,
    ReleaseRequest,
    ReleaseRound,
    ReleaseRoundStatus,
    ReleaseVia,
    WaitlistEntry,
    WaitlistKind,
    WaitlistStatus,
)

# The booking errors that concern one slot: the winner gets the next slot of
# the day instead. Any other domain error concerns the citizen (booked the
# service elsewhere meanwhile, at their booking cap): they are passed over.
_SLOT_ERRORS = (
    booking_errors.SlotFull,
    booking_errors.SlotClosed,
    booking_errors.OutsideBookingWindow,
)
_ROUNDS_PER_RUN = 50


def request_window(site_service: SiteService, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """When requests for ``day`` are taken: from the local midnight at which the
    booking window reaches the day, for the service's ``release_window_hours``."""
    service = site_service.service
    opens_day = day - dt.timedelta(days=service.booking_opens_days)
    opens = dt.datetime.combine(opens_day, dt.time.min, tzinfo=site_service.site.tzinfo)
    return opens, opens + dt.timedelta(hours=service.release_window_hours)


def _slot_day(slot: Slot) -> dt.date:
    return slot.start.astimezone(slot.site_service.site.tzinfo).date()


def _unreleased_until(slot: Slot, *, now: dt.datetime) -> tuple[bool, dt.datetime | None]:
    """Whether ``slot``'s day is still held for its fair release and, if its
    window is still running, until when."""
    if not slot.site_service.service.high_demand:
        return False, None
    day = _slot_day(slot)
    opens, closes = request_window(slot.site_service, day)
    if opens <= now < closes:
        return True, closes
    # After the window the day stays held until its round is drawn (a day
    # nobody asked for has no round and is released at once).
    pending = ReleaseRound.objects.filter(
        site_service_id=slot.site_service_id, day=day, status=ReleaseRoundStatus.OPEN
    ).exists()
    return pending, None


def check_released(slot: Slot, *, now: dt.datetime) -> None:
    """Raise RequestWindowOpen when ``slot``'s day is a high-demand day whose
    seats are not released yet. Inside the draw's transaction the round is
    already marked drawn, so the winners' bookings pass."""
    held, until = _unreleased_until(slot, now=now)
    if not held:
        return
    if until is None:
        raise RequestWindowOpen(
            gettext(
                "Masa permintaan kursi hari ini sudah berakhir dan kursinya sedang dibagi; "
                "coba lagi sebentar lagi."
            )
        )
    site = slot.site_service.site
    local = until.astimezone(site.tzinfo)
    raise RequestWindowOpen(
        gettext(
            "Kursi hari ini dibagi secara adil, bukan siapa cepat dia dapat: ajukan "
            "permintaan kursi sampai %(until)s (%(zone)s); sesudahnya kursi dibagi menurut "
            "tenggat, lalu diundi."
        )
        % {"until": date_format(local, "j F Y H:i"), "zone": site.timezone},
        until=until,
    )


def holds_day(slot: Slot, *, now: dt.datetime) -> bool:
    """Whether the waiting list must leave this slot's seats alone for now:
    its day is waiting for its fair release."""
    return _unreleased_until(slot, now=now)[0]


def _deadline_entry(citizen_id: int, service_id: int, day: dt.date) -> WaitlistEntry | None:
    return (
        WaitlistEntry.objects.filter(
            citizen_id=citizen_id,
            service_id=service_id,
            kind=WaitlistKind.DEADLINE,
            status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED],
            latest__lte=day,
        )
        .order_by("latest")
        .first()
    )


def request_seat(*, citizen: User, site_service: SiteService, day: dt.date) -> ReleaseRequest:
    """Ask for a seat of ``day`` at a high-demand site service while its request
    window runs. Raises NotACitizen, EmailNotVerified, NotHighDemand,
    RequestWindowClosed, NoSlotsThatDay, DuplicateBooking (they hold a booking
    of the service: move it instead), AlreadyRequested (one per NIK per service
    and day, at any site)."""
    from antre.booking.services import check_citizen

    check_citizen(citizen)
    service = site_service.service
    if not service.high_demand:
        raise NotHighDemand()
    now = clock.now()
    opens, closes = request_window(site_service, day)
    if not opens <= now < closes:
        raise RequestWindowClosed()
    if not _day_slots(site_service, day).exists():
        raise NoSlotsThatDay()
    if Booking.objects.filter(
        citizen=citizen, service=service, status__in=ACTIVE_BOOKING_STATUSES
    ).exists():
        raise booking_errors.DuplicateBooking()
    assert citizen.nik_digest is not None  # check_citizen: a citizen has a NIK
    with transaction.atomic():
        round_ = _open_round(site_service, day, opens=opens, closes=closes)
        if round_.status != ReleaseRoundStatus.OPEN:
            raise RequestWindowClosed()
        try:
            with transaction.atomic():
                request = ReleaseRequest.objects.create(
                    round=round_,
                    citizen=citizen,
                    nik_digest=citizen.nik_digest,
                    service=service,
                    day=day,
                    created_at=now,
                )
        except IntegrityError:
            raise AlreadyRequested() from None
        record_event(
            action="release.requested",
            actor=citizen,
            target=request,
            site_id=site_service.site_id,
            agency_id=service.agency_id,
            data={"round": round_.pk, "day": day.isoformat()},
        )
    return request


def withdraw_request(*, request: ReleaseRequest, citizen: User) -> None:
    """Take back a pending request (before the draw); nothing else changes."""
    with transaction.atomic():
        ReleaseRound.objects.select_for_update().filter(pk=request.round_id).values_list(
            "pk", flat=True
        ).get()
        changed = ReleaseRequest.objects.filter(
            pk=request.pk,
            citizen=citizen,
            outcome=ReleaseOutcome.PENDING,
            round__status=ReleaseRoundStatus.OPEN,
        ).update(outcome=ReleaseOutcome.WITHDRAWN)
        if not changed:
            raise RequestWindowClosed()


def _open_round(
    site_service: SiteService, day: dt.date, *, opens: dt.datetime, closes: dt.datetime
) -> ReleaseRound:
    """The day's round, created by its first request, locked for this transaction."""
    rounds = ReleaseRound.objects.select_for_update()
    round_ = rounds.filter(site_service=site_service, day=day).first()
    if round_ is not None:
        return round_
    try:
        with transaction.atomic():
            ReleaseRound.objects.create(
                site_service=site_service, day=day, opens_at=opens, closes_at=closes
            )
    except IntegrityError:
        pass  # a concurrent first request created it
    return rounds.get(site_service=site_service, day=day)


def _day_bounds(site_service: SiteService, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = site_service.site.tzinfo
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _day_slots(site_service: SiteService, day: dt.date) -> Any:
    start, end = _day_bounds(site_service, day)
    return Slot.objects.filter(
        site_service=site_service, is_open=True, start__gte=start, start__lt=end
    )


def _free_slots(round_: ReleaseRound, *, now: dt.datetime) -> Any:
    """The day's slots that a booking made now could take, earliest first."""
    bookable_from = now + dt.timedelta(minutes=round_.site_service.service.booking_closes_minutes)
    return (
        _day_slots(round_.site_service, round_.day)
        .filter(start__gt=bookable_from, booked__lt=F("capacity") + F("overbook") - F("held"))
        .order_by("start", "pk")
    )


def draw_due_rounds() -> int:
    """Draw every round whose window has closed; returns how many this call
    drew. Safe to run twice or on two workers at once."""
    due = ReleaseRound.objects.filter(
        status=ReleaseRoundStatus.OPEN, closes_at__lte=clock.now()
    ).order_by("closes_at", "pk")
    return sum(draw_round(round_id=pk) for pk in due.values_list("pk", flat=True)[:_ROUNDS_PER_RUN])


def draw_round(*, round_id: int) -> bool:
    """Draw one round whose window has closed and give its seats; True when
    this call drew it, False when it was drawn already or is not due."""
    from antre.booking.services import create_booking

    now = clock.now()
    with transaction.atomic():
        round_ = (
            ReleaseRound.objects.select_for_update()
            .filter(pk=round_id, status=ReleaseRoundStatus.OPEN, closes_at__lte=now)
            .first()
        )
        if round_ is None:
            return False
        site_service = SiteService.objects.select_related("site", "service__agency").get(
            pk=round_.site_service_id
        )
        round_.site_service = site_service
        requests = {
            request.pk: request
            for request in round_.requests.filter(outcome=ReleaseOutcome.PENDING)
            .select_related("citizen")
            .order_by("pk")
        }
        request_ids = list(requests)
        deadlines: dict[int, dt.date] = {}
        for request in requests.values():
            entry = (
                _deadline_entry(request.citizen_id, site_service.service_id, round_.day)
                if request.citizen_id is not None
                else None
            )
            if entry is not None:
                deadlines[request.pk] = entry.latest
        seed = new_seed()
        free = _free_slots(round_, now=now)
        seats = (
            free.aggregate(seats=Sum(F("capacity") + F("overbook") - F("booked") - F("held")))[
                "seats"
            ]
            or 0
        )
        # The claim: a second run (or a second worker, once this commits)
        # finds the round drawn and does nothing.
        claimed = ReleaseRound.objects.filter(pk=round_.pk, status=ReleaseRoundStatus.OPEN).update(
            status=ReleaseRoundStatus.DRAWN,
            seed=seed,
            request_ids=request_ids,
            seats=seats,
            drawn_at=now,
        )
        if not claimed:
            return False
        ranks = {
            request_id: index + 1 for index, request_id in enumerate(ranking(seed, request_ids))
        }
        won = 0
        for request_id in allocation_order(seed, request_ids, deadlines):
            request = requests[request_id]
            request.rank = ranks[request_id]
            request.deadline = deadlines.get(request_id)
            booking = None
            citizen = request.citizen
            if citizen is not None and _free_slots(round_, now=now).exists():
                booking, passed_over = _book(create_booking, round_, citizen, now=now)
            else:
                passed_over = citizen is None
            if booking is not None:
                won += 1
                request.outcome = ReleaseOutcome.WON
                request.via = ReleaseVia.DEADLINE if request_id in deadlines else ReleaseVia.LOTTERY
                request.booking = booking
                # The booking's own confirmation e-mail tells the winner.
                request.notified_at = now
            else:
                request.outcome = ReleaseOutcome.LOST
                request.via = ReleaseVia.SKIPPED if passed_over else ""
                if citizen is not None:
                    _tell_loser(round_, request, seed=seed, now=now)
                    request.notified_at = now
            request.save(
                update_fields=["rank", "deadline", "outcome", "via", "booking", "notified_at"]
            )
        record_event(
            action="release.drawn",
            target=round_,
            site_id=site_service.site_id,
            agency_id=site_service.service.agency_id,
            data={"seed": seed, "requests": len(request_ids), "seats": seats, "won": won},
        )
    return True


def _book(
    create_booking: Any, round_: ReleaseRound, citizen: User, *, now: dt.datetime
) -> tuple[Booking | None, bool]:
    """Book ``citizen`` into the earliest free slot of the round's day; the
    second value says whether they were passed over (not bookable at all)."""
    for slot_id in _free_slots(round_, now=now).values_list("pk", flat=True):
        try:
            return create_booking(citizen=citizen, slot_id=slot_id), False
        except _SLOT_ERRORS:
            continue
        except DomainError:
            return None, True
    return None, False


_LOST_TITLE = gettext_noop("Hasil undian kursi")


def _tell_loser(
    round_: ReleaseRound, request: ReleaseRequest, *, seed: str, now: dt.datetime
) -> None:
    """E-mail the result and keep the citizen on the waiting list for a seat of
    the service at this site up to the day they asked for (or leave the entry
    they already have, which may be wider)."""
    from antre.waitlist.services import join_waitlist

    citizen = request.citizen
    assert citizen is not None
    site_service = round_.site_service
    waiting = WaitlistEntry.objects.filter(
        citizen=citizen,
        service_id=site_service.service_id,
        status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED],
    ).exists()
    if not waiting:
        try:
            join_waitlist(
                citizen=citizen,
                service=site_service.service,
                sites=[site_service.site],
                earliest=clock.today(site_service.site.timezone),
                latest=round_.day,
                # In the middle of the draw: the day's free seats are the
                # draw's to give, to the requests still to come.
                offer_now=False,
            )
            waiting = True
        except DomainError:
            waiting = False  # e.g. booked the service meanwhile: nothing to wait for
    if not citizen.email:
        return

    def localized() -> dict[str, Any]:
        return {"day": date_format(round_.day, "l, j F Y")}

    rendered = render_email(
        "release_lost",
        subject=f"{in_languages(_LOST_TITLE)[0]}: {site_service.service.name}"
        f" · {in_languages(_LOST_TITLE)[1]}",
        context={
            "title_msgid": _LOST_TITLE,
            "name": citizen.full_name,
            "service": site_service.service.name,
            "site": site_service.site.name,
            "waiting": waiting,
            "request_id": request.pk,
            "seed": seed,
            "link": f"{settings.BASE_URL}/daftar-tunggu/",
        },
        localized=localized,
        layout={"preheader": in_languages(_LOST_TITLE)[0]},
    )
    queue_message(kind="release_lost", recipient=citizen.email, rendered=rendered)

"""Writes of the waiting list: join, withdraw, accept, and where a freed seat goes.

The rule (PRODUCT.md "Full is not the end"): a seat that frees up — a
cancellation, a reschedule, capacity an admin adds, an offer that expired — is
offered to the waiting list *before* the public can see it, in one
transaction with the change that freed it, so a cancelled seat can never be
passed to a broker. ``pass_on_seat`` is the one place that decides: the first
matching entry (earliest deadline, then first come; earlier-seat requests
after all deadline entries) either gets a booking at once (automatic booking)
or an offer that holds the seat (``Slot.held``) for the service's
``waitlist_offer_hours``; with no match the seat goes back to the public.

Concurrency: entries are claimed with status-guarded UPDATEs, offers likewise
(open -> accepted / expired / withdrawn), and seat counters move by single
guarded UPDATEs, so a seat is never given to two people. This path takes no
citizen row lock (a booking request takes the citizen's lock, then the slot's;
taking them here in the other order could deadlock); the one-active-booking
rule is still held by the database constraint.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, When
from django.db.models.functions import Greatest
from django.db.models.lookups import GreaterThan

from antre.accounts.models import User
from antre.booking import policy
from antre.booking import services as booking_services
from antre.booking.errors import BookingLimitReached, DuplicateBooking
from antre.booking.models import ACTIVE_BOOKING_STATUSES, Booking, BookingStatus, Slot
from antre.catalog.models import Service, Site, SiteService
from antre.core import clock
from antre.core.audit import record_event
from antre.notifications.services import notify_booking, notify_waitlist
from antre.waitlist import release
from antre.waitlist.errors import (
    AlreadyWaiting,
    DeadlinePassed,
    EarliestAfterDeadline,
    EntryNotFound,
    NoSiteOffersService,
    NotWaiting,
    OfferExpired,
    OfferNotFound,
)
from antre.waitlist.models import (
    Offer,
    OfferStatus,
    WaitlistEntry,
    WaitlistKind,
    WaitlistStatus,
)

# How many candidate entries one freed seat looks at before giving up on the
# list (each may turn out ineligible: booked elsewhere meanwhile, at the cap).
_CANDIDATES = 25
# Offers are not worth making when the citizen would have less than this to answer.
_MIN_OFFER = dt.timedelta(minutes=15)


class Source(enum.Enum):
    """How the seat being passed on is counted on the slot right now."""

    BOOKED = "booked"  # the freeing booking's seat, still in Slot.booked
    HELD = "held"  # an offer's seat, in Slot.held
    FREE = "free"  # counted nowhere (capacity added, or simply free)


class Outcome(enum.Enum):
    BOOKED = "booked"
    OFFERED = "offered"
    RELEASED = "released"


def _local_day(slot: Slot) -> dt.date:
    return slot.start.astimezone(slot.site_service.site.tzinfo).date()


def _offer_deadline(slot: Slot, now: dt.datetime) -> dt.datetime:
    service = slot.site_service.service
    last_answer = slot.start - dt.timedelta(minutes=service.booking_closes_minutes)
    return min(now + dt.timedelta(hours=service.waitlist_offer_hours), last_answer)


def candidates(slot: Slot, *, now: dt.datetime) -> list[WaitlistEntry]:
    """Waiting entries this slot fits, in serving order: deadline entries by
    deadline then join time, then earlier-seat requests by join time. Entries
    already offered this slot once are skipped (the seat moves on)."""
    day = _local_day(slot)
    matching = (
        WaitlistEntry.objects.filter(
            service_id=slot.site_service.service_id,
            status=WaitlistStatus.WAITING,
            sites=slot.site_service.site_id,
            earliest__lte=day,
            latest__gte=day,
            citizen__isnull=False,
        )
        .filter(
            Q(kind=WaitlistKind.DEADLINE)
            | Q(
                kind=WaitlistKind.EARLIER_SEAT,
                booking__status=BookingStatus.CONFIRMED,
                booking__slot__start__gt=slot.start,
            )
        )
        .exclude(offers__slot=slot)
        .select_related("citizen", "booking")
    )
    deadline_first = list(
        matching.filter(kind=WaitlistKind.DEADLINE).order_by("latest", "created_at", "id")[
            :_CANDIDATES
        ]
    )
    if len(deadline_first) < _CANDIDATES:
        deadline_first += list(
            matching.filter(kind=WaitlistKind.EARLIER_SEAT).order_by("created_at", "id")[
                : _CANDIDATES - len(deadline_first)
            ]
        )
    return deadline_first


def _eligible(entry: WaitlistEntry) -> bool:
    if entry.kind == WaitlistKind.EARLIER_SEAT:
        return True
    active = Booking.objects.filter(citizen_id=entry.citizen_id, status__in=ACTIVE_BOOKING_STATUSES)
    if active.filter(service_id=entry.service_id).exists():
        # Booked another way meanwhile: the entry has done its work.
        WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.BOOKED, updated_at=clock.now()
        )
        return False
    return active.count() < settings.ANTRE_MAX_ACTIVE_BOOKINGS


def _move_seat(
    slot: Slot, source: Source, target: str, *, public: bool = False, consume_reserve: bool = False
) -> bool:
    """Count the seat under ``target`` ("booked" or "held") instead of
    ``source``, in one guarded UPDATE; False when the seat is not there.

    The deadline reserve (``antre.booking.policy``): with ``public`` the
    entry may not use it, so the seat must be one the public could take (for
    a freed seat: one that does not fall into the reserve once freed). With
    ``consume_reserve`` (an entry whose deadline is near) a free seat comes
    out of the reserve first, as a reserve-eligible booking's does, and a
    freed seat that belonged to the reserve is taken from it."""
    seats = F("capacity") + F("overbook")
    rows = Slot.objects.filter(pk=slot.pk)
    changes: dict[str, Any] = {}
    if source is Source.FREE:
        other = "booked" if target == "held" else "held"
        limit = seats - F(other) - F("reserved") if public else seats - F(other)
        rows = rows.filter(**{f"{target}__lte": limit - 1})
        changes[target] = F(target) + 1
        if consume_reserve:
            changes["reserved"] = Greatest(F("reserved") - 1, 0)
    else:
        rows = rows.filter(**{f"{source.value}__gte": 1})
        # Before the move the freed seat still counts under ``source``.
        in_reserve = GreaterThan(F("booked") + F("held") + F("reserved"), seats)
        if public:
            rows = rows.alias(taken=F("booked") + F("held") + F("reserved"), seats=seats).filter(
                taken__lte=F("seats")
            )
        if source.value != target:
            changes[source.value] = F(source.value) - 1
            changes[target] = F(target) + 1
        if consume_reserve:
            changes["reserved"] = Case(
                When(in_reserve, then=Greatest(F("reserved") - 1, 0)), default=F("reserved")
            )
        if not changes:
            return rows.exists() if public else True
    return bool(rows.update(**changes))


def _public_only(entry: WaitlistEntry, slot: Slot) -> bool:
    """Whether ``entry`` must leave the slot's reserved seats alone."""
    if not slot.reserved:
        return False
    return not policy.entry_reserve_eligible(latest=entry.latest, kind=entry.kind, slot=slot)


def _release(slot: Slot, source: Source) -> None:
    if source is not Source.FREE:
        Slot.objects.filter(pk=slot.pk, **{f"{source.value}__gte": 1}).update(
            **{source.value: F(source.value) - 1}
        )


def pass_on_seat(*, slot: Slot, source: Source, actor: User | None = None) -> Outcome:
    """Give one seat of ``slot`` to the waiting list, or back to the public.
    Call inside the transaction that freed it."""
    now = clock.now()
    answer_by = _offer_deadline(slot, now)
    # Too close to the cut-off for anyone to answer an offer: only an entry
    # that books at once can still use the seat.
    too_late_to_offer = answer_by - now < _MIN_OFFER
    # A high-demand day awaiting its fair release is not the list's to give:
    # the seat joins the pool the release's draw hands out.
    if slot.is_open and answer_by > now and not release.holds_day(slot, now=now):
        for entry in candidates(slot, now=now):
            if too_late_to_offer and not entry.auto_book:
                continue
            if not _eligible(entry):
                continue
            outcome = _serve(entry, slot, source, now=now, actor=actor)
            if outcome is not None:
                return outcome
    _release(slot, source)
    return Outcome.RELEASED


def _serve(
    entry: WaitlistEntry, slot: Slot, source: Source, *, now: dt.datetime, actor: User | None
) -> Outcome | None:
    """Book or offer the seat to ``entry``; None when the entry was taken by a
    concurrent pass or the seat could not be moved."""
    target_status = WaitlistStatus.BOOKED if entry.auto_book else WaitlistStatus.OFFERED
    public = _public_only(entry, slot)
    consume_reserve = bool(slot.reserved) and not public
    try:
        with transaction.atomic():
            claimed = WaitlistEntry.objects.filter(
                pk=entry.pk, status=WaitlistStatus.WAITING
            ).update(status=target_status, updated_at=now)
            if not claimed:
                return None
            if entry.auto_book:
                if not _move_seat(
                    slot, source, "booked", public=public, consume_reserve=consume_reserve
                ):
                    raise _SeatGone()
                booking = _book(entry, slot, actor=actor)
                Offer.objects.create(
                    entry=entry,
                    slot=slot,
                    status=OfferStatus.ACCEPTED,
                    expires_at=now,
                    closed_at=now,
                    booking=booking,
                )
                return Outcome.BOOKED
            if not _move_seat(slot, source, "held", public=public, consume_reserve=consume_reserve):
                raise _SeatGone()
            offer = Offer.objects.create(
                entry=entry, slot=slot, expires_at=_offer_deadline(slot, now)
            )
            record_event(
                action="waitlist.offered",
                actor=actor,
                target=offer,
                site_id=slot.site_service.site_id,
                agency_id=slot.site_service.service.agency_id,
                data={"entry": entry.pk, "slot": slot.pk},
            )
            notify_waitlist(entry=entry, event="offer", offer=offer)
            return Outcome.OFFERED
    except (_SeatGone, DuplicateBooking):
        return None


class _SeatGone(Exception):
    """The seat was taken meanwhile; undo the entry's claim."""


def _book(entry: WaitlistEntry, slot: Slot, *, actor: User | None) -> Booking:
    """The booking for an entry whose seat is already counted in ``slot.booked``."""
    assert entry.citizen is not None
    if entry.kind == WaitlistKind.EARLIER_SEAT and entry.booking is not None:
        return _move_booking(entry.booking, slot, actor=actor)
    try:
        with transaction.atomic():
            booking = booking_services.insert_booking(citizen=entry.citizen, slot=slot)
    except IntegrityError as error:  # pragma: no cover - insert_booking maps these
        raise DuplicateBooking() from error
    record_event(
        action="booking.created",
        actor=actor,
        target=booking,
        site_id=slot.site_service.site_id,
        agency_id=slot.site_service.service.agency_id,
        data={"slot": slot.pk, "waitlist_entry": entry.pk},
    )
    notify_booking(booking=booking, event="confirmed")
    return booking


def _move_booking(booking: Booking, slot: Slot, *, actor: User | None) -> Booking:
    """An earlier-seat request served: the booking moves to ``slot`` (whose seat
    is already counted) and its old seat is passed on in turn."""
    old_slot = booking.slot
    moved = Booking.objects.filter(
        pk=booking.pk, status=BookingStatus.CONFIRMED, slot_id=old_slot.pk
    ).update(
        slot=slot,
        site_id=slot.site_service.site_id,
        updated_at=clock.now(),
        # Attendance is confirmed per slot (antre.booking.confirmation).
        attendance_requested_at=None,
        attendance_confirmed_at=None,
    )
    if not moved:
        raise _SeatGone()
    pass_on_seat(
        slot=Slot.objects.select_related("site_service__site", "site_service__service").get(
            pk=old_slot.pk
        ),
        source=Source.BOOKED,
        actor=actor,
    )
    booking.refresh_from_db()
    record_event(
        action="booking.rescheduled",
        actor=actor,
        target=booking,
        site_id=booking.site_id,
        agency_id=slot.site_service.service.agency_id,
        data={"from_slot": old_slot.pk, "to_slot": slot.pk, "earlier_seat": True},
    )
    notify_booking(booking=booking, event="rescheduled")
    return booking


def offer_free_seats(*, slot_id: int, actor: User | None = None) -> int:
    """Offer every free seat of a slot (capacity added, a free seat found when
    someone joins) to the waiting list first; returns how many were given."""
    given = 0
    with transaction.atomic():
        slot = _slot(slot_id)
        while slot.remaining_for_reserve > 0:
            if pass_on_seat(slot=slot, source=Source.FREE, actor=actor) is Outcome.RELEASED:
                break
            given += 1
            slot.refresh_from_db(fields=["booked", "held", "capacity", "overbook", "reserved"])
    return given


def service_has_waiting_entries(service_id: int) -> bool:
    """Whether anyone waits for a seat of the service (one query)."""
    return WaitlistEntry.objects.filter(
        service_id=service_id, status=WaitlistStatus.WAITING
    ).exists()


def _slot(slot_id: int) -> Slot:
    return Slot.objects.select_related("site_service__site", "site_service__service").get(
        pk=slot_id
    )


def join_waitlist(
    *,
    citizen: User,
    service: Service,
    sites: Iterable[Site] = (),
    earliest: dt.date,
    latest: dt.date,
    auto_book: bool = False,
    offer_now: bool = True,
) -> WaitlistEntry:
    """Put a citizen on the list for ``service`` at ``sites`` (all sites offering
    it when empty) between ``earliest`` and ``latest`` (their deadline).
    Raises NotACitizen, EmailNotVerified, DuplicateBooking (they hold one:
    ask for an earlier seat instead), AlreadyWaiting, InvalidWaitlistRange (DeadlinePassed,
    EarliestAfterDeadline),
    NoSiteOffersService. A free seat that fits is offered at once, unless
    ``offer_now`` is off (the release's draw, whose day's seats are its own
    to hand out, puts those it passed over on the list)."""
    booking_services.check_citizen(citizen)
    offered_at = SiteService.objects.filter(
        service=service, is_active=True, site__is_active=True, service__is_active=True
    )
    wanted = [site.pk for site in sites]
    if wanted:
        offered_at = offered_at.filter(site_id__in=wanted)
    site_ids = list(offered_at.values_list("site_id", flat=True))
    if not site_ids or (wanted and len(set(site_ids)) != len(set(wanted))):
        raise NoSiteOffersService()
    today = clock.today("Asia/Jakarta")
    earliest = max(earliest, today)
    if latest < today:
        raise DeadlinePassed()
    if earliest > latest:
        raise EarliestAfterDeadline()
    if Booking.objects.filter(
        citizen=citizen, service=service, status__in=ACTIVE_BOOKING_STATUSES
    ).exists():
        raise DuplicateBooking()
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                citizen=citizen,
                service=service,
                kind=WaitlistKind.DEADLINE,
                earliest=earliest,
                latest=latest,
                auto_book=auto_book,
            )
            entry.sites.set(site_ids)
            record_event(
                action="waitlist.joined",
                actor=citizen,
                target=entry,
                agency_id=service.agency_id,
                data={"latest": latest.isoformat(), "sites": site_ids},
            )
    except IntegrityError:
        raise AlreadyWaiting() from None
    if offer_now:
        _offer_free_seats_to(entry)
    entry.refresh_from_db()
    return entry


def request_earlier_seat(
    *, citizen: User, booking: Booking, auto_book: bool = True
) -> WaitlistEntry:
    """A citizen holding ``booking`` asks to be moved to an earlier seat of the
    same service at the same site, after every deadline entry."""
    if booking.citizen_id != citizen.pk or booking.status != BookingStatus.CONFIRMED:
        raise EntryNotFound()
    today = clock.today(booking.site.timezone)
    slot_day = booking.slot.start.astimezone(booking.site.tzinfo).date()
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                citizen=citizen,
                service_id=booking.service_id,
                kind=WaitlistKind.EARLIER_SEAT,
                booking=booking,
                earliest=min(today, slot_day),
                latest=slot_day,
                auto_book=auto_book,
            )
            entry.sites.set([booking.site_id])
    except IntegrityError:
        raise AlreadyWaiting() from None
    _offer_free_seats_to(entry)
    entry.refresh_from_db()
    return entry


def _offer_free_seats_to(entry: WaitlistEntry) -> None:
    """Free seats that fit a new entry go to the list at once (first to whoever
    comes first on it, which may be someone with an earlier deadline)."""
    free = (
        Slot.objects.filter(
            site_service__service_id=entry.service_id,
            site_service__site__in=entry.sites.all(),
            is_open=True,
            start__gt=clock.now(),
            booked__lt=F("capacity") + F("overbook") - F("held"),
        )
        .order_by("start")
        .values_list("pk", flat=True)[:50]
    )
    for slot_id in free:
        entry.refresh_from_db(fields=["status"])
        if entry.status != WaitlistStatus.WAITING:
            return
        offer_free_seats(slot_id=slot_id)


def withdraw_entry(*, entry: WaitlistEntry, actor: User | None) -> WaitlistEntry:
    """Leave the list; a seat held by an open offer moves on to the next entry."""
    now = clock.now()
    with transaction.atomic():
        changed = WaitlistEntry.objects.filter(
            pk=entry.pk, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
        ).update(status=WaitlistStatus.WITHDRAWN, updated_at=now)
        if not changed:
            raise NotWaiting()
        for offer in Offer.objects.filter(entry=entry, status=OfferStatus.OPEN):
            _close_offer(offer, OfferStatus.WITHDRAWN, now=now, actor=actor)
        record_event(
            action="waitlist.withdrawn",
            actor=actor,
            target=entry,
            agency_id=entry.service.agency_id,
        )
    entry.refresh_from_db()
    return entry


def end_stale_entries() -> int:
    """Close the entries that can no longer be served, so that they neither
    count as waiting (the forecast, positions) nor stop their citizen from
    joining again: a deadline entry whose last acceptable day has passed
    (in the default zone, the westernmost of Indonesia's, where that day
    ends last) is ``expired``; a request for an earlier seat whose booking
    is no longer confirmed (checked in, a no-show, done) is withdrawn, a
    seat held for it moving on. Guarded; safe to run twice. Returns how
    many were closed."""
    now = clock.now()
    today = clock.today(settings.TIME_ZONE)
    closed = WaitlistEntry.objects.filter(
        kind=WaitlistKind.DEADLINE, status=WaitlistStatus.WAITING, latest__lt=today
    ).update(status=WaitlistStatus.EXPIRED, updated_at=now)
    orphaned = WaitlistEntry.objects.filter(
        kind=WaitlistKind.EARLIER_SEAT,
        status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED],
    ).exclude(booking__status=BookingStatus.CONFIRMED)
    for entry in orphaned.select_related("service"):
        try:
            withdraw_entry(entry=entry, actor=None)
        except NotWaiting:  # closed meanwhile
            continue
        closed += 1
    return closed


def _close_offer(offer: Offer, status: str, *, now: dt.datetime, actor: User | None) -> bool:
    """Close an open offer (expired, withdrawn) and pass its held seat on."""
    closed = Offer.objects.filter(pk=offer.pk, status=OfferStatus.OPEN).update(
        status=status, closed_at=now
    )
    if not closed:
        return False
    WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistStatus.OFFERED).update(
        status=WaitlistStatus.WAITING, updated_at=now
    )
    pass_on_seat(slot=_slot(offer.slot_id), source=Source.HELD, actor=actor)
    return True


def expire_offers() -> int:
    """Close every open offer past its time and pass each seat on, exactly once
    (the close is a guarded UPDATE; running this twice does nothing more)."""
    now = clock.now()
    expired = 0
    for offer in Offer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now).order_by(
        "expires_at"
    )[:200]:
        with transaction.atomic():
            if _close_offer(offer, OfferStatus.EXPIRED, now=now, actor=None):
                expired += 1
                notify_waitlist(entry=offer.entry, event="offer_expired", offer=offer)
    return expired


def accept_offer(*, entry: WaitlistEntry, offer_id: int, citizen: User) -> Booking:
    """Take the offered seat: the held seat becomes a booking (or, for an
    earlier-seat request, the booking moves there). Raises EntryNotFound,
    OfferNotFound (no such offer for this entry), OfferExpired."""
    if entry.citizen_id != citizen.pk:
        raise EntryNotFound()
    offer = Offer.objects.filter(pk=offer_id, entry=entry).first()
    if offer is None:
        raise OfferNotFound()
    now = clock.now()
    with transaction.atomic():
        accepted = Offer.objects.filter(
            pk=offer.pk, status=OfferStatus.OPEN, expires_at__gt=now
        ).update(status=OfferStatus.ACCEPTED, closed_at=now)
        if not accepted:
            raise OfferExpired()
        if entry.kind == WaitlistKind.DEADLINE:
            # A new booking: the cap across services holds as for any other
            # (the offer stays open; cancelling another booking makes room).
            booking_services.lock_citizen(citizen)
            active = Booking.objects.filter(citizen=citizen, status__in=ACTIVE_BOOKING_STATUSES)
            if active.count() >= settings.ANTRE_MAX_ACTIVE_BOOKINGS:
                raise BookingLimitReached()
        slot = _slot(offer.slot_id)
        if not _move_seat(slot, Source.HELD, "booked"):
            raise OfferExpired()  # pragma: no cover - the held seat is ours
        booking = _book(entry, slot, actor=citizen)
        Offer.objects.filter(pk=offer.pk).update(booking=booking)
        WaitlistEntry.objects.filter(pk=entry.pk).update(
            status=WaitlistStatus.BOOKED, updated_at=now
        )
    return booking


def close_entries_after_booking(*, citizen: User, service_id: int) -> None:
    """A citizen who booked a service no longer waits for it: their deadline
    entry is done and any seat held for them moves on."""
    now = clock.now()
    # Ids only: on the booking path, and nearly always empty.
    entry_ids = list(
        WaitlistEntry.objects.filter(
            citizen=citizen,
            service_id=service_id,
            kind=WaitlistKind.DEADLINE,
            status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED],
        ).values_list("pk", flat=True)
    )
    for entry_id in entry_ids:
        WaitlistEntry.objects.filter(pk=entry_id).update(
            status=WaitlistStatus.BOOKED, updated_at=now
        )
        for offer in Offer.objects.filter(entry_id=entry_id, status=OfferStatus.OPEN):
            _close_offer(offer, OfferStatus.WITHDRAWN, now=now, actor=citizen)

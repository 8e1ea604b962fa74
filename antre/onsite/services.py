"""Writes at the site: check-in, walk-in tickets, the room cap, calls at the
counters, and each step of a ticket's life.

Every function is one transaction. Scarce things (a ticket number, a walk-in
from the day's quota, a place in the room) are taken with the guarded UPDATEs
of ``antre.core.locking``; a call claims its ticket with a status-guarded
UPDATE and acts only when exactly one row changed (STYLE.md rules 3 and 4), so
two officers pressing "call next" at the same instant never get one ticket.
Lock order: the booking, the service day (numbering), the site day (room),
then ticket rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from antre.accounts.models import User
from antre.booking.models import Booking, BookingStatus
from antre.catalog.calendar import load_site_calendar
from antre.catalog.models import Counter, Service, Site, SiteService
from antre.core import clock
from antre.core.codes import parse_code
from antre.core.locking import release_capacity, take_capacity
from antre.onsite import events
from antre.onsite.errors import (
    AlreadyCheckedIn,
    BookingCancelled,
    CounterBusy,
    CounterPaused,
    InvalidTransition,
    SameService,
    SiteClosed,
    TooEarly,
    TooLate,
    UnknownCode,
    UnknownService,
    WalkInNotAllowed,
    WalkInQuotaExhausted,
    WrongSite,
)
from antre.onsite.models import (
    CounterShift,
    Priority,
    ServiceDay,
    SiteDay,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketKind,
    TicketStatus,
)
from antre.onsite.queue import Waiting, call_order

# How many of the best candidates a call tries to claim before reading the
# queue again (another counter may have claimed them in the meantime).
_CLAIM_ATTEMPTS = 5


def _get_or_create_row[T: (ServiceDay, SiteDay)](model: type[T], **keys: Any) -> T:
    """The day's row, made by whoever comes first; a concurrent maker's unique
    violation is harmless (we read theirs)."""
    try:
        with transaction.atomic():
            return model.objects.get_or_create(**keys)[0]
    except IntegrityError:
        return model.objects.get(**keys)


def _site_service(site: Site, service: Service) -> SiteService:
    try:
        return SiteService.objects.select_related("service").get(
            site=site, service=service, is_active=True, service__is_active=True
        )
    except SiteService.DoesNotExist:
        raise UnknownService() from None


def _record(ticket: Ticket, kind: str, *, actor: User | None, at: dt.datetime) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=at,
        site_id=ticket.site_id,
        service_id=ticket.service_id,
        counter_id=ticket.counter_id,
        actor=actor if actor is not None and actor.pk else None,
    )


def _issue(
    *,
    site: Site,
    site_service: SiteService,
    kind: str,
    priority: str,
    actor: User | None,
    now: dt.datetime,
    booking: Booking | None = None,
    due_at: dt.datetime | None = None,
    queued_at: dt.datetime | None = None,
    admitted_at: dt.datetime | None = None,
    transferred_from: Ticket | None = None,
    service_day: ServiceDay | None = None,
) -> Ticket:
    """Number and insert a ticket, and let it in if the room has a place.
    Runs inside the caller's transaction."""
    today = clock.today(site.timezone)
    service = site_service.service
    if service_day is None:
        service_day = _get_or_create_row(ServiceDay, site=site, service=service, date=today)
    # The UPDATE locks the day's row until commit, so the value read back
    # after it is ours alone (PostgreSQL); SQLite's IMMEDIATE transactions
    # serialise writers anyway.
    ServiceDay.objects.filter(pk=service_day.pk).update(last_sequence=F("last_sequence") + 1)
    sequence = ServiceDay.objects.values_list("last_sequence", flat=True).get(pk=service_day.pk)
    if admitted_at is None and _take_room_place(site, today):
        admitted_at = now
    ticket = Ticket.objects.create(
        site=site,
        service=service,
        service_date=today,
        prefix=site_service.effective_ticket_prefix,
        sequence=sequence,
        kind=kind,
        booking=booking,
        due_at=due_at,
        priority=priority,
        issued_at=now,
        queued_at=queued_at or now,
        admitted_at=admitted_at,
        transferred_from=transferred_from,
    )
    _record(ticket, TicketEventKind.ISSUED, actor=actor, at=now)
    if admitted_at is not None:
        _record(ticket, TicketEventKind.ADMITTED, actor=actor, at=now)
    events.emit(site_id=site.pk, kind=events.BOARD_UPDATED)
    return ticket


def _take_room_place(site: Site, day: dt.date) -> bool:
    site_day = _get_or_create_row(SiteDay, site=site, date=day)
    return take_capacity(SiteDay, site_day.pk, used="inside", limit=site.room_capacity)


def _free_room_place(ticket: Ticket, *, now: dt.datetime, actor: User | None) -> None:
    """The ticket leaves the room (done, no-show); the next in line outside is
    called in ("silakan masuk")."""
    left = Ticket.objects.filter(
        pk=ticket.pk, admitted_at__isnull=False, left_at__isnull=True
    ).update(left_at=now)
    if not left:
        return
    site_day = _get_or_create_row(SiteDay, site_id=ticket.site_id, date=ticket.service_date)
    release_capacity(SiteDay, site_day.pk, used="inside")
    admit_next(site=ticket.site, actor=actor)


def admit_next(*, site: Site, actor: User | None = None) -> Ticket | None:
    """Call the next ticket waiting outside into the room, if there is a place.
    Claims the place first, then the ticket; gives the place back when nobody
    waits outside."""
    now = clock.now()
    today = clock.today(site.timezone)
    with transaction.atomic():
        if not _take_room_place(site, today):
            return None
        outside = _waiting(site_id=site.pk, day=today, admitted=False)
        for candidate in call_order(outside, now, recent_call_kinds=(), walk_in_share=0)[:10]:
            claimed = Ticket.objects.filter(
                pk=candidate.id, status=TicketStatus.WAITING, admitted_at__isnull=True
            ).update(admitted_at=now)
            if claimed:
                ticket = Ticket.objects.select_related("service", "counter").get(pk=candidate.id)
                _record(ticket, TicketEventKind.ADMITTED, actor=actor, at=now)
                events.emit_ticket(events.TICKET_ADMITTED, ticket)
                return ticket
        site_day = SiteDay.objects.get(site=site, date=today)
        release_capacity(SiteDay, site_day.pk, used="inside")
        return None


def _waiting(
    *,
    site_id: int,
    day: dt.date,
    service_ids: list[int] | None = None,
    admitted: bool | None = None,
) -> list[Waiting]:
    tickets = Ticket.objects.filter(site_id=site_id, service_date=day, status=TicketStatus.WAITING)
    if service_ids is not None:
        tickets = tickets.filter(service_id__in=service_ids)
    if admitted is not None:
        tickets = tickets.filter(admitted_at__isnull=not admitted)
    return [
        Waiting(
            id=pk,
            kind=kind,
            priority=priority,
            queued_at=queued_at,
            due_at=due_at,
            service_id=service_id,
        )
        for pk, kind, priority, queued_at, due_at, service_id in tickets.values_list(
            "pk", "kind", "priority", "queued_at", "due_at", "service_id"
        )
    ]


def check_in(*, site: Site, code: str, actor: User | None, priority: str = "") -> Ticket:
    """Turn a booking into a ticket at the kiosk.

    Accepted from ``site.checkin_opens_minutes`` before the slot's start to
    ``site.checkin_closes_minutes`` after it. Raises UnknownCode, WrongSite,
    BookingCancelled, AlreadyCheckedIn, TooEarly, TooLate. Claiming the
    booking (confirmed -> checked_in) is a guarded UPDATE, so two scans of one
    code print one ticket."""
    parsed = parse_code(code)
    if parsed is None:
        raise UnknownCode()
    booking = Booking.objects.select_related("slot", "service").filter(code=parsed).first()
    if booking is None:
        raise UnknownCode()
    if booking.site_id != site.pk:
        raise WrongSite()
    if booking.status == BookingStatus.CANCELLED:
        raise BookingCancelled()
    if booking.status in (BookingStatus.CHECKED_IN, BookingStatus.COMPLETED):
        raise AlreadyCheckedIn()
    if booking.status == BookingStatus.NO_SHOW:
        raise TooLate()
    now = clock.now()
    start = booking.slot.start
    if now < start - dt.timedelta(minutes=site.checkin_opens_minutes):
        raise TooEarly()
    if now > start + dt.timedelta(minutes=site.checkin_closes_minutes):
        raise TooLate()
    site_service = _site_service(site, booking.service)
    with transaction.atomic():
        claimed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
            status=BookingStatus.CHECKED_IN, checked_in_at=now, updated_at=now
        )
        if not claimed:
            raise AlreadyCheckedIn()
        return _issue(
            site=site,
            site_service=site_service,
            kind=TicketKind.APPOINTMENT,
            priority=Priority(priority),
            actor=actor,
            now=now,
            booking=booking,
            due_at=start - dt.timedelta(minutes=site.appointment_due_minutes),
        )


def is_open_now(site: Site, service: Service) -> bool:
    """Open hours today at the site, not closed (holiday, local closure)."""
    local = clock.localnow(site.timezone)
    calendar = load_site_calendar(site, local.date(), local.date())
    if calendar.is_closed(local.date(), service.pk):
        return False
    moment = local.time()
    return any(opens <= moment < closes for opens, closes in calendar.ranges(local.date()))


def issue_walk_in(
    *, site: Site, service: Service, actor: User | None, priority: str = ""
) -> Ticket:
    """A ticket without a booking, while the site service's daily walk-in quota
    lasts. Raises UnknownService, WalkInNotAllowed, SiteClosed,
    WalkInQuotaExhausted."""
    site_service = _site_service(site, service)
    if not service.walk_in_allowed:
        raise WalkInNotAllowed()
    if not is_open_now(site, service):
        raise SiteClosed()
    now = clock.now()
    today = clock.today(site.timezone)
    with transaction.atomic():
        service_day = _get_or_create_row(ServiceDay, site=site, service=service, date=today)
        if not take_capacity(
            ServiceDay,
            service_day.pk,
            used="walk_ins_issued",
            limit=site_service.effective_walk_in_quota,
        ):
            raise WalkInQuotaExhausted()
        return _issue(
            site=site,
            site_service=site_service,
            kind=TicketKind.WALK_IN,
            priority=Priority(priority),
            actor=actor,
            now=now,
            service_day=service_day,
        )


def open_shift(*, counter: Counter, officer: User | None) -> CounterShift:
    """The counter's open shift, opened now for ``officer`` if none is open."""
    shift = CounterShift.objects.filter(counter=counter, closed_at__isnull=True).first()
    if shift is not None:
        return shift
    try:
        with transaction.atomic():
            return CounterShift.objects.create(counter=counter, officer=officer)
    except IntegrityError:
        return CounterShift.objects.get(counter=counter, closed_at__isnull=True)


def pause_counter(*, counter: Counter, officer: User | None) -> CounterShift:
    shift = open_shift(counter=counter, officer=officer)
    CounterShift.objects.filter(pk=shift.pk, paused_at__isnull=True).update(paused_at=clock.now())
    shift.refresh_from_db()
    events.emit(site_id=counter.site_id, kind=events.BOARD_UPDATED)
    return shift


def resume_counter(*, counter: Counter, officer: User | None) -> CounterShift:
    shift = open_shift(counter=counter, officer=officer)
    CounterShift.objects.filter(pk=shift.pk).update(paused_at=None)
    shift.refresh_from_db()
    events.emit(site_id=counter.site_id, kind=events.BOARD_UPDATED)
    return shift


def close_counter(*, counter: Counter) -> None:
    CounterShift.objects.filter(counter=counter, closed_at__isnull=True).update(
        closed_at=clock.now()
    )
    events.emit(site_id=counter.site_id, kind=events.BOARD_UPDATED)


def _recent_call_kinds(
    *, site_id: int, day: dt.date, service_ids: list[int], count: int
) -> list[str]:
    """The kinds of the tickets last called for these services today, each
    ticket once, at its first call: a recall is the same ticket called again,
    not another turn (it moves ``called_at``, so the first calls are read
    from the tickets' ``called`` events; newest first on the site's events)."""
    if count <= 0:
        return []
    return list(
        TicketEvent.objects.filter(
            site_id=site_id,
            kind=TicketEventKind.CALLED,
            service_id__in=service_ids,
            ticket__service_date=day,
        )
        .order_by("-at", "-id")
        .values_list("ticket__kind", flat=True)[:count]
    )


def call_next(*, counter: Counter, actor: User | None) -> Ticket | None:
    """Call the next ticket for this counter's services, in queue order
    (``antre.onsite.queue``); ``None`` when nobody waits. Raises CounterBusy
    while the counter still has a called or serving ticket, CounterPaused.

    Each candidate is claimed with ``UPDATE ... WHERE status = 'waiting'``; the
    one whose row count is 1 is ours. A ticket called from outside the room
    enters straight to the counter (it is let in, over the cap if need be:
    the room cap must never stop a free counter from calling)."""
    site = counter.site
    shift = open_shift(counter=counter, officer=actor)
    if shift.paused_at is not None:
        raise CounterPaused()
    if Ticket.objects.filter(
        counter=counter, status__in=(TicketStatus.CALLED, TicketStatus.SERVING)
    ).exists():
        raise CounterBusy()
    service_ids = list(
        counter.site_services.filter(is_active=True).values_list("service_id", flat=True)
    )
    if not service_ids:
        return None
    now = clock.now()
    today = clock.today(site.timezone)
    recent = _recent_call_kinds(
        site_id=site.pk, day=today, service_ids=service_ids, count=site.walk_in_share - 1
    )
    while True:
        waiting = _waiting(site_id=site.pk, day=today, service_ids=service_ids)
        if not waiting:
            return None
        order = call_order(waiting, now, recent_call_kinds=recent, walk_in_share=site.walk_in_share)
        site_day = _get_or_create_row(SiteDay, site=site, date=today)
        for candidate in order[:_CLAIM_ATTEMPTS]:
            with transaction.atomic():
                # The room's row before the ticket's, the order in which
                # admit_next (after a finish or a no-show) takes them: a call
                # that let its ticket in after claiming it would wait for the
                # room while a finish held the room and waited for the ticket
                # (a deadlock PostgreSQL measured under load).
                SiteDay.objects.select_for_update(no_key=True).filter(pk=site_day.pk).values_list(
                    "pk", flat=True
                ).get()
                claimed = Ticket.objects.filter(
                    pk=candidate.id, status=TicketStatus.WAITING
                ).update(status=TicketStatus.CALLED, called_at=now, counter=counter)
                if not claimed:
                    continue
                ticket = Ticket.objects.select_related("service", "counter").get(pk=candidate.id)
                if ticket.admitted_at is None:
                    Ticket.objects.filter(pk=ticket.pk).update(admitted_at=now)
                    SiteDay.objects.filter(pk=site_day.pk).update(inside=F("inside") + 1)
                    ticket.admitted_at = now
                    _record(ticket, TicketEventKind.ADMITTED, actor=actor, at=now)
                _record(ticket, TicketEventKind.CALLED, actor=actor, at=now)
                events.emit_ticket(events.TICKET_CALLED, ticket)
                events.emit(site_id=site.pk, kind=events.BOARD_UPDATED)
                return ticket


def _visit_booking_id(ticket: Ticket) -> int | None:
    """The booking the ticket's visit began with: its own, or that of the
    ticket it was transferred from (and so on back), since a transfer
    issues a new ticket and a booking has one ticket."""
    booking_id, previous = ticket.booking_id, ticket.transferred_from_id
    while booking_id is None and previous is not None:
        booking_id, previous = Ticket.objects.values_list("booking_id", "transferred_from_id").get(
            pk=previous
        )
    return booking_id


def _end_visit(ticket: Ticket, outcome: str) -> None:
    """The visit's booking (checked in) is ``outcome``: completed when the
    last ticket of the visit is done, a no-show when it is not."""
    booking_id = _visit_booking_id(ticket)
    if booking_id is not None:
        Booking.objects.filter(pk=booking_id, status=BookingStatus.CHECKED_IN).update(
            status=outcome, updated_at=clock.now()
        )


def _transition(
    ticket: Ticket,
    *,
    allowed: tuple[str, ...],
    target: str,
    event: str,
    actor: User | None,
    stamp: str,
) -> Ticket:
    """Move a ticket from one of ``allowed`` to ``target`` with a guarded UPDATE
    that also sets the time field ``stamp``; raises InvalidTransition when it
    is in none of them (any more)."""
    now = clock.now()
    changed = Ticket.objects.filter(pk=ticket.pk, status__in=allowed).update(
        status=target, **{stamp: now}
    )
    if not changed:
        raise InvalidTransition()
    ticket.refresh_from_db()
    _record(ticket, event, actor=actor, at=now)
    return ticket


def recall(*, ticket: Ticket, actor: User | None) -> Ticket:
    """Call a called ticket again (announced again on the board)."""
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.CALLED).update(
            recall_count=F("recall_count") + 1, called_at=clock.now()
        )
        if not changed:
            raise InvalidTransition()
        ticket.refresh_from_db()
        _record(ticket, TicketEventKind.RECALLED, actor=actor, at=clock.now())
        events.emit_ticket(events.TICKET_RECALLED, ticket)
    return ticket


def start_service(*, ticket: Ticket, actor: User | None) -> Ticket:
    with transaction.atomic():
        ticket = _transition(
            ticket,
            allowed=(TicketStatus.CALLED,),
            target=TicketStatus.SERVING,
            event=TicketEventKind.STARTED,
            actor=actor,
            stamp="started_at",
        )
        events.emit_ticket(events.TICKET_CHANGED, ticket)
    return ticket


def finish_service(*, ticket: Ticket, actor: User | None) -> Ticket:
    """Done: the booking is completed and the ticket's place in the room frees."""
    with transaction.atomic():
        ticket = _transition(
            ticket,
            allowed=(TicketStatus.SERVING, TicketStatus.CALLED),
            target=TicketStatus.DONE,
            event=TicketEventKind.FINISHED,
            actor=actor,
            stamp="finished_at",
        )
        _end_visit(ticket, BookingStatus.COMPLETED)
        events.emit_ticket(events.TICKET_CHANGED, ticket)
        _free_room_place(ticket, now=clock.now(), actor=actor)
        events.emit(site_id=ticket.site_id, kind=events.BOARD_UPDATED)
    return ticket


def mark_no_show(*, ticket: Ticket, actor: User | None) -> Ticket:
    """Nobody came after ``site.no_show_after_recalls`` recalls; the place frees."""
    required = ticket.site.no_show_after_recalls
    with transaction.atomic():
        # The recalls are what a called ticket lacks; any other state is
        # refused below with the plain explanation.
        if Ticket.objects.filter(
            pk=ticket.pk, status=TicketStatus.CALLED, recall_count__lt=required
        ).exists():
            raise InvalidTransition(_no_show_too_soon(required))
        ticket = _transition(
            ticket,
            allowed=(TicketStatus.CALLED,),
            target=TicketStatus.NO_SHOW,
            event=TicketEventKind.NO_SHOW,
            actor=actor,
            stamp="finished_at",
        )
        _end_visit(ticket, BookingStatus.NO_SHOW)
        events.emit_ticket(events.TICKET_CHANGED, ticket)
        _free_room_place(ticket, now=clock.now(), actor=actor)
        events.emit(site_id=ticket.site_id, kind=events.BOARD_UPDATED)
    return ticket


def _no_show_too_soon(required: int) -> str:
    from django.utils.translation import ngettext

    return ngettext(
        "Panggil ulang sedikitnya %(count)d kali sebelum menandai tidak hadir.",
        "Panggil ulang sedikitnya %(count)d kali sebelum menandai tidak hadir.",
        required,
    ) % {"count": required}


def transfer(*, ticket: Ticket, service: Service, actor: User | None) -> Ticket:
    """Send a ticket on to another service at the same site: the old ticket is
    ``transferred`` and a new one waits in the new service's queue, keeping
    the original place in line (``queued_at``) and the place in the room."""
    site = ticket.site
    if service.pk == ticket.service_id:
        raise SameService()
    site_service = _site_service(site, service)
    now = clock.now()
    with transaction.atomic():
        old = _transition(
            ticket,
            allowed=(TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING),
            target=TicketStatus.TRANSFERRED,
            event=TicketEventKind.TRANSFERRED,
            actor=actor,
            stamp="finished_at",
        )
        inside = old.is_inside
        if inside:
            Ticket.objects.filter(pk=old.pk).update(left_at=now)
        new = _issue(
            site=site,
            site_service=site_service,
            kind=old.kind,
            priority=old.priority,
            actor=actor,
            now=now,
            due_at=old.due_at,
            queued_at=old.queued_at,
            admitted_at=now if inside else None,
            transferred_from=old,
        )
        events.emit_ticket(events.TICKET_CHANGED, old)
    return new


OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


def close_past_days() -> int:
    """Close the tickets that earlier days left open, so that no counter
    starts the day busy with yesterday's ticket, no ticket page tells anyone
    to come in on a day gone by, and the visit's booking ends (a booking
    still checked in would refuse its citizen a new booking of the service).
    A ticket being served is done (its booking completed); one called or
    still waiting is a no-show (its booking too): nobody was at a counter
    for it when the day ended. Recorded as a ``closed`` event without an
    actor, which reports do not count as a service or a no-show (its time
    is the closing, not the visit's); each ticket guarded, in its own
    transaction: safe to run twice and beside the counters. Returns how
    many tickets were closed."""
    closed = 0
    for site in Site.objects.all():
        today = clock.today(site.timezone)
        stale = Ticket.objects.filter(
            site=site, service_date__lt=today, status__in=OPEN_STATUSES
        ).order_by("pk")
        for ticket in stale.select_related("service", "counter"):
            serving = ticket.status == TicketStatus.SERVING
            try:
                with transaction.atomic():
                    ticket = _transition(
                        ticket,
                        allowed=(ticket.status,),
                        target=TicketStatus.DONE if serving else TicketStatus.NO_SHOW,
                        event=TicketEventKind.CLOSED,
                        actor=None,
                        stamp="finished_at",
                    )
                    _end_visit(
                        ticket, BookingStatus.COMPLETED if serving else BookingStatus.NO_SHOW
                    )
                    # Out of the room too; nobody is let in on a day gone by.
                    Ticket.objects.filter(
                        pk=ticket.pk, admitted_at__isnull=False, left_at__isnull=True
                    ).update(left_at=ticket.finished_at)
                    events.emit_ticket(events.TICKET_CHANGED, ticket)
            except InvalidTransition:  # moved on meanwhile (a counter finished it)
                continue
            closed += 1
    return closed

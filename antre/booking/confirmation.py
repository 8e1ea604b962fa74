"""Confirm or release: a booking of a service that asks for it is confirmed by
its citizen a few working days before, or its seat goes to the waiting list.

``confirm_working_days`` working days before the slot's day, at 08:00 at the
site, the citizen gets an e-mail (and a WhatsApp/SMS when configured) with two
signed one-click links: "I will come" and "release my seat". Working days skip
weekends and the days the site is closed (national holidays, cuti bersama, its
own closures). A booking still unconfirmed ``confirm_release_hours`` before
its slot is cancelled with the reason ``unconfirmed``, its seat passed to the
waiting list, the citizen told.

Both jobs claim each booking with a guarded UPDATE in the transaction that
queues its message or frees its seat, so they are safe to run twice or at once.
A booking made after its ask moment is not asked (it was just booked), and so
never released for want of an answer; a booking moved to another slot is asked
about afresh (the reschedule clears both marks).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Set
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core import signing
from django.db import transaction

from antre.accounts.models import User
from antre.booking.errors import NotCancellable
from antre.booking.models import Booking, BookingStatus, CancelReason
from antre.catalog.calendar import days, load_site_calendar
from antre.catalog.models import SiteService
from antre.core import clock
from antre.core import signing as clock_signing
from antre.core.audit import record_event
from antre.notifications.services import notify_booking

logger = logging.getLogger(__name__)

ASK_TIME = dt.time(8, 0)
# A citizen asked late (the worker was down) still gets this long to answer.
MIN_ANSWER_TIME = dt.timedelta(hours=4)
# Looked across for working days; Lebaran with its cuti bersama and two
# weekends stays inside it even for the longest confirm_working_days.
HORIZON = dt.timedelta(days=40)
_SALT = "antre.booking.attendance"

Action = Literal["confirm", "release"]
ACTIONS: tuple[Action, ...] = ("confirm", "release")


def working_days_before(day: dt.date, count: int, closed: Set[dt.date]) -> dt.date:
    """The ``count``-th working day before ``day`` (weekends and ``closed`` skipped)."""
    candidate = day
    remaining = count
    while remaining:
        candidate -= dt.timedelta(days=1)
        if candidate.weekday() < 5 and candidate not in closed:
            remaining -= 1
    return candidate


def ask_moment(site_service: SiteService, day: dt.date, closed: Set[dt.date]) -> dt.datetime:
    """When the bookings of ``day`` (a date at the site) are asked to confirm."""
    service = site_service.service
    ask_day = working_days_before(day, service.confirm_working_days, closed)
    return dt.datetime.combine(ask_day, ASK_TIME, tzinfo=site_service.site.tzinfo)


def _closed_days(site_service: SiteService, today: dt.date) -> set[dt.date]:
    calendar = load_site_calendar(site_service.site, today - HORIZON, today + HORIZON)
    return calendar.closed_all


def send_attendance_requests() -> int:
    """Queue every due confirm-or-release message; returns how many were queued."""
    now = clock.now()
    sent = 0
    site_services = SiteService.objects.select_related("site", "service").filter(
        service__confirmation_required=True, is_active=True
    )
    for site_service in site_services:
        today = clock.today(site_service.site.tzinfo)
        closed = _closed_days(site_service, today)
        for day in days(today, today + HORIZON):
            moment = ask_moment(site_service, day, closed)
            # The ask moment never decreases from one day to the next.
            if moment > now:
                break
            sent += _ask_day(site_service, day=day, moment=moment, now=now)
    if sent:
        logger.info("queued %s attendance confirmation requests", sent)
    return sent


def _ask_day(
    site_service: SiteService, *, day: dt.date, moment: dt.datetime, now: dt.datetime
) -> int:
    tz = site_service.site.tzinfo
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    candidates = list(
        Booking.objects.filter(
            slot__site_service=site_service,
            status=BookingStatus.CONFIRMED,
            attendance_requested_at__isnull=True,
            attendance_confirmed_at__isnull=True,
            slot__start__gte=max(day_start, now),
            slot__start__lt=day_end,
            created_at__lt=moment,
        )
        .order_by("slot__start", "pk")
        .values_list("pk", "slot_id")
    )
    sent = 0
    for booking_id, slot_id in candidates:
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=booking_id,
                slot_id=slot_id,
                status=BookingStatus.CONFIRMED,
                attendance_requested_at__isnull=True,
            ).update(attendance_requested_at=now)
            if claimed != 1:
                continue
            booking = Booking.objects.select_related("citizen").get(pk=booking_id)
            notify_booking(booking=booking, event="attendance")
            sent += 1
    return sent


def release_unconfirmed() -> int:
    """Cancel (reason ``unconfirmed``) every asked, unanswered booking past its
    service's release time and pass each seat to the waiting list; returns how
    many were released."""
    from antre.booking.services import free_seat, withdraw_earlier_seat_requests

    now = clock.now()
    released = 0
    site_services = SiteService.objects.select_related("site", "service").filter(
        service__confirmation_required=True
    )
    for site_service in site_services:
        release_before = now + dt.timedelta(hours=site_service.service.confirm_release_hours)
        due = list(
            Booking.objects.filter(
                slot__site_service=site_service,
                status=BookingStatus.CONFIRMED,
                attendance_requested_at__isnull=False,
                attendance_requested_at__lte=now - MIN_ANSWER_TIME,
                attendance_confirmed_at__isnull=True,
                slot__start__gt=now,
                slot__start__lte=release_before,
            ).values_list("pk", flat=True)
        )
        for booking_id in due:
            with transaction.atomic():
                claimed = Booking.objects.filter(
                    pk=booking_id,
                    status=BookingStatus.CONFIRMED,
                    attendance_requested_at__isnull=False,
                    attendance_confirmed_at__isnull=True,
                ).update(
                    status=BookingStatus.CANCELLED,
                    cancel_reason=CancelReason.UNCONFIRMED,
                    cancelled_at=now,
                    updated_at=now,
                )
                if claimed != 1:
                    continue
                booking = Booking.objects.select_related("citizen", "service").get(pk=booking_id)
                free_seat(booking.slot_id, actor=None)
                withdraw_earlier_seat_requests(booking, actor=None)
                record_event(
                    action="booking.cancelled",
                    actor=None,
                    target=booking,
                    site_id=booking.site_id,
                    agency_id=booking.service.agency_id,
                    data={"reason": CancelReason.UNCONFIRMED.value},
                )
                notify_booking(booking=booking, event="unconfirmed")
                released += 1
    if released:
        logger.info("released %s unconfirmed bookings", released)
    return released


# Links -----------------------------------------------------------------------


def attendance_token(booking: Booking, action: Action) -> str:
    """A signed token naming the booking, the slot it was asked about and the
    action; it acts only while the booking is confirmed at that slot."""
    return clock_signing.dumps({"b": booking.code, "s": booking.slot_id, "a": action}, salt=_SALT)


def attendance_links(booking: Booking) -> dict[str, str]:
    """The two one-click links of the e-mail. The path is fixed by the citizen
    interface (``/kehadiran/<token>/``): it lives in e-mails already sent."""
    return {
        action: f"{settings.BASE_URL}/kehadiran/{attendance_token(booking, action)}/"
        for action in ACTIONS
    }


@dataclass(frozen=True)
class AttendanceRequest:
    booking: Booking
    action: Action
    is_current: bool
    """The booking is still confirmed at the slot the link was made for."""


def read_attendance_token(token: str) -> AttendanceRequest | None:
    """The booking and action a token names; ``None`` for a forged or broken
    token or a booking that no longer exists."""
    try:
        data = signing.loads(token, salt=_SALT)
        code, slot_id, action = str(data["b"]), int(data["s"]), str(data["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if action not in ACTIONS:
        return None
    booking = (
        Booking.objects.select_related(
            "slot__site_service__site", "site", "service__agency", "citizen"
        )
        .filter(code=code)
        .first()
    )
    if booking is None:
        return None
    is_current = (
        booking.slot_id == slot_id
        and booking.status == BookingStatus.CONFIRMED
        and booking.slot.start > clock.now()
    )
    return AttendanceRequest(booking=booking, action=action, is_current=is_current)


def confirm_attendance(*, booking: Booking, slot_id: int) -> bool:
    """Record that the citizen will come; True if recorded now or before.
    Guarded on the booking still being confirmed at ``slot_id``."""
    now = clock.now()
    with transaction.atomic():
        updated = Booking.objects.filter(
            pk=booking.pk,
            slot_id=slot_id,
            status=BookingStatus.CONFIRMED,
            slot__start__gt=now,
        ).update(attendance_confirmed_at=now, updated_at=now)
        if updated:
            record_event(
                action="booking.attendance_confirmed",
                actor=booking.citizen,
                target=booking,
                site_id=booking.site_id,
                agency_id=booking.service.agency_id,
            )
    booking.refresh_from_db()
    return bool(updated)


def release_booking(*, booking: Booking, slot_id: int, actor: User | None) -> Booking:
    """The citizen gives the seat up from the e-mail: an ordinary cancellation
    (the seat goes to the waiting list) with the reason ``released``. Raises
    NotCancellable when the booking moved, is no longer confirmed or its
    change cut-off passed."""
    from antre.booking.services import cancel_booking

    if booking.slot_id != slot_id:
        raise NotCancellable()
    return cancel_booking(booking=booking, actor=actor, reason=CancelReason.RELEASED)

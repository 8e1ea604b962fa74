"""The reminder e-mail: once per booking, from 08:00 at the site on the
working day before the slot.

"The working day before" skips weekends and nationwide closures (national
holidays, cuti bersama): a Monday slot is reminded on Friday, a slot on the
day after Lebaran's week of cuti bersama on the last working day before it.
A site's own ad-hoc closures do not move the reminder: the citizen's working
week is what matters.

A reminder is due for a booking when its reminder time has passed and no
reminder was sent since then; so a booking moved to a later day after its
reminder went is reminded again for the new day, without the reschedule
having to reset anything. A booking made after its reminder time (the evening
before) gets none: its confirmation has just arrived.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterator, Set

from django.db import transaction
from django.db.models import Q

from antre.booking.models import Booking, BookingStatus
from antre.catalog.calendar import days
from antre.catalog.models import Closure, Site
from antre.core import clock
from antre.notifications.services import notify_booking

logger = logging.getLogger(__name__)

REMINDER_TIME = dt.time(8, 0)
# The longest run of non-working days looked across; Lebaran's holidays and
# cuti bersama with the weekends around them stay well inside it.
HORIZON = dt.timedelta(days=21)


def working_day_before(day: dt.date, closed: Set[dt.date]) -> dt.date:
    """The last day before ``day`` that is neither a weekend nor in ``closed``."""
    candidate = day - dt.timedelta(days=1)
    while candidate.weekday() >= 5 or candidate in closed:
        candidate -= dt.timedelta(days=1)
    return candidate


def national_closed_days(start: dt.date, end: dt.date) -> set[dt.date]:
    """Days between ``start`` and ``end`` on which every site and service is closed."""
    closures = Closure.objects.filter(
        site__isnull=True, service__isnull=True, start_date__lte=end, end_date__gte=start
    ).values_list("start_date", "end_date")
    return {day for first, last in closures for day in days(max(first, start), min(last, end))}


def reminder_time(day: dt.date, timezone: zoneinfo.ZoneInfo, closed: Set[dt.date]) -> dt.datetime:
    """When the reminders for slots on ``day`` (a date at the site) go."""
    return dt.datetime.combine(working_day_before(day, closed), REMINDER_TIME, tzinfo=timezone)


def due_days(
    now: dt.datetime, timezone: zoneinfo.ZoneInfo, closed: Set[dt.date]
) -> Iterator[tuple[dt.date, dt.datetime]]:
    """The site dates from today on whose reminder time has passed, with it.

    The reminder time never decreases from one day to the next, so the run
    ends at the first day still to come: on a Friday at 08:00 that is today,
    Saturday, Sunday and Monday; on a Friday at 07:00, today only."""
    today = now.astimezone(timezone).date()
    for day in days(today, today + HORIZON):
        moment = reminder_time(day, timezone, closed)
        if moment > now:
            return
        yield day, moment


def send_due_reminders() -> int:
    """Queue every due reminder and return how many were queued.

    Each booking is claimed with a guarded UPDATE of ``reminder_sent_at``
    (still unset, or set before this slot's reminder time; still confirmed;
    still at the slot that was found) in the same transaction as its outbox
    row, so two runs at once, or a run repeated, remind each booking once."""
    now = clock.now()
    sent = 0
    timezones = Site.objects.order_by().values_list("timezone", flat=True).distinct()
    for timezone_name in sorted(set(timezones)):
        timezone = zoneinfo.ZoneInfo(timezone_name)
        today = now.astimezone(timezone).date()
        closed = national_closed_days(today - HORIZON, today + HORIZON)
        for day, moment in due_days(now, timezone, closed):
            sent += remind_day(
                timezone_name=timezone_name, day=day, moment=moment, now=now, timezone=timezone
            )
    if sent:
        logger.info("queued %s booking reminders", sent)
    return sent


def not_reminded_since(moment: dt.datetime) -> Q:
    return Q(reminder_sent_at__isnull=True) | Q(reminder_sent_at__lt=moment)


def remind_day(
    *,
    timezone_name: str,
    day: dt.date,
    moment: dt.datetime,
    now: dt.datetime,
    timezone: zoneinfo.ZoneInfo,
) -> int:
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone)
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone)
    candidates = list(
        Booking.objects.filter(
            not_reminded_since(moment),
            status=BookingStatus.CONFIRMED,
            site__timezone=timezone_name,
            slot__start__gte=day_start,
            slot__start__lt=day_end,
            slot__start__gt=now,
            created_at__lt=moment,
        )
        .order_by("slot__start", "pk")
        .values_list("pk", "slot_id")
    )
    sent = 0
    for booking_id, slot_id in candidates:
        # One small transaction per booking: writers stay short on SQLite.
        with transaction.atomic():
            claimed = Booking.objects.filter(
                not_reminded_since(moment),
                pk=booking_id,
                slot_id=slot_id,
                status=BookingStatus.CONFIRMED,
            ).update(reminder_sent_at=now)
            if claimed != 1:
                continue
            booking = Booking.objects.select_related("citizen").get(pk=booking_id)
            if notify_booking(booking=booking, event="reminder") is not None:
                sent += 1
    return sent

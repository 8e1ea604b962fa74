"""A schedule change racing citizens who book the very slots it removes,
and a change submitted many times at once: no booking is ever left behind
in a slot that is gone, and a change applies once.

Each attempt runs in its own thread and connection against the real database
(SQLite file or PostgreSQL), released together by a barrier."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections

from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.schedule import materialise_slots
from antre.booking.schedule_changes import (
    APPLIED_ACTION,
    DayClosure,
    StalePlan,
    apply_change,
    plan_change,
)
from antre.booking.services import create_booking
from antre.catalog.models import Closure
from antre.core.errors import DomainError
from antre.core.models import AuditEvent
from antre.testing import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

WIB = dt.timezone(dt.timedelta(hours=7))
WEDNESDAY = dt.date(2026, 6, 3)
THREADS = 24


def race(count: int, work: Callable[[int], str]) -> Counter[str]:
    barrier = threading.Barrier(count)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            try:
                outcome = work(index)
            except DomainError as error:
                outcome = error.code
            with lock:
                outcomes[outcome] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


# With a head start the change usually locks first and the bookings queue
# behind it; without one the bookings usually land first and the plan goes
# stale. Either way the end state must be one of the two clean ones.
@pytest.mark.parametrize("head_start", [0.0, 1.0])
def test_a_closure_racing_bookings_never_leaves_a_booking_behind(head_start: float) -> None:
    site_service = f.SiteServiceFactory()
    f.ScheduleRuleFactory(
        site_service=site_service, starts_at=dt.time(9), ends_at=dt.time(10), capacity=50
    )
    materialise_slots(site_service=site_service)
    slot = Slot.objects.get(start=dt.datetime(2026, 6, 3, 9, tzinfo=WIB))
    citizens = [f.CitizenFactory() for _ in range(THREADS)]
    change = DayClosure(start_date=WEDNESDAY, end_date=WEDNESDAY, reason="Banjir")
    plan = plan_change(site_service=site_service, change=change)

    def work(index: int) -> str:
        if index == 0:
            try:
                apply_change(
                    site_service=site_service,
                    change=change,
                    change_key="race",
                    fingerprint=plan.fingerprint,
                    actor=None,
                )
            except StalePlan:
                return "stale"
            return "applied"
        time.sleep(head_start)
        create_booking(citizen=citizens[index], slot_id=slot.pk)
        return "booked"

    outcomes = race(THREADS, work)

    assert sum(outcomes.values()) == THREADS, outcomes
    confirmed = Booking.objects.filter(status=BookingStatus.CONFIRMED)
    if outcomes["applied"]:
        # Applied first: every later booking found the slot closed or gone.
        assert Closure.objects.count() == 1
        assert not confirmed.exists()
        assert outcomes["booked"] == 0
    else:
        # A booking landed after the preview: the plan was stale, nothing changed.
        assert outcomes["stale"] == 1
        assert not Closure.objects.exists()
        assert confirmed.count() == outcomes["booked"]
        slot.refresh_from_db()
        assert slot.is_open
        assert slot.booked == outcomes["booked"]
    print(
        f"\n[{connection.vendor}] closure racing {THREADS - 1} bookings "
        f"(head start {head_start} s): {dict(outcomes)}"
    )


def test_one_change_submitted_many_times_at_once_applies_once() -> None:
    site_service = f.SiteServiceFactory()
    f.ScheduleRuleFactory(site_service=site_service)
    materialise_slots(site_service=site_service)
    change = DayClosure(start_date=WEDNESDAY, end_date=WEDNESDAY, reason="Rapat kerja")
    plan = plan_change(site_service=site_service, change=change)

    def work(index: int) -> str:
        applied = apply_change(
            site_service=site_service,
            change=change,
            change_key="same-form",
            fingerprint=plan.fingerprint,
            actor=None,
        )
        return "again" if applied.already_applied else "applied"

    outcomes = race(8, work)

    assert outcomes == {"applied": 1, "again": 7}, outcomes
    assert Closure.objects.count() == 1
    assert AuditEvent.objects.filter(action=APPLIED_ACTION).count() == 1

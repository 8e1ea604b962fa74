"""A booking left to the worker to announce (ANTRE_BOOKING_ANNOUNCE=worker,
the default outside tests): its audit row, confirmation e-mail and
waiting-list follow-up come exactly once, after it commits."""

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connections

from antre.booking import announce
from antre.booking.announce import announce_pending
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.services import cancel_booking, create_booking
from antre.core.management.commands.worker import Announcer
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.waitlist.models import WaitlistEntry, WaitlistStatus


@pytest.fixture(autouse=True)
def _left_to_the_worker(settings: Any) -> None:
    settings.ANTRE_BOOKING_ANNOUNCE = "worker"


def slot_at(when: str, **kwargs: Any) -> Slot:
    start = dt.datetime.fromisoformat(when)
    return f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), **kwargs)


def confirmations(booking: Booking) -> int:
    return OutboxMessage.objects.filter(
        kind="booking_confirmed", context__booking=booking.pk
    ).count()


def created_events(booking: Booking) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="booking.created", target_id=str(booking.pk)))


@pytest.mark.django_db
def test_the_booking_commits_first_and_the_worker_announces_it_once(frozen_clock):
    slot = slot_at("2026-06-03T09:00+07:00", capacity=2)
    citizen = f.CitizenFactory()

    booking = create_booking(citizen=citizen, slot_id=slot.pk)
    frozen_clock.advance(dt.timedelta(seconds=2))  # the worker comes a moment later

    slot.refresh_from_db()
    assert slot.booked == 1
    assert Booking.objects.get(pk=booking.pk).announce_pending
    assert confirmations(booking) == 0
    assert created_events(booking) == []

    assert announce_pending() == 1
    assert announce_pending() == 0

    booking.refresh_from_db()
    assert not booking.announce_pending
    assert confirmations(booking) == 1
    [event] = created_events(booking)
    # The booking's own time and actor, not the worker's.
    assert event.at == booking.created_at
    assert event.actor_id == citizen.pk
    assert event.site_id == booking.site_id
    assert event.data == {"slot": slot.pk}


@pytest.mark.django_db
def test_the_worker_ends_the_citizens_wait_for_the_service():
    slot = slot_at("2026-06-10T09:00+07:00", capacity=2)
    citizen = f.CitizenFactory()
    entry = WaitlistEntry.objects.create(
        citizen=citizen,
        service=slot.site_service.service,
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 20),
    )
    entry.sites.set([slot.site_service.site])

    create_booking(citizen=citizen, slot_id=slot.pk)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING

    announce_pending()

    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED


@pytest.mark.django_db
def test_a_booking_cancelled_before_it_is_announced_gets_no_confirmation():
    slot = slot_at("2026-06-03T09:00+07:00", capacity=2)
    citizen = f.CitizenFactory()
    booking = create_booking(citizen=citizen, slot_id=slot.pk)
    cancel_booking(booking=booking, actor=citizen)
    # They join the list again after cancelling: the late announcement must
    # not end that wait.
    entry = WaitlistEntry.objects.create(
        citizen=citizen,
        service=slot.site_service.service,
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 20),
    )

    announce_pending()

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert confirmations(booking) == 0
    assert OutboxMessage.objects.filter(kind="booking_cancelled").count() == 1
    assert len(created_events(booking)) == 1
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING


@pytest.mark.django_db
def test_a_failed_announcement_is_undone_and_done_again_next_round(monkeypatch):
    slot = slot_at("2026-06-03T09:00+07:00", capacity=2)
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    original = announce.notify_booking

    def crash(**kwargs: Any) -> None:
        raise RuntimeError("the outbox went away")

    monkeypatch.setattr(announce, "notify_booking", crash)
    with pytest.raises(RuntimeError):
        announce_pending()
    booking.refresh_from_db()
    assert booking.announce_pending
    assert created_events(booking) == []

    monkeypatch.setattr(announce, "notify_booking", original)
    assert announce_pending() == 1
    assert confirmations(booking) == 1
    assert len(created_events(booking)) == 1


@pytest.mark.django_db
def test_many_pending_bookings_are_announced_in_batches():
    slot = slot_at("2026-06-03T09:00+07:00", capacity=200)
    bookings = [
        create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
        for _ in range(announce.BATCH + 7)
    ]

    assert announce_pending(limit=announce.BATCH) == announce.BATCH
    assert announce_pending() == 7
    assert all(confirmations(booking) == 1 for booking in bookings)
    assert AuditEvent.objects.filter(action="booking.created").count() == len(bookings)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_announce_each_booking_once():
    slot = slot_at("2026-06-03T09:00+07:00", capacity=200)
    bookings = [create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk) for _ in range(120)]
    barrier = threading.Barrier(3)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            announce_pending()
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    announce_pending()  # whatever a skipped batch left

    assert failures == []
    assert not Booking.objects.filter(announce_pending=True).exists()
    assert OutboxMessage.objects.filter(kind="booking_confirmed").count() == len(bookings)
    assert AuditEvent.objects.filter(action="booking.created").count() == len(bookings)


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_announces_a_new_booking_within_its_interval():
    slot = slot_at("2026-06-03T09:00+07:00", capacity=2)
    announcer = Announcer(interval=0.05)
    announcer.start()
    try:
        booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
        deadline = time.monotonic() + 10
        while Booking.objects.filter(pk=booking.pk, announce_pending=True).exists():
            assert time.monotonic() < deadline, "not announced within 10 s"
            time.sleep(0.05)
    finally:
        announcer.stopped.set()
        announcer.join(timeout=10)
    assert confirmations(booking) == 1

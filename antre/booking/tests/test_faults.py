"""Faults around a booking: a full disk, a clock at the cut-off, a mail server
that goes away. Each ends with nothing lost and nothing doubled.

* Disk full (SQLite): ``PRAGMA max_page_count`` pins the database at its
  present size and one table is filled to the last byte, so the booking's
  write to it fails with SQLITE_FULL after the seat and the booking row were
  already written in the same transaction. Everything rolls back; the API
  answers 507 ``storage_full`` (``antre.ops.outage``); the database passes
  ``PRAGMA integrity_check``; once there is room, a retry books once.
* The cut-off: booking closes *at* ``booking_closes_minutes`` before the
  start (a half-open window, like a slot's own [start, end)): the last
  millisecond before is bookable, the instant itself is not, in WIB, WITA
  and WIT alike.
* SMTP down while citizens book, then back: every message arrives exactly
  once, under the Message-ID of its outbox row.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client

from antre.accounts.tokens import create_api_token
from antre.booking import errors
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.services import cancel_booking, create_booking
from antre.core.models import AuditEvent, IdempotencyRecord
from antre.notifications.delivery import deliver_due_messages
from antre.notifications.models import OutboxMessage, OutboxStatus
from antre.ops.outage import api_unavailable, is_storage_full
from antre.testing import factories as f
from antre.testing.smtp import SMTPTestServer

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="max_page_count is SQLite's; PostgreSQL needs a real disk"
)

# SQLite's own ceiling: "no limit" for max_page_count.
NO_PAGE_LIMIT = 4294967294


def slot_at(when: str, **fields: Any) -> Slot:
    start = dt.datetime.fromisoformat(when)
    return f.SlotFactory.create(start=start, end=start + dt.timedelta(minutes=30), **fields)


def state(slot: Slot) -> dict[str, int]:
    slot.refresh_from_db()
    return {
        "booked": slot.booked,
        "bookings": Booking.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "audit": AuditEvent.objects.count(),
        "idempotency records": IdempotencyRecord.objects.count(),
    }


def integrity() -> str:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        return str(cursor.fetchone()[0])


def set_page_limit(pages: int | None) -> None:
    with connection.cursor() as cursor:
        if pages is None:
            cursor.execute("PRAGMA page_count")
            pages = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA max_page_count = {int(pages)}")


def fill_audit(size: int) -> None:
    AuditEvent.objects.create(action="fill", data={"x": "x" * size})


def fill_outbox(size: int) -> None:
    OutboxMessage.objects.create(kind="fill", recipient="fill@example.test", body_text="x" * size)


FILLERS: dict[str, Callable[[int], None]] = {"audit log": fill_audit, "outbox": fill_outbox}


@pytest.fixture
def full_disk() -> Iterator[Callable[[str], None]]:
    """``full_disk(table)``: no page more for the database, and ``table``'s
    pages filled until not even a tiny row fits, so the next write there fails
    with SQLITE_FULL. The limit is lifted after the test."""

    def fill(table: str) -> None:
        set_page_limit(None)
        for size in (4000, 1000, 250, 60, 15, 1):
            while True:
                try:
                    with transaction.atomic():
                        FILLERS[table](size)
                except OperationalError as error:
                    if "full" not in str(error):
                        raise
                    break

    yield fill
    set_page_limit(NO_PAGE_LIMIT)


@sqlite_only
@pytest.mark.parametrize("table", list(FILLERS))
def test_a_full_disk_mid_booking_leaves_no_partial_booking(
    full_disk: Callable[[str], None], table: str
) -> None:
    slot = slot_at("2026-06-03T09:00+07:00", capacity=2)
    citizen = f.CitizenFactory.create()
    full_disk(table)
    before = state(slot)

    with pytest.raises(OperationalError, match="full"):
        create_booking(citizen=citizen, slot_id=slot.pk)

    assert state(slot) == before
    assert integrity() == "ok"
    set_page_limit(NO_PAGE_LIMIT)
    booking = create_booking(citizen=citizen, slot_id=slot.pk)
    assert state(slot)["booked"] == before["booked"] + 1
    assert booking.status == BookingStatus.CONFIRMED


@sqlite_only
def test_the_api_answers_507_storage_full_and_a_retry_books_once(
    full_disk: Callable[[str], None],
) -> None:
    slot = slot_at("2026-06-03T09:00+07:00", capacity=2)
    citizen = f.CitizenFactory.create()
    token = create_api_token(user=citizen, name="test")[1]
    client = Client(raise_request_exception=False)

    def post() -> Any:
        return client.post(
            "/api/v1/bookings",
            json.dumps({"slot_id": slot.pk}),
            content_type="application/json",
            headers={"authorization": f"Bearer {token}", "idempotency-key": "full-disk-1"},
        )

    full_disk("audit log")
    before = state(slot)

    refused = post()

    assert refused.status_code == 507, refused.content
    assert refused["Content-Type"].startswith("application/problem+json")
    assert refused.json()["code"] == "storage_full"
    assert state(slot) == before
    assert integrity() == "ok"

    set_page_limit(NO_PAGE_LIMIT)
    booked, replayed = post(), post()
    assert booked.status_code == 201, booked.content
    assert replayed.status_code == 201
    assert replayed["Idempotent-Replayed"] == "true"
    assert replayed.json()["code"] == booked.json()["code"]
    after = state(slot)
    assert after["booked"] == before["booked"] + 1
    assert after["bookings"] == before["bookings"] + 1


def test_postgresqls_disk_full_is_storage_full_too() -> None:
    import psycopg.errors

    full = OperationalError("could not extend file")
    full.__cause__ = psycopg.errors.DiskFull("could not extend file")
    down = OperationalError("connection refused")
    down.__cause__ = psycopg.errors.OperationalError("connection refused")

    assert is_storage_full(full)
    assert not is_storage_full(down)
    assert api_unavailable(full).status_code == 507
    assert api_unavailable(down).status_code == 503


# The last slot of the afternoon and the cut-off an hour before it: 15:00 local.
CUTOFF_CASES = [
    ("Asia/Jakarta", "+07:00"),
    ("Asia/Makassar", "+08:00"),
    ("Asia/Jayapura", "+09:00"),
]


@pytest.mark.parametrize(("zone", "offset"), CUTOFF_CASES)
@pytest.mark.parametrize(
    ("now", "bookable"),
    [
        ("14:59:59.999000", True),
        ("14:59:59.999999", True),
        ("15:00:00.000000", False),
        ("15:00:00.001000", False),
    ],
)
def test_the_booking_cutoff_to_the_millisecond(
    frozen_clock: Any, zone: str, offset: str, now: str, bookable: bool
) -> None:
    site = f.SiteFactory.create(slug=f"gerai-{offset[1:3]}", timezone=zone)
    service = f.ServiceFactory.create(booking_closes_minutes=60)
    site_service = f.SiteServiceFactory.create(site=site, service=service)
    slot = slot_at(f"2026-06-03T16:00:00{offset}", site_service=site_service)
    citizen = f.CitizenFactory.create()
    frozen_clock.move_to(f"2026-06-03T{now}{offset}")
    assert zoneinfo.ZoneInfo(zone).utcoffset(slot.start.replace(tzinfo=None)) == dt.timedelta(
        hours=int(offset[1:3])
    )

    from antre.booking.selectors import available_slots

    listed = list(
        available_slots(site_service=site_service, start=slot.start.date(), end=slot.start.date())
    )
    if bookable:
        assert slot in listed
        assert create_booking(citizen=citizen, slot_id=slot.pk).slot_id == slot.pk
    else:
        assert slot not in listed
        with pytest.raises(errors.OutsideBookingWindow):
            create_booking(citizen=citizen, slot_id=slot.pk)
        slot.refresh_from_db()
        assert slot.booked == 0
        assert not Booking.objects.exists()


def test_smtp_down_while_citizens_book_then_back_delivers_each_message_once(
    smtp_server: SMTPTestServer, frozen_clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    smtp_server.stop()
    slot = slot_at("2026-06-03T09:00+07:00", capacity=5)
    citizens = f.CitizenFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        bookings = [create_booking(citizen=citizen, slot_id=slot.pk) for citizen in citizens]
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[0], actor=citizens[0])
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert len(rows) == 4
    # Each delivery ran on commit and failed: the server refused the connection.
    assert all(row.status == OutboxStatus.PENDING and row.attempts == 1 for row in rows)

    smtp_server.start()
    frozen_clock.advance(minutes=2)
    assert deliver_due_messages().sent == 4
    frozen_clock.advance(hours=1)
    assert deliver_due_messages().sent == 0

    received = smtp_server.wait_for(4)
    assert len(smtp_server.messages) == 4
    for row in rows:
        row.refresh_from_db()
        assert row.status == OutboxStatus.SENT
    sent_ids = sorted(message["Message-ID"] for message in received)
    assert sent_ids == sorted(f"<{row.message_id}@antre>" for row in rows)
    assert len(set(sent_ids)) == 4

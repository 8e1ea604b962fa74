"""A real ``antre serve`` killed (SIGKILL, its whole process group) in the
middle of a burst of bookings, then started again while the clients retry.

What a citizen was told is what the database holds: every booking answered
201 exists and is confirmed, no slot holds more than its capacity, each
slot's count agrees with its active bookings, no citizen got two bookings for
one (retried) request, and each confirmed booking has exactly one
confirmation e-mail in the outbox once the worker has announced the
bookings, none lost, none doubled.

Runs on the test's database: PostgreSQL with DATABASE_URL=postgres://...,
else the SQLite file (``antre serve`` and the test share it).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
import uuid
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db.models import Count, Q

from antre.accounts.tokens import create_api_token
from antre.booking.announce import announce_pending
from antre.booking.models import ACTIVE_BOOKING_STATUSES, Booking, BookingStatus, Slot
from antre.notifications.models import Channel, OutboxMessage
from antre.testing import factories as f
from antre.testing.serve import ServeProcess, server_environment

pytestmark = pytest.mark.slow

NOW = "2026-06-02T09:05:00+07:00"
CITIZENS = 36
SLOTS = 3
CAPACITY = 6  # 18 seats for 36 citizens: the burst also fills slots
KILL_AFTER = 8  # answers before the kill
CLIENT_DEADLINE = 180.0


@dataclass
class Outcome:
    """What one citizen's client finally heard, and how often it had to retry."""

    status: int | None = None
    body: dict[str, object] = field(default_factory=dict)
    connection_errors: int = 0


def book(base_url: str, token: str, slot_id: int, outcome: Outcome, answers: list[int]) -> None:
    """POST /bookings until an HTTP answer arrives, retrying a lost connection
    with the same Idempotency-Key, as a careful client does."""
    import http.client

    key = uuid.uuid4().hex
    host, port = base_url.removeprefix("http://").split(":")
    deadline = time.monotonic() + CLIENT_DEADLINE
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            connection.request(
                "POST",
                "/api/v1/bookings",
                body=json.dumps({"slot_id": slot_id}),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Idempotency-Key": key,
                    "Content-Type": "application/json",
                },
            )
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            outcome.connection_errors += 1
            time.sleep(0.2)
            continue
        finally:
            connection.close()
        if response.status in {502, 503, 504}:
            # The server is starting again, or the database is catching up; a
            # 500 would be a bug, and fails the test below.
            outcome.connection_errors += 1
            time.sleep(0.2)
            continue
        outcome.status = response.status
        outcome.body = json.loads(body) if body else {}
        answers.append(response.status)
        return


def test_a_killed_server_loses_and_doubles_no_booking_and_no_email(
    transactional_db, city, tmp_path: Path
):
    site_service = city.site_service(city.site_s, city.service_a)
    tz = zoneinfo.ZoneInfo(city.site_s.timezone)
    slots = [
        f.SlotFactory.create(
            site_service=site_service,
            start=dt.datetime(2026, 6, 3, 9 + hour, 0, tzinfo=tz),
            end=dt.datetime(2026, 6, 3, 9 + hour, 30, tzinfo=tz),
            capacity=CAPACITY,
        )
        for hour in range(SLOTS)
    ]
    citizens = [f.CitizenFactory.create() for _ in range(CITIZENS)]
    tokens = [create_api_token(user=citizen, name="burst")[1] for citizen in citizens]
    chooser = random.Random(7)
    choices = [chooser.choice(slots).pk for _ in citizens]

    env = server_environment(tmp_path, now=NOW)
    server = ServeProcess(env, tmp_path / "serve.log", workers=2)
    outcomes = [Outcome() for _ in citizens]
    answers: list[int] = []
    threads = [
        threading.Thread(
            target=book, args=(server.url, token, slot_id, outcome, answers), daemon=True
        )
        for token, slot_id, outcome in zip(tokens, choices, outcomes, strict=True)
    ]
    try:
        server.start()
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(answers) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.005)
        answered_before_kill = len(answers)
        server.kill()
        server.start()
        for thread in threads:
            thread.join(CLIENT_DEADLINE + 30)
    finally:
        server.stop()

    assert KILL_AFTER <= answered_before_kill < CITIZENS, "the kill was not mid-burst"
    assert all(outcome.status is not None for outcome in outcomes), "a client got no answer"
    assert any(outcome.connection_errors for outcome in outcomes), "no request saw the kill"
    statuses = {outcome.status for outcome in outcomes}
    assert statuses <= {201, 409}, statuses

    confirmed_codes = {str(o.body["code"]) for o in outcomes if o.status == 201}
    assert confirmed_codes
    # Every booking a client saw confirmed is in the database, confirmed.
    stored = dict(Booking.objects.filter(code__in=confirmed_codes).values_list("code", "status"))
    assert stored == dict.fromkeys(confirmed_codes, BookingStatus.CONFIRMED)
    # And nothing was booked that no client heard of (a retry got the first answer).
    active = Booking.objects.filter(status__in=ACTIVE_BOOKING_STATUSES)
    assert set(active.values_list("code", flat=True)) == confirmed_codes
    per_citizen = active.values("citizen").annotate(n=Count("id")).filter(n__gt=1)
    assert not per_citizen.exists()

    for slot in Slot.objects.filter(pk__in=[s.pk for s in slots]).annotate(
        active=Count("bookings", filter=Q(bookings__status__in=ACTIVE_BOOKING_STATUSES))
    ):
        assert slot.booked <= slot.capacity
        assert slot.booked == slot.active
    full = sum(1 for o in outcomes if o.status == 409)
    assert len(confirmed_codes) + full == CITIZENS

    # The server leaves each booking's e-mail to the worker (ANTRE_BOOKING_ANNOUNCE
    # defaults to worker outside tests): what it does after the restart, once
    # per booking however often the request was retried.
    announce_pending()
    announce_pending()
    assert not Booking.objects.filter(announce_pending=True).exists()
    for booking_id in active.values_list("pk", flat=True):
        emails = OutboxMessage.objects.filter(
            kind="booking_confirmed", channel=Channel.EMAIL, context__booking=booking_id
        )
        assert emails.count() == 1, booking_id
    print(
        f"{answered_before_kill} answers before the kill; {len(confirmed_codes)} confirmed, "
        f"{full} refused; {sum(o.connection_errors for o in outcomes)} retried requests"
    )

"""POST /bookings writes the record of its Idempotency-Key inside the
booking's own transaction (``idempotency.answers_in_own_transaction``): the
same guarantees as every other POST, with the reads and the parsing outside
the write lock.

The clock is frozen at Tuesday 2026-06-02 09:05 in Jakarta (WIB, +07:00).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from antre.accounts.models import User
from antre.accounts.tokens import create_api_token
from antre.api import idempotency
from antre.booking import announce
from antre.booking.models import Booking, BookingStatus, Slot
from antre.core.models import IdempotencyRecord
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f


def post_booking(token: str, slot: Slot, key: str, client: Client | None = None) -> Any:
    return (client or Client(raise_request_exception=False)).post(
        "/api/v1/bookings",
        json.dumps({"slot_id": slot.pk}),
        content_type="application/json",
        headers={"authorization": f"Bearer {token}", "idempotency-key": key},
    )


def wednesday_slot(**values: Any) -> Slot:
    start = dt.datetime(2026, 6, 3, 9, tzinfo=dt.UTC)
    return f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), **values)


@pytest.mark.django_db
def test_the_replay_is_the_first_answer_byte_for_byte() -> None:
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    slot = wednesday_slot()

    first = post_booking(token, slot, "k-1")
    again = post_booking(token, slot, "k-1")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    record = IdempotencyRecord.objects.get(key="k-1")
    assert (record.user_id, record.status_code, record.path) == (
        citizen.pk,
        201,
        "/api/v1/bookings",
    )
    assert Booking.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("retry", ['{{"slot_id":{pk}}}', '{{\n  "slot_id" : {pk}\n}}'])
def test_a_retry_writing_the_same_json_otherwise_replays_the_booking(retry: str) -> None:
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    slot = wednesday_slot()
    headers = {"authorization": f"Bearer {token}", "idempotency-key": "k-json"}
    client = Client()

    first = post_booking(token, slot, "k-json", client)
    again = client.post(
        "/api/v1/bookings",
        retry.format(pk=slot.pk),
        content_type="application/json",
        headers=headers,
    )

    assert first.status_code == again.status_code == 201, again.content
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_a_crash_inside_the_booking_records_nothing_and_the_retry_books_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    slot = wednesday_slot()
    original = announce.notify_booking

    def crash(**kwargs: Any) -> None:
        raise RuntimeError("the worker queue went away")

    monkeypatch.setattr(announce, "notify_booking", crash)
    crashed = post_booking(token, slot, "k-2")
    monkeypatch.setattr(announce, "notify_booking", original)
    retried = post_booking(token, slot, "k-2")

    assert crashed.status_code == 500
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 1
    assert OutboxMessage.objects.filter(kind="booking_confirmed").count() == 1
    assert IdempotencyRecord.objects.filter(key="k-2").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_with_one_key_book_once_and_answer_alike() -> None:
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="race")[1]
    slot = wednesday_slot(capacity=20)
    barrier = threading.Barrier(8)
    answers: list[tuple[int, bytes]] = []

    def send() -> None:
        try:
            barrier.wait(timeout=30)
            response = post_booking(token, slot, "same")
            answers.append((response.status_code, response.content))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == 8
    assert {status for status, _content in answers} == {201}
    assert len({content for _status, content in answers}) == 1
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_key_taken_meanwhile_rolls_the_booking_back_and_replays_the_winner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another request with the key commits its answer while this booking's
    transaction runs (PostgreSQL: SQLite's one write lock keeps them apart):
    this booking is undone and the winner's answer is given."""
    if connection.vendor != "postgresql":
        pytest.skip("two write transactions at once need PostgreSQL")
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    slot = wednesday_slot()
    original = announce.notify_booking

    def winner_commits_first(**kwargs: Any) -> Any:
        def insert() -> None:
            try:
                IdempotencyRecord.objects.create(
                    user=User.objects.get(pk=citizen.pk),
                    key="k-3",
                    method="POST",
                    path="/api/v1/bookings",
                    fingerprint=idempotency_fingerprint(slot),
                    status_code=409,
                    content_type="application/problem+json",
                    body=b'{"code": "slot_full"}',
                )
            finally:
                connections.close_all()

        other = threading.Thread(target=insert)
        other.start()
        other.join(timeout=30)
        return original(**kwargs)

    monkeypatch.setattr(announce, "notify_booking", winner_commits_first)
    response = post_booking(token, slot, "k-3")

    assert response.status_code == 409
    assert response["Idempotent-Replayed"] == "true"
    assert json.loads(response.content) == {"code": "slot_full"}
    slot.refresh_from_db()
    assert slot.booked == 0
    assert not Booking.objects.exists()
    assert not OutboxMessage.objects.exists()


def idempotency_fingerprint(slot: Slot) -> str:
    """The fingerprint ``post_booking``'s request has."""
    from django.test import RequestFactory

    request = RequestFactory().post(
        "/api/v1/bookings", json.dumps({"slot_id": slot.pk}), content_type="application/json"
    )
    return idempotency.fingerprint(request)


@pytest.mark.django_db
def test_a_first_booking_with_a_key_runs_no_lookup_of_it() -> None:
    """The key is looked up only when the booking did not record an answer
    with it: the first request writes the record and reads nothing more."""
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    first, second = wednesday_slot(), wednesday_slot()
    post_booking(token, first, "warm-up")  # the token's first use is written once
    Booking.objects.all().delete()
    IdempotencyRecord.objects.all().delete()

    with CaptureQueriesContext(connection) as captured:
        response = post_booking(token, second, "k-first")

    assert response.status_code == 201
    statements = [query["sql"] for query in captured.captured_queries]
    touching_records = [sql for sql in statements if "core_idempotencyrecord" in sql]
    assert len(touching_records) == 1
    assert 'INSERT INTO "core_idempotencyrecord"' in touching_records[0]


@pytest.mark.django_db
def test_a_retry_that_is_refused_before_booking_still_gets_the_first_answer(
    settings: Any,
) -> None:
    """A retry runs the operation again; whatever refuses it (here the
    account's booking rate limit), the first answer is what it gets."""
    settings.ANTRE_RATE_LIMITS_ENABLED = True
    settings.ANTRE_RATE_LIMITS = {**settings.ANTRE_RATE_LIMITS, "booking.account": "1/h"}
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    slot = wednesday_slot()

    first = post_booking(token, slot, "k-rl")
    again = post_booking(token, slot, "k-rl")
    other = post_booking(token, wednesday_slot(), "k-other")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 429
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_a_key_reused_for_another_booking_is_refused_and_books_nothing() -> None:
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    slot, other_service_slot = wednesday_slot(), wednesday_slot()

    first = post_booking(token, slot, "k-same")
    reused = post_booking(token, other_service_slot, "k-same")

    assert first.status_code == 201
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert list(Booking.objects.values_list("slot_id", flat=True)) == [slot.pk]
    other_service_slot.refresh_from_db()
    assert other_service_slot.booked == 0


@pytest.mark.django_db
def test_a_key_used_again_after_24_hours_books_anew(frozen_clock: Any) -> None:
    """An expired record counts as absent: the booking that finds the key
    taken by it is undone, the record deleted, and the booking made again."""
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    start = dt.datetime(2026, 6, 5, 9, tzinfo=dt.UTC)  # Friday: still bookable after a day
    first_slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30))
    later_slot = f.SlotFactory(
        start=start + dt.timedelta(hours=1), end=start + dt.timedelta(hours=1, minutes=30)
    )

    first = post_booking(token, first_slot, "k-day")
    frozen_clock.advance(hours=24, seconds=1)
    again = post_booking(token, later_slot, "k-day")

    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert again.json()["slot"]["id"] == later_slot.pk
    record = IdempotencyRecord.objects.get(key="k-day")
    assert json.loads(bytes(record.body))["slot"]["id"] == later_slot.pk
    assert Booking.objects.count() == 2


@pytest.mark.django_db
def test_a_refusal_is_recorded_without_a_lookup_of_the_key() -> None:
    """A full slot's refusal (in a rush, the many late requests) writes its
    record at once: the key is not read first."""
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    full = wednesday_slot(capacity=1, booked=1)
    post_booking(token, wednesday_slot(), "warm-up")  # the token's first use is written once

    with CaptureQueriesContext(connection) as captured:
        refused = post_booking(token, full, "k-full")
    touching_records = [
        query["sql"]
        for query in captured.captured_queries
        if "core_idempotencyrecord" in query["sql"]
    ]
    again = post_booking(token, full, "k-full")

    assert refused.status_code == 409
    assert refused.json()["code"] == "slot_full"
    assert len(touching_records) == 1
    assert 'INSERT INTO "core_idempotencyrecord"' in touching_records[0]
    assert again.content == refused.content
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_refusal_with_a_key_used_24_hours_ago_is_recorded_anew(frozen_clock: Any) -> None:
    """The refusal's record finds the key taken by an expired record: that
    one counts as absent, is deleted, and the refusal is the answer."""
    citizen = f.CitizenFactory()
    token = create_api_token(user=citizen, name="t")[1]
    start = dt.datetime(2026, 6, 5, 9, tzinfo=dt.UTC)  # Friday: still bookable after a day
    first_slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30))
    full = f.SlotFactory(
        start=start + dt.timedelta(hours=1),
        end=start + dt.timedelta(hours=1, minutes=30),
        capacity=1,
        booked=1,
    )

    first = post_booking(token, first_slot, "k-day")
    frozen_clock.advance(hours=24, seconds=1)
    refused = post_booking(token, full, "k-day")

    assert first.status_code == 201
    assert refused.status_code == 409
    assert "Idempotent-Replayed" not in refused
    record = IdempotencyRecord.objects.get(key="k-day")
    assert record.status_code == 409
    assert bytes(record.body) == refused.content

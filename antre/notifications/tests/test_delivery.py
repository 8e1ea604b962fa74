"""Outbox delivery: claimed once, retried with backoff, swept after a crash."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connections, transaction

from antre.core.periodic import registered_jobs
from antre.notifications.delivery import (
    MAX_ATTEMPTS,
    STALE_AFTER,
    deliver_due_messages,
    deliver_message,
    retry_delay,
)
from antre.notifications.models import OutboxMessage, OutboxStatus
from antre.notifications.rendering import RenderedEmail
from antre.notifications.services import queue_message


def make_row(**fields) -> OutboxMessage:
    """A rendered row, written without enqueuing its delivery task."""
    defaults = {
        "kind": "test",
        "recipient": "warga@example.test",
        "subject": "Kode pemesanan",
        "body_text": "Kode: 7K3M-9QXZ4",
        "body_html": "<p>Kode: <b>7K3M-9QXZ4</b></p>",
        "rendered_at": dt.datetime(2026, 6, 2, 2, 0, tzinfo=dt.UTC),
    }
    return OutboxMessage.objects.create(**{**defaults, **fields})


class SlowRecordingMailer(BaseEmailBackend):
    """Takes its time, so that concurrent deliveries overlap; remembers sends."""

    sent: list[str] = []
    lock = threading.Lock()

    def send_messages(self, email_messages):
        time.sleep(0.2)
        with self.lock:
            SlowRecordingMailer.sent.extend(
                message.extra_headers["Message-ID"] for message in email_messages
            )
        return len(email_messages)


def test_retry_delays_double_from_a_minute_up_to_half_an_hour():
    expected_minutes = [1, 2, 4, 8, 16, 30, 30, 30]
    for attempts, minutes in enumerate(expected_minutes, start=1):
        delay = retry_delay(attempts)
        base = dt.timedelta(minutes=minutes)
        assert base <= delay <= base * 1.1, (attempts, delay)


@pytest.mark.django_db
def test_smtp_down_twice_then_back_delivers_once_honouring_the_backoff(
    smtp_server, frozen_clock, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = queue_message(
            kind="test",
            recipient="warga@example.test",
            rendered=RenderedEmail(subject="Halo", body_text="Isi", body_html="<p>Isi</p>"),
        )
    # The task ran on commit and failed: connection refused.
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    first_retry = message.next_attempt_at - frozen_clock.now()
    assert dt.timedelta(minutes=1) <= first_retry <= dt.timedelta(seconds=66)

    # Not due yet: neither the task (run again) nor the periodic job touch it.
    assert deliver_message(message.pk) is False
    frozen_clock.advance(seconds=59)
    assert deliver_due_messages().retried == 0
    message.refresh_from_db()
    assert message.attempts == 1

    frozen_clock.advance(first_retry - dt.timedelta(seconds=59))
    assert deliver_due_messages().retried == 1
    message.refresh_from_db()
    assert message.attempts == 2
    second_retry = message.next_attempt_at - frozen_clock.now()
    assert dt.timedelta(minutes=2) <= second_retry <= dt.timedelta(seconds=132)

    smtp_server.start()
    frozen_clock.advance(second_retry - dt.timedelta(seconds=1))
    assert deliver_due_messages().sent == 0
    frozen_clock.advance(seconds=1)
    assert deliver_due_messages().sent == 1

    [received] = smtp_server.wait_for(1)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 3
    assert message.sent_at == frozen_clock.now()
    assert message.last_error == ""
    assert received["Message-ID"] == f"<{message.message_id}@antre>"
    assert deliver_due_messages().sent == 0
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_the_message_id_uses_the_sites_domain(settings, mailoutbox):
    settings.BASE_URL = "https://antre.bekasikota.go.id"
    message = make_row()

    assert deliver_message(message.pk)
    [sent] = mailoutbox
    assert sent.message()["Message-ID"] == f"<{message.message_id}@antre.bekasikota.go.id>"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_of_one_row_send_once(settings):
    settings.MAILERS = {
        "default": {"BACKEND": "antre.notifications.tests.test_delivery.SlowRecordingMailer"}
    }
    SlowRecordingMailer.sent = []
    message = make_row()
    barrier = threading.Barrier(8)
    results = []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(deliver_message(message.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [False] * 7 + [True]
    assert SlowRecordingMailer.sent == [f"<{message.message_id}@antre>"]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1


@pytest.mark.django_db
def test_a_stale_sending_row_is_swept_and_sent_again(smtp_server, frozen_clock):
    crashed = make_row(
        status=OutboxStatus.SENDING,
        attempts=1,
        claimed_at=frozen_clock.now() - STALE_AFTER - dt.timedelta(seconds=1),
    )
    in_flight = make_row(
        status=OutboxStatus.SENDING,
        attempts=1,
        claimed_at=frozen_clock.now() - dt.timedelta(minutes=5),
    )

    run = deliver_due_messages()

    assert run.released == 1
    assert run.sent == 1
    crashed.refresh_from_db()
    assert crashed.status == OutboxStatus.SENT
    assert crashed.attempts == 2
    [received] = smtp_server.wait_for(1)
    assert received["Message-ID"] == f"<{crashed.message_id}@antre>"
    in_flight.refresh_from_db()
    assert in_flight.status == OutboxStatus.SENDING  # its worker may still finish


@pytest.mark.django_db
def test_a_stale_row_out_of_attempts_is_marked_failed(frozen_clock):
    crashed = make_row(
        status=OutboxStatus.SENDING,
        attempts=MAX_ATTEMPTS,
        claimed_at=frozen_clock.now() - STALE_AFTER - dt.timedelta(minutes=1),
    )

    deliver_due_messages()

    crashed.refresh_from_db()
    assert crashed.status == OutboxStatus.FAILED


@pytest.mark.django_db
def test_the_last_attempt_gives_up(smtp_server):
    smtp_server.stop()
    message = make_row(attempts=MAX_ATTEMPTS - 1)

    assert deliver_message(message.pk) is False

    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert "ConnectionRefusedError" in message.last_error


@pytest.mark.django_db
def test_a_message_about_a_missing_booking_fails_at_once(mailoutbox):
    message = OutboxMessage.objects.create(
        kind="booking_confirmed", recipient="warga@example.test", context={"booking": 987654}
    )

    assert deliver_message(message.pk) is False

    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 1
    assert "987654" in message.last_error
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_sent_message_is_never_sent_again(mailoutbox):
    message = make_row()

    assert deliver_message(message.pk) is True
    assert deliver_message(message.pk) is False
    assert deliver_due_messages().sent == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_periodic_job_delivers_messages_whose_task_was_lost(mailoutbox):
    # Queued in a transaction whose on-commit hooks never ran here: as if the
    # worker had lost the task.
    with transaction.atomic():
        queue_message(
            kind="test",
            recipient="warga@example.test",
            rendered=RenderedEmail(subject="Halo", body_text="Isi", body_html=""),
        )
    job = registered_jobs()["antre.notifications.periodic_jobs.deliver_outbox"]
    assert job.interval == dt.timedelta(minutes=1)

    job.function()

    [sent] = mailoutbox
    assert sent.subject == "Halo"
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


@pytest.mark.django_db
def test_a_run_stops_early_when_the_server_is_down(smtp_server):
    smtp_server.stop()
    for _ in range(8):
        make_row()

    run = deliver_due_messages(give_up_after_failures=3)

    assert run.retried == 3
    assert OutboxMessage.objects.filter(attempts=0).count() == 5


@pytest.mark.django_db
def test_a_run_is_bounded_by_its_limit(mailoutbox):
    for _ in range(3):
        make_row()

    assert deliver_due_messages(limit=2).sent == 2
    assert deliver_due_messages(limit=2).sent == 1


def test_the_retries_span_hours_before_giving_up():
    waited = sum((retry_delay(attempts) for attempts in range(1, MAX_ATTEMPTS)), dt.timedelta())

    assert dt.timedelta(hours=7) < waited < dt.timedelta(hours=10)


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class Rollback(Exception):
    pass


def test_with_the_database_task_queue_the_task_commits_or_rolls_back_with_the_message(settings, db):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    rendered = RenderedEmail(subject="s", body_text="t", body_html="<p>t</p>")

    def queue_then_fail() -> None:
        with transaction.atomic():
            queue_message(kind="test", recipient="a@example.test", rendered=rendered)
            raise Rollback

    with pytest.raises(Rollback):
        queue_then_fail()
    assert not OutboxMessage.objects.exists()
    assert not DBTaskResult.objects.exists()

    with transaction.atomic():
        message = queue_message(kind="test", recipient="a@example.test", rendered=rendered)
        # Written in this transaction, not after it: one write transaction.
        assert DBTaskResult.objects.get().args_kwargs == {"args": [message.pk], "kwargs": {}}

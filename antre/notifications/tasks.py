"""Background tasks of the notifications app: thin, idempotent, by primary key."""

from __future__ import annotations

from django.tasks import task

from antre.notifications.delivery import deliver_message


@task()
def deliver_outbox_message(message_id: int) -> bool:
    """Deliver one outbox message; enqueued when the transaction that queued
    it commits. Safe to run twice or late: the delivery claims the row, and a
    message that is sent, not yet due or being sent is left alone."""
    return deliver_message(message_id)

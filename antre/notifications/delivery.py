"""Sending the outbox: claim a row, render it if it was queued unrendered,
hand it to the default mailer, record the outcome.

Delivery is at least once. A row is claimed with a status-guarded UPDATE
(``pending`` and due -> ``sending``), so two workers, or a task and the
periodic job, never send it at the same time (STYLE.md rule 4). A worker that
dies between the claim and the outcome leaves the row ``sending``; after
``STALE_AFTER`` the sweeper puts it back to ``pending`` and it is sent again.
The receiver may then see it twice, with the same Message-ID, which is what
mail software de-duplicates on.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import enum
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage as MIMEEmailMessage
from email.message import MIMEPart
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, QuerySet

from antre.core import clock
from antre.notifications.emails import UndeliverableMessage, render_queued
from antre.notifications.models import OutboxMessage, OutboxStatus
from antre.notifications.rendering import Attachment
from antre.notifications.transports import transport_for

logger = logging.getLogger(__name__)

# Retries: 1, 2, 4, 8, 16 minutes, then every 30 minutes; the 20th failed
# attempt (about eight hours after the first) gives up.
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 20
# A delivery holds its claim for at most the SMTP timeout (20 s in settings)
# per connection step; a claim this old belongs to a worker that died.
STALE_AFTER = dt.timedelta(minutes=10)


class Outcome(enum.Enum):
    SENT = "sent"
    NOT_CLAIMED = "not_claimed"  # not pending, not due, or another worker has it
    RETRY = "retry"
    FAILED = "failed"


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: doubling from
    a minute, capped at half an hour, plus up to 10% jitter so that messages
    that failed together (the SMTP server was down) do not retry together."""
    delay = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    jitter_ms = secrets.randbelow(int(delay / dt.timedelta(milliseconds=1)) // 10 + 1)
    return delay + dt.timedelta(milliseconds=jitter_ms)


def deliver_message(message_id: int) -> bool:
    """Send one outbox message if it is pending and due; True if it was sent now.

    False when another delivery has it, it is not due yet, it was sent
    already, or this attempt failed (then it is rescheduled with backoff, or
    marked failed after MAX_ATTEMPTS). Never raises for a mail problem."""
    return attempt_delivery(message_id) is Outcome.SENT


def attempt_delivery(message_id: int) -> Outcome:
    claimed_at = clock.now()
    # Counting the attempt in the claim means that a message that kills its
    # worker every time still reaches MAX_ATTEMPTS.
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=claimed_at
    ).update(status=OutboxStatus.SENDING, claimed_at=claimed_at, attempts=F("attempts") + 1)
    if claimed != 1:
        return Outcome.NOT_CLAIMED
    message = OutboxMessage.objects.get(pk=message_id)
    ours = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxStatus.SENDING, claimed_at=claimed_at
    )
    try:
        transport = transport_for(message.channel)
        if message.rendered_at is None:
            store_rendering(message, ours)
        transport.send(message)
    except UndeliverableMessage as error:
        logger.error("outbox message %s undeliverable: %s", message_id, error)
        ours.update(status=OutboxStatus.FAILED, last_error=describe(error))
        return Outcome.FAILED
    except Exception as error:
        return record_failure(message, ours, error)
    updated = ours.update(status=OutboxStatus.SENT, sent_at=clock.now(), last_error="")
    if updated != 1:
        # The sweeper took the claim back while we were sending (a very slow
        # server): the message went, and may go once more.
        logger.warning("outbox message %s was sent after its claim went stale", message_id)
    return Outcome.SENT


def store_rendering(message: OutboxMessage, ours: QuerySet[OutboxMessage]) -> None:
    """Render a message queued unrendered and store the result, so that every
    retry sends exactly what the first attempt rendered."""
    rendered = render_queued(message.kind, message.context)
    message.subject = rendered.subject
    message.body_text = rendered.body_text
    message.body_html = rendered.body_html
    message.attachments = list(rendered.attachments_data())
    message.rendered_at = clock.now()
    ours.update(
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        attachments=message.attachments,
        rendered_at=message.rendered_at,
    )


def record_failure(message: OutboxMessage, ours: Any, error: Exception) -> Outcome:
    attempts = message.attempts  # already counted by the claim
    if attempts >= MAX_ATTEMPTS:
        logger.error(
            "outbox message %s failed for good after %s attempts: %s",
            message.pk,
            attempts,
            describe(error),
        )
        ours.update(status=OutboxStatus.FAILED, last_error=describe(error))
        return Outcome.FAILED
    delay = retry_delay(attempts)
    logger.warning(
        "outbox message %s attempt %s failed, retrying in %s: %s",
        message.pk,
        attempts,
        delay,
        describe(error),
    )
    ours.update(
        status=OutboxStatus.PENDING,
        next_attempt_at=clock.now() + delay,
        last_error=describe(error),
    )
    return Outcome.RETRY


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def release_stale_claims() -> int:
    """Put deliveries claimed more than STALE_AFTER ago back to pending (their
    worker died), or mark them failed when they used up their attempts.
    Returns how many were released."""
    now = clock.now()
    stale = OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=now - STALE_AFTER
    )
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutboxStatus.FAILED, last_error="The last delivery attempt never finished."
    )
    released = stale.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=OutboxStatus.PENDING,
        next_attempt_at=now,
        last_error="A delivery attempt never finished; sending again.",
    )
    if released:
        logger.warning("released %s stale outbox deliveries", released)
    return released


@dataclass(frozen=True)
class DeliveryRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0


def deliver_due_messages(
    *,
    limit: int = 1000,
    time_budget: dt.timedelta = dt.timedelta(seconds=40),
    give_up_after_failures: int = 5,
) -> DeliveryRun:
    """Release stale claims, then deliver due pending messages, oldest first.

    Stops after ``limit`` messages, after ``time_budget`` of real time (the
    periodic tick runs every minute) or after ``give_up_after_failures``
    failures in a row: the mail server is probably down, and each further
    attempt would only wait for its timeout. The rest go at the next run."""
    released = release_stale_claims()
    started = time.monotonic()
    due = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=clock.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = dict.fromkeys(Outcome, 0)
    failures_in_a_row = 0
    for message_id in due:
        if time.monotonic() - started > time_budget.total_seconds():
            break
        outcome = attempt_delivery(message_id)
        counts[outcome] += 1
        if outcome is Outcome.SENT:
            failures_in_a_row = 0
        elif outcome is Outcome.RETRY:
            failures_in_a_row += 1
            if failures_in_a_row >= give_up_after_failures:
                logger.warning("outbox run stopped after %s failures in a row", failures_in_a_row)
                break
    return DeliveryRun(
        sent=counts[Outcome.SENT],
        retried=counts[Outcome.RETRY],
        failed=counts[Outcome.FAILED],
        released=released,
    )


class OutboxEmail(EmailMultiAlternatives):
    """An e-mail whose inline images belong to its HTML alternative.

    Django attaches files to the outer multipart/mixed; a picture the HTML
    shows by ``cid:`` belongs in a multipart/related around the HTML part, or
    several clients list it as an attachment as well as showing it::

        mixed [ alternative [ text, related [ html, image ] ], calendar.ics ]
    """

    def __init__(self, *args: Any, related: Sequence[Attachment] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.related = list(related)

    def message(self, *, policy: email.policy.Policy | None = None) -> MIMEEmailMessage:
        mime = super().message(policy=policy or email.policy.default)
        if not self.related:
            return mime
        html = mime.get_body(preferencelist=("html",))
        if html is None:
            raise UndeliverableMessage("Inline images need an HTML body.")
        for item in self.related:
            maintype, subtype = item.content_type.split("/", 1)
            html.add_related(
                item.content,
                maintype=maintype,
                subtype=subtype,
                cid=f"<{item.cid}>",
                disposition="inline",
                filename=item.filename,
            )
        return mime


def attachment_part(attachment: Attachment) -> MIMEPart:
    """A file as a MIME part, its bytes kept exactly (an .ics file must keep
    its CRLF line ends, which a text attachment given as str would lose)."""
    content_type, *parameters = (piece.strip() for piece in attachment.content_type.split(";"))
    maintype, subtype = content_type.split("/", 1)
    part = MIMEEmailMessage(policy=email.policy.default)
    part.set_content(
        attachment.content,
        maintype=maintype,
        subtype=subtype,
        disposition="attachment",
        filename=attachment.filename,
    )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        part.set_param(name.strip(), value.strip().strip('"'))
    return part


def message_id_header(message: OutboxMessage) -> str:
    """``<uuid@host>``: the host of BASE_URL when it is a domain name."""
    host = urlsplit(settings.BASE_URL).hostname or ""
    is_domain = "." in host and not host.replace(".", "").isdigit()
    return f"<{message.message_id}@{host if is_domain else 'antre'}>"


def build_email(message: OutboxMessage) -> OutboxEmail:
    attachments = [Attachment.from_data(data) for data in message.attachments]
    # Inline parts go with the HTML; without HTML they are plain attachments.
    related = [item for item in attachments if item.cid] if message.body_html else []
    email_message = OutboxEmail(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient],
        headers={
            "Message-ID": message_id_header(message),
            # Transactional mail: no out-of-office replies, please (RFC 3834).
            "Auto-Submitted": "auto-generated",
        },
        related=related,
    )
    if message.body_html:
        email_message.attach_alternative(message.body_html, "text/html")
    for attachment in attachments:
        if attachment not in related:
            email_message.attach(attachment_part(attachment))
    return email_message

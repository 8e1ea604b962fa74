"""Writes of the notifications app: messages go into the outbox, in the
caller's transaction, and are delivered after commit (STYLE.md rule 5).

Each queued message enqueues its delivery task: in the caller's transaction
when the task queue lives in our database (production), else with
``transaction.on_commit``; if that task is lost (a crash between commit and
enqueue) the minute-by-minute periodic job delivers the message anyway.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction

from antre.core import clock
from antre.notifications.emails import (
    AccountEvent,
    BookingEvent,
    DigestRow,
    WaitlistEvent,
    render_account_email,
    render_deadline_digest,
    render_waitlist_email,
)
from antre.notifications.models import Channel, OutboxMessage
from antre.notifications.rendering import RenderedEmail
from antre.notifications.tasks import deliver_outbox_message
from antre.notifications.texts import (
    render_attendance_text,
    render_unconfirmed_text,
    render_waitlist_text,
)
from antre.notifications.transports import text_channel

if TYPE_CHECKING:
    from antre.accounts.models import User
    from antre.booking.models import Booking
    from antre.catalog.models import Agency
    from antre.waitlist.models import Offer, WaitlistEntry

__all__ = [
    "DEADLINE_DIGEST",
    "AccountEvent",
    "BookingEvent",
    "notify_account",
    "notify_booking",
    "notify_deadline_digest",
    "notify_text",
    "notify_waitlist",
    "queue_message",
]


def notify_booking(*, booking: Booking, event: BookingEvent) -> OutboxMessage | None:
    """Queue the e-mail that tells the citizen about ``event``; None when the
    booking has no citizen e-mail (an anonymised account).

    Only the booking and the slot it is at now are stored: the message is
    rendered at its first delivery attempt, outside the caller's transaction
    (see ``OutboxMessage``), and shows that slot even if the booking has moved
    again by then."""
    citizen = booking.citizen
    if citizen is None:
        return None
    if event in ("attendance", "unconfirmed"):
        # Time to act is short here: a text as well, where one can be sent.
        notify_text(user=citizen, kind=f"booking_{event}", text=_booking_text(booking, event))
    if not citizen.email:
        return None
    return queue_message(
        kind=f"booking_{event}",
        recipient=citizen.email,
        context={"booking": booking.pk, "slot": booking.slot_id},
    )


def _booking_text(booking: Booking, event: BookingEvent) -> str:
    if event == "attendance":
        from antre.booking.confirmation import attendance_links

        return render_attendance_text(booking, attendance_links(booking))
    return render_unconfirmed_text(booking)


def notify_account(*, user: User, event: AccountEvent, link: str | None = None) -> OutboxMessage:
    """Queue an account e-mail (``event``) to ``user``; ``link`` is the one
    action the message offers (verify the address, set a new password).

    Rendered at once: the link is a secret that exists only here, and these
    messages are not on a hot path."""
    rendered = render_account_email(name=user.full_name, event=event, link=link)
    return queue_message(kind=f"account_{event}", recipient=user.email, rendered=rendered)


def notify_waitlist(
    *, entry: WaitlistEntry, event: WaitlistEvent, offer: Offer
) -> OutboxMessage | None:
    """Queue the e-mail about an offer to a waiting-list entry (a seat held for
    them, or the hold ran out). Rendered at once: it is not on a hot path."""
    citizen = entry.citizen
    if citizen is None or not citizen.email:
        return None
    slot = offer.slot
    site = slot.site_service.site
    rendered = render_waitlist_email(
        name=citizen.full_name,
        event=event,
        service=slot.site_service.service.name,
        site=site.name,
        address=site.address,
        start=slot.start,
        end=slot.end,
        expires_at=offer.expires_at,
        timezone=site.timezone,
    )
    if event == "offer":
        notify_text(
            user=citizen,
            kind="waitlist_offer",
            text=render_waitlist_text(
                service=slot.site_service.service.name,
                site=site.name,
                start=slot.start,
                expires_at=offer.expires_at,
                timezone=site.timezone,
            ),
        )
    return queue_message(kind=f"waitlist_{event}", recipient=citizen.email, rendered=rendered)


def text_recipient(user: User) -> str | None:
    """The user's number as gateways take it (E.164), or None: no number, or
    no gateway configured (then every message goes by e-mail only)."""
    phone = getattr(user, "phone", None)
    if not phone or text_channel() is None:
        return None
    return str(phone.as_e164) if hasattr(phone, "as_e164") else str(phone)


def notify_text(*, user: User, kind: str, text: str) -> OutboxMessage | None:
    """Queue a WhatsApp/SMS message to ``user`` beside their e-mail, through the
    same outbox (at least once, with backoff, de-duplicated by the gateway on
    the message's UUID). None when they have no number or no gateway is
    configured. For offers, lottery results and confirm-or-release: messages
    whose time to act is short."""
    recipient = text_recipient(user)
    channel = text_channel()
    if recipient is None or channel is None:
        return None
    rendered = RenderedEmail(subject="", body_text=text, body_html="")
    return queue_message(
        kind=f"{kind}_text", recipient=recipient, rendered=rendered, channel=channel
    )


def queue_message(
    *,
    kind: str,
    recipient: str,
    rendered: RenderedEmail | None = None,
    context: dict[str, Any] | None = None,
    channel: str = Channel.EMAIL,
) -> OutboxMessage:
    """Write one outbox row and enqueue its delivery when the caller's
    transaction commits (at once outside a transaction).

    Either ``rendered`` content or a ``context`` that the renderer of ``kind``
    understands (``antre.notifications.emails.render_queued``)."""
    fields: dict[str, Any] = {}
    if rendered is not None:
        fields = {
            "subject": rendered.subject,
            "body_text": rendered.body_text,
            "body_html": rendered.body_html,
            "attachments": rendered.attachments_data(),
            "rendered_at": clock.now(),
        }
    message = OutboxMessage.objects.create(
        kind=kind, recipient=recipient, context=context or {}, channel=channel, **fields
    )
    if tasks_share_the_database():
        # The task's row commits or rolls back with the message: no window in
        # which a committed message has no task, and no second write
        # transaction per booking (on SQLite, a second turn at the one lock).
        enqueue_delivery(message.pk)
    else:
        # robust: a failure to enqueue must not turn a committed booking into
        # an error for the citizen; the periodic job picks the message up.
        transaction.on_commit(partial(enqueue_delivery, message.pk), robust=True)
    return message


def tasks_share_the_database() -> bool:
    """Whether the task backend keeps its queue in our database (the default
    outside tests), so enqueueing joins the caller's transaction."""
    from django_tasks_db import DatabaseBackend

    return isinstance(deliver_outbox_message.get_backend(), DatabaseBackend)


def enqueue_delivery(message_id: int) -> None:
    deliver_outbox_message.enqueue(message_id)


DEADLINE_DIGEST = "deadline_digest"


def notify_deadline_digest(
    *, recipient: User, agency: Agency, day: dt.date, rows: list[DigestRow]
) -> OutboxMessage:
    """Queue the daily deadline digest to one agency admin; the context keeps
    the agency and the day, so a second run of the job can tell it was sent."""
    rendered = render_deadline_digest(
        name=recipient.full_name or recipient.get_username(), agency=agency.name, day=day, rows=rows
    )
    return queue_message(
        kind=DEADLINE_DIGEST,
        recipient=recipient.email,
        rendered=rendered,
        context={"agency": agency.pk, "day": day.isoformat()},
    )

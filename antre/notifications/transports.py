"""How an outbox message leaves: one transport per channel.

E-mail (the default) goes through Django's default mailer. WhatsApp and SMS go
through an HTTP gateway of the kind Indonesian senders use (Fonnte, Wablas,
Woowa and similar), configured by ``ANTRE_SMS_GATEWAY_URL`` and
``ANTRE_SMS_GATEWAY_TOKEN``. The request antre sends is the shape these
gateways share:

    POST <ANTRE_SMS_GATEWAY_URL>
    Authorization: <token>                  (the bare token, no "Bearer")
    Idempotency-Key: <the outbox message's UUID>
    Content-Type: application/x-www-form-urlencoded

    target=628123456789&phone=628123456789&message=<text>&ref_id=<UUID>

``target`` is Fonnte's name for the number and ``phone`` Wablas's; both carry
the number in international form without "+". The gateway's answer counts as
delivered when it is a 2xx whose JSON body (if any) does not say
``"status": false`` (these gateways answer 200 with a false status when, say,
the WhatsApp device is offline). Anything else is retried with the outbox's
backoff. ``Idempotency-Key`` and ``ref_id`` carry the same UUID on every
retry, so a gateway that de-duplicates on either sends a retried message
once even when the first attempt timed out after it was accepted.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.mail import mailers

from antre.notifications.emails import UndeliverableMessage
from antre.notifications.models import Channel, OutboxMessage


class GatewayError(Exception):
    """The gateway did not take the message (it will be retried)."""


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> None:
        """Hand the message over or raise; ``UndeliverableMessage`` for good."""


class EmailTransport:
    def send(self, message: OutboxMessage) -> None:
        from antre.notifications.delivery import build_email

        sent = mailers.default.send_messages([build_email(message)])
        if sent != 1:
            raise RuntimeError(f"The mailer accepted {sent} of 1 messages.")


class GatewayTransport:
    """WhatsApp or SMS through the configured HTTP gateway."""

    def send(self, message: OutboxMessage) -> None:
        url = settings.ANTRE_SMS_GATEWAY_URL
        if not url:
            raise UndeliverableMessage("No ANTRE_SMS_GATEWAY_URL for a text message.")
        number = message.recipient.lstrip("+")
        reference = str(message.message_id)
        body = urllib.parse.urlencode(
            {"target": number, "phone": number, "message": message.body_text, "ref_id": reference}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in settings)
            url,
            data=body,
            method="POST",
            headers={
                "Authorization": settings.ANTRE_SMS_GATEWAY_TOKEN,
                "Idempotency-Key": reference,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.ANTRE_SMS_GATEWAY_TIMEOUT
            ) as response:
                answer = response.read(65536)
        except urllib.error.HTTPError as error:
            raise GatewayError(f"HTTP {error.code} from the gateway") from None
        check_answer(answer)


def check_answer(answer: bytes) -> None:
    """Raise GatewayError when a 2xx answer still says the message was refused."""
    try:
        data = json.loads(answer) if answer.strip() else {}
    except ValueError:
        return  # not JSON: a 2xx is all the gateway says
    if isinstance(data, dict) and data.get("status") is False:
        reason = data.get("reason") or data.get("message") or "status false"
        raise GatewayError(f"The gateway refused the message: {str(reason)[:200]}")


_TRANSPORTS: dict[str, Transport] = {
    Channel.EMAIL: EmailTransport(),
    Channel.WHATSAPP: GatewayTransport(),
    Channel.SMS: GatewayTransport(),
}


def transport_for(channel: str) -> Transport:
    try:
        return _TRANSPORTS[channel]
    except KeyError:
        raise UndeliverableMessage(f"No transport for the {channel} channel.") from None


def text_channel() -> str | None:
    """The channel text messages go by, or None when no gateway is configured."""
    if not settings.ANTRE_SMS_GATEWAY_URL:
        return None
    return str(settings.ANTRE_SMS_GATEWAY_CHANNEL)

"""WhatsApp/SMS through an HTTP gateway (antre.notifications.transports),
against a fake gateway on the loopback: the request shape, and at-least-once
delivery through the outbox that a de-duplicating gateway turns into once."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.booking.services import cancel_booking, create_booking
from antre.notifications.delivery import Outcome, attempt_delivery, deliver_due_messages
from antre.notifications.models import Channel, OutboxMessage, OutboxStatus
from antre.notifications.services import notify_text
from antre.testing import factories as f
from antre.testing.gateway import FakeGateway
from antre.waitlist.services import join_waitlist

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_gateway(settings):
    with FakeGateway() as gateway:
        settings.ANTRE_SMS_GATEWAY_URL = gateway.url
        settings.ANTRE_SMS_GATEWAY_TOKEN = gateway.token
        settings.ANTRE_SMS_GATEWAY_CHANNEL = "whatsapp"
        settings.ANTRE_SMS_GATEWAY_TIMEOUT = 1
        yield gateway


def texts():
    return OutboxMessage.objects.filter(channel=Channel.WHATSAPP)


def offer_a_seat():
    """A full slot, a citizen on the list, a cancellation: an offer."""
    start = dt.datetime(2026, 6, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=1)
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    waiting = f.CitizenFactory(phone="+6281311112222")
    join_waitlist(
        citizen=waiting,
        service=slot.site_service.service,
        sites=[slot.site_service.site],
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 20),
    )
    cancel_booking(booking=booking, actor=None)
    return waiting


def test_an_offer_goes_by_whatsapp_in_the_gateways_shape(sms_gateway):
    offer_a_seat()

    message = texts().get(kind="waitlist_offer_text")
    assert message.recipient == "+6281311112222"
    assert attempt_delivery(message.pk) is Outcome.SENT

    [request] = sms_gateway.requests
    assert request.authorization == sms_gateway.token
    assert request.idempotency_key == str(message.message_id)
    assert request.form["target"] == request.form["phone"] == "6281311112222"
    assert request.form["ref_id"] == str(message.message_id)
    assert "/daftar-tunggu/" in request.form["message"]
    assert "kursi" in request.form["message"]  # Indonesian first
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_without_a_gateway_or_a_number_only_email_goes(settings):
    settings.ANTRE_SMS_GATEWAY_URL = ""
    offer_a_seat()
    assert not texts().exists()
    settings.ANTRE_SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    assert notify_text(user=f.CitizenFactory(phone=""), kind="test", text="x") is None


def test_gateway_down_then_back_is_retried_and_delivered_once(sms_gateway, frozen_clock):
    message = notify_text(user=f.CitizenFactory(), kind="test", text="Halo")
    sms_gateway.stop()

    assert attempt_delivery(message.pk) is Outcome.RETRY
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert "URLError" in message.last_error or "Connection" in message.last_error
    assert attempt_delivery(message.pk) is Outcome.NOT_CLAIMED  # not due yet

    sms_gateway.start()
    frozen_clock.advance(minutes=2)
    run = deliver_due_messages()
    assert run.sent == 1
    assert deliver_due_messages().sent == 0
    assert len(sms_gateway.delivered) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)


def test_a_timeout_after_the_gateway_took_it_does_not_send_twice(sms_gateway, frozen_clock):
    message = notify_text(user=f.CitizenFactory(), kind="test", text="Halo")
    sms_gateway.slow_next = 1
    sms_gateway.slow_seconds = 2.5

    assert attempt_delivery(message.pk) is Outcome.RETRY  # our 1 s timeout
    frozen_clock.advance(minutes=2)
    assert attempt_delivery(message.pk) is Outcome.SENT

    assert len(sms_gateway.requests) == 2
    assert {request.idempotency_key for request in sms_gateway.requests} == {
        str(message.message_id)
    }
    assert len(sms_gateway.delivered) == 1


@pytest.mark.parametrize("failure", ["fail_next", "refuse_next"])
def test_an_error_or_a_false_status_is_retried(sms_gateway, frozen_clock, failure):
    message = notify_text(user=f.CitizenFactory(), kind="test", text="Halo")
    setattr(sms_gateway, failure, 1)

    assert attempt_delivery(message.pk) is Outcome.RETRY
    assert not sms_gateway.delivered
    frozen_clock.advance(minutes=2)
    assert attempt_delivery(message.pk) is Outcome.SENT
    assert len(sms_gateway.delivered) == 1


def test_the_confirm_or_release_request_goes_by_whatsapp_with_both_links(sms_gateway, frozen_clock):
    from antre.booking.confirmation import attendance_links, send_attendance_requests

    service = f.ServiceFactory(confirmation_required=True)
    start = dt.datetime(2026, 6, 9, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    slot = f.SlotFactory(
        site_service__service=service, start=start, end=start + dt.timedelta(minutes=30)
    )
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    frozen_clock.move_to("2026-06-05T08:00:00+07:00")

    assert send_attendance_requests() == 1

    message = texts().get(kind="booking_attendance_text")
    links = attendance_links(booking)
    assert links["confirm"] in message.body_text
    assert links["release"] in message.body_text

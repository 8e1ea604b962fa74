"""Confirm or release (antre.booking.confirmation): asked N working days
before, released to the waiting list when unanswered, one-click links that act
only on POST."""

import datetime as dt
import re

import pytest
from django.test import Client

from antre.booking.confirmation import (
    attendance_links,
    release_unconfirmed,
    send_attendance_requests,
    working_days_before,
)
from antre.booking.models import Booking, BookingStatus, CancelReason
from antre.booking.services import create_booking, reschedule_booking
from antre.notifications.emails import render_queued
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.waitlist.models import Offer, WaitlistEntry

pytestmark = pytest.mark.django_db

WIB = dt.timezone(dt.timedelta(hours=7))


def at(day, hour=9, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


@pytest.fixture
def service():
    return f.ServiceFactory(
        confirmation_required=True, confirm_working_days=2, confirm_release_hours=24
    )


@pytest.fixture
def site_service(service):
    site_service = f.SiteServiceFactory(service=service)
    # The site is closed on Monday 8 June (a local holiday).
    f.ClosureFactory(site=site_service.site, start_date=dt.date(2026, 6, 8), reason="Libur daerah")
    return site_service


def slot_on(site_service, day, *, capacity=1):
    return f.SlotFactory(
        site_service=site_service, start=at(day), end=at(day, 9, 30), capacity=capacity
    )


def asked():
    return OutboxMessage.objects.filter(kind="booking_attendance")


def test_working_days_skip_weekends_and_closures():
    holiday = {dt.date(2026, 6, 8)}
    # Tuesday 9 June: Monday is closed, so Friday 5 and Thursday 4.
    assert working_days_before(dt.date(2026, 6, 9), 2, holiday) == dt.date(2026, 6, 4)
    # Monday 15 June: across the weekend, Friday 12 and Thursday 11.
    assert working_days_before(dt.date(2026, 6, 15), 2, holiday) == dt.date(2026, 6, 11)
    assert working_days_before(dt.date(2026, 6, 15), 1, holiday) == dt.date(2026, 6, 12)


def test_citizens_are_asked_two_working_days_before_across_a_holiday_and_a_weekend(
    site_service, frozen_clock
):
    tuesday = create_booking(
        citizen=f.CitizenFactory(), slot_id=slot_on(site_service, dt.date(2026, 6, 9)).pk
    )
    monday = create_booking(
        citizen=f.CitizenFactory(), slot_id=slot_on(site_service, dt.date(2026, 6, 15)).pk
    )

    frozen_clock.move_to(at(dt.date(2026, 6, 4), 7, 59))
    assert send_attendance_requests() == 0
    frozen_clock.move_to(at(dt.date(2026, 6, 4), 8, 0))
    assert send_attendance_requests() == 1
    assert send_attendance_requests() == 0  # safe to run twice
    assert asked().get().recipient == tuesday.citizen.email

    frozen_clock.move_to(at(dt.date(2026, 6, 11), 7, 59))
    assert send_attendance_requests() == 0
    frozen_clock.move_to(at(dt.date(2026, 6, 11), 8, 0))
    assert send_attendance_requests() == 1
    assert asked().filter(recipient=monday.citizen.email).count() == 1


def test_an_unanswered_booking_is_released_to_the_waiting_list_once(site_service, frozen_clock):
    slot = slot_on(site_service, dt.date(2026, 6, 9))
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    waiting = f.CitizenFactory()
    entry = WaitlistEntry.objects.create(
        citizen=waiting,
        service=site_service.service,
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 20),
    )
    entry.sites.set([site_service.site])
    frozen_clock.move_to(at(dt.date(2026, 6, 4), 8, 0))
    send_attendance_requests()

    # Released 24 h before the slot: Monday 8 June 09:00.
    frozen_clock.move_to(at(dt.date(2026, 6, 8), 8, 59))
    assert release_unconfirmed() == 0
    frozen_clock.move_to(at(dt.date(2026, 6, 8), 9, 0))
    assert release_unconfirmed() == 1
    assert release_unconfirmed() == 0

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == CancelReason.UNCONFIRMED
    assert Offer.objects.get(entry=entry).slot_id == slot.pk
    assert (
        OutboxMessage.objects.filter(
            kind="booking_unconfirmed", recipient=booking.citizen.email
        ).count()
        == 1
    )
    told = OutboxMessage.objects.get(kind="booking_unconfirmed")
    rendered = render_queued(told.kind, told.context)
    assert "tidak dikonfirmasi sebelum batas waktu" in rendered.body_text
    assert "not confirmed" in rendered.subject or "Pemesanan dilepas" in rendered.subject


def test_a_booking_made_after_the_ask_is_neither_asked_nor_released(site_service, frozen_clock):
    slot = slot_on(site_service, dt.date(2026, 6, 9))
    frozen_clock.move_to(at(dt.date(2026, 6, 5), 10, 0))
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    assert send_attendance_requests() == 0
    frozen_clock.move_to(at(dt.date(2026, 6, 8), 12, 0))
    assert release_unconfirmed() == 0
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_moved_booking_is_asked_again_for_its_new_slot(site_service, frozen_clock):
    booking = create_booking(
        citizen=f.CitizenFactory(), slot_id=slot_on(site_service, dt.date(2026, 6, 9)).pk
    )
    frozen_clock.move_to(at(dt.date(2026, 6, 4), 8, 0))
    send_attendance_requests()
    reschedule_booking(
        booking=booking, slot_id=slot_on(site_service, dt.date(2026, 6, 10)).pk, actor=None
    )
    booking.refresh_from_db()
    assert booking.attendance_requested_at is None
    frozen_clock.move_to(at(dt.date(2026, 6, 8), 12, 0))
    # Not released for the old slot's question...
    assert release_unconfirmed() == 0
    # ... and asked about the new one (Wed 10: Tue 9 and Fri 5 -> Fri 5, passed).
    assert send_attendance_requests() == 1


def test_the_email_links_show_a_page_on_get_and_act_only_on_post(
    site_service, client, frozen_clock
):
    booking = create_booking(
        citizen=f.CitizenFactory(), slot_id=slot_on(site_service, dt.date(2026, 6, 9)).pk
    )
    frozen_clock.move_to(at(dt.date(2026, 6, 4), 8, 0))
    send_attendance_requests()
    message = asked().get()
    rendered = render_queued(message.kind, message.context)
    links = attendance_links(booking)
    assert links["confirm"] in rendered.body_text
    assert links["release"] in rendered.body_html
    path = links["confirm"].removeprefix("http://testserver").split("://", 1)[-1]
    path = path[path.index("/kehadiran/") :]

    page = client.get(path)
    assert page.status_code == 200
    assert "Ya, saya akan datang" in page.content.decode()
    booking.refresh_from_db()
    assert booking.attendance_confirmed_at is None  # a GET (a mail scanner) did nothing

    response = client.post(path)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.attendance_confirmed_at is not None
    assert "sudah dikonfirmasi" in client.get(path).content.decode()

    frozen_clock.move_to(at(dt.date(2026, 6, 8), 12, 0))
    assert release_unconfirmed() == 0


def test_the_release_link_frees_the_seat(site_service, frozen_clock):
    booking = create_booking(
        citizen=f.CitizenFactory(), slot_id=slot_on(site_service, dt.date(2026, 6, 9)).pk
    )
    release = attendance_links(booking)["release"]
    path = release[release.index("/kehadiran/") :]
    # A browser without a session: the page's own form passes the CSRF check.
    client = Client(enforce_csrf_checks=True)
    page = client.get(path).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None

    assert client.post(path, {"csrfmiddlewaretoken": csrf.group(1)}).status_code == 302

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == CancelReason.RELEASED
    assert booking.slot.bookings.filter(status=BookingStatus.CONFIRMED).count() == 0
    booking.slot.refresh_from_db()
    assert booking.slot.booked == 0
    # The link is spent: the page says so, and a second POST changes nothing.
    assert "sudah tidak menunggu jawaban" in client.get(path).content.decode()
    client.post(path, {"csrfmiddlewaretoken": csrf.group(1)})
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_a_forged_link_is_refused(client):
    response = client.get("/kehadiran/not-a-token/")
    assert response.status_code == 404
    assert "tidak berlaku" in response.content.decode()

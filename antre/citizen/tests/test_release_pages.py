"""Citizen pages of the fair release: the service page says the day is in its
request window and offers "Minta kursi" instead of first come; asking records
one request; the waiting-list page shows it, its result, and the proof link."""

import datetime as dt

import pytest
from django.urls import reverse

from antre.booking.models import Booking
from antre.testing import factories as f
from antre.waitlist.models import ReleaseOutcome, ReleaseRequest
from antre.waitlist.release import draw_due_rounds, request_window

pytestmark = pytest.mark.django_db

WIB = dt.timezone(dt.timedelta(hours=7))
DAY = dt.date(2026, 7, 2)


@pytest.fixture
def slot():
    service = f.ServiceFactory(high_demand=True, booking_opens_days=30, name="Perpanjangan SIM")
    return f.SlotFactory(
        site_service=f.SiteServiceFactory(service=service),
        start=dt.datetime.combine(DAY, dt.time(9), tzinfo=WIB),
        end=dt.datetime.combine(DAY, dt.time(9, 30), tzinfo=WIB),
        capacity=1,
    )


def urls(slot):
    site, service = slot.site_service.site.slug, slot.site_service.service.slug
    return (
        reverse("citizen:service", kwargs={"site": site, "service": service}),
        reverse(
            "citizen:release_request",
            kwargs={"site": site, "service": service, "day": DAY.isoformat()},
        ),
        reverse("citizen:book", kwargs={"site": site, "service": service, "slot_id": slot.pk}),
    )


def test_the_service_page_offers_a_request_while_the_window_runs(client, slot):
    service_url, request_url, _book = urls(slot)
    client.force_login(f.CitizenFactory())
    content = client.get(service_url).content.decode()
    assert "masa permintaan dibuka sampai 3 Juni 2026 00:00" in content
    assert request_url in content


def test_booking_first_come_is_refused_with_a_readable_message(client, slot):
    _service, _request, book_url = urls(slot)
    client.force_login(f.CitizenFactory())
    response = client.post(book_url, {"confirm": "on"}, follow=True)
    assert not Booking.objects.exists()
    assert "ajukan permintaan kursi sampai" in response.content.decode()


def test_request_a_seat_see_it_listed_then_its_result(client, slot, frozen_clock):
    _service, request_url, _book = urls(slot)
    citizen = f.CitizenFactory()
    client.force_login(citizen)
    page = client.get(request_url)
    assert page.status_code == 200
    assert "Minta kursi" in page.content.decode()

    response = client.post(request_url, follow=True)
    assert response.status_code == 200
    assert ReleaseRequest.objects.filter(citizen=citizen).count() == 1
    content = response.content.decode()
    assert "Permintaan Anda tercatat" in content
    assert "Menunggu undian" in content

    again = client.post(request_url, follow=True)
    assert ReleaseRequest.objects.filter(citizen=citizen).count() == 1
    assert "sudah mengajukan permintaan" in again.content.decode()

    frozen_clock.move_to(request_window(slot.site_service, DAY)[1] + dt.timedelta(minutes=1))
    draw_due_rounds()
    listed = client.get(reverse("citizen:waitlist")).content.decode()
    assert "Mendapat kursi" in listed
    booking = ReleaseRequest.objects.get(citizen=citizen).booking
    assert reverse("citizen:booking", args=[booking.code]) in listed


def test_a_pending_request_can_be_withdrawn(client, slot):
    _service, request_url, _book = urls(slot)
    citizen = f.CitizenFactory()
    client.force_login(citizen)
    client.post(request_url)
    request = ReleaseRequest.objects.get()
    client.post(reverse("citizen:release_withdraw", args=[request.pk]))
    request.refresh_from_db()
    assert request.outcome == ReleaseOutcome.WITHDRAWN
    # Withdrawn, the NIK may ask again while the window runs.
    client.post(request_url)
    assert ReleaseRequest.objects.filter(outcome=ReleaseOutcome.PENDING).count() == 1


def test_someone_elses_request_cannot_be_withdrawn(client, slot):
    _service, request_url, _book = urls(slot)
    client.force_login(f.CitizenFactory())
    client.post(request_url)
    request = ReleaseRequest.objects.get()
    client.force_login(f.CitizenFactory())
    response = client.post(reverse("citizen:release_withdraw", args=[request.pk]))
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.outcome == ReleaseOutcome.PENDING


def test_the_day_s_slots_lead_to_a_request_not_to_booking(client, slot):
    from antre.citizen.picker import DAY_PARAMETER

    service_url, request_url, book_url = urls(slot)
    client.force_login(f.CitizenFactory())
    content = client.get(service_url, {DAY_PARAMETER: DAY.isoformat()}).content.decode()
    # The notice's link, and the slot's own link in the day's list.
    assert content.count(f'href="{request_url}"') == 2
    assert book_url not in content

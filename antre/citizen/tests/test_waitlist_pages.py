import datetime as dt

import pytest

from antre.booking.services import cancel_booking, create_booking
from antre.testing import factories as f
from antre.waitlist.models import Offer, WaitlistEntry, WaitlistStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_slot():
    start = dt.datetime(2026, 6, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=1)
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    return slot, booking


def join_url(slot):
    site_service = slot.site_service
    return f"/gerai/{site_service.site.slug}/layanan/{site_service.service.slug}/daftar-tunggu/"


def test_join_wait_get_an_offer_accept_it(client, full_slot):
    slot, booking = full_slot
    citizen = f.CitizenFactory()
    client.force_login(citizen)

    page = client.get(join_url(slot))
    assert page.status_code == 200
    assert "Tenggat Anda" in page.content.decode()
    response = client.post(
        join_url(slot),
        {"latest": "2026-06-12", "sites": [slot.site_service.site.slug], "auto_book": "0"},
    )
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(citizen=citizen)
    listing = client.get("/daftar-tunggu/").content.decode()
    assert "Posisi Anda: 1" in listing

    cancel_booking(booking=booking, actor=None)
    listing = client.get("/daftar-tunggu/").content.decode()
    assert "Terima kursi ini" in listing
    offer = Offer.objects.get(entry=entry)
    accepted = client.post(f"/daftar-tunggu/{entry.pk}/terima/{offer.pk}/")
    assert accepted.status_code == 302
    assert accepted["Location"].startswith("/pemesanan/")
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED


def test_bad_input_changes_nothing(client, full_slot):
    slot, _booking = full_slot
    client.force_login(f.CitizenFactory())
    response = client.post(join_url(slot), {"latest": "", "sites": []}, follow=True)
    assert "Isi tenggat Anda" in response.content.decode()
    response = client.post(
        join_url(slot),
        {"latest": "2026-05-01", "sites": [slot.site_service.site.slug]},
        follow=True,
    )
    assert "tenggat" in response.content.decode().lower()
    assert not WaitlistEntry.objects.exists()


def test_others_entries_are_not_found(client, full_slot):
    slot, _booking = full_slot
    owner = f.CitizenFactory()
    client.force_login(owner)
    client.post(join_url(slot), {"latest": "2026-06-12", "sites": [slot.site_service.site.slug]})
    entry = WaitlistEntry.objects.get()
    client.force_login(f.CitizenFactory())
    assert client.post(f"/daftar-tunggu/{entry.pk}/keluar/").status_code == 404


def test_login_required(client, full_slot):
    slot, _booking = full_slot
    assert client.get("/daftar-tunggu/").status_code == 302
    assert client.get(join_url(slot)).status_code == 302

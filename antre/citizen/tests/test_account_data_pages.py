"""/akun/data/ and /akun/hapus/: the citizen sees what antre holds, downloads
it, and deletes the account with the password."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from antre.accounts.models import User
from antre.booking.models import BookingStatus
from antre.booking.services import create_booking
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.testing.personas import City

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-Kuat-123"


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_the_pages_need_a_signed_in_citizen(client: Client, city: City) -> None:
    for path in ("/akun/data/", "/akun/hapus/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/akun/masuk/")
    signed_in(client, city.site_admin_s)
    assert client.get("/akun/data/").status_code == 404
    assert client.post("/akun/data/unduh/").status_code == 404


def test_the_data_page_shows_masked_nik_and_phone_and_links_from_the_profile(
    client: Client, city: City
) -> None:
    signed_in(client, city.citizen_a)

    html = client.get("/akun/data/").content.decode()

    assert "<h1>Data saya</h1>" in html
    assert city.citizen_a.nik_masked in html
    assert city.citizen_a.nik not in html
    assert str(city.citizen_a.phone) not in html
    assert 'action="/akun/data/unduh/"' in html
    assert 'href="/akun/data/"' in client.get("/akun/profil/").content.decode()


def test_the_download_is_a_json_file_of_their_own_data(client: Client, city: City) -> None:
    start = dt.datetime(2026, 6, 9, 2, tzinfo=dt.UTC)
    slot = f.SlotFactory(site_service=city.site_service(city.site_s, city.service_a), start=start)
    booking = create_booking(citizen=city.citizen_a, slot_id=slot.pk)
    signed_in(client, city.citizen_a)

    assert client.get("/akun/data/unduh/").status_code == 405
    response = client.post("/akun/data/unduh/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="antre-data-saya-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["profile"]["nik"] == city.citizen_a.nik
    assert data["bookings"][0]["code"] == booking.display_code
    assert city.citizen_b.email not in response.content.decode()
    assert AuditEvent.objects.filter(action="account.exported", actor=city.citizen_a).count() == 1


def test_deleting_without_the_password_or_the_tick_is_refused(client: Client, city: City) -> None:
    signed_in(client, city.citizen_a)

    wrong = client.post("/akun/hapus/", {"password": "salah-sandi-99", "confirm": "on"})
    unticked = client.post("/akun/hapus/", {"password": PASSWORD})

    assert wrong.status_code == 200
    assert "Kata sandi salah." in wrong.content.decode()
    assert "Centang kotak ini untuk menghapus akun." in unticked.content.decode()
    assert User.objects.get(pk=city.citizen_a.pk).is_active


def test_deleting_with_the_password_anonymises_signs_out_and_confirms(
    client: Client, city: City
) -> None:
    start = dt.datetime(2026, 6, 9, 2, tzinfo=dt.UTC)
    slot = f.SlotFactory(site_service=city.site_service(city.site_s, city.service_a), start=start)
    booking = create_booking(citizen=city.citizen_a, slot_id=slot.pk)
    email = city.citizen_a.email
    signed_in(client, city.citizen_a)

    response = client.post("/akun/hapus/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/akun/hapus/selesai/"
    assert "Akun Anda sudah dihapus" in client.get("/akun/hapus/selesai/").content.decode()
    user = User.objects.get(pk=city.citizen_a.pk)
    assert (user.email, user.nik_digest, user.is_active) == ("", None, False)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert OutboxMessage.objects.filter(kind="account_account_deleted", recipient=email).exists()
    # Signed out: the account pages send them to the login again.
    assert client.get("/akun/data/").status_code == 302

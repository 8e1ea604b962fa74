"""The proof-of-work challenge (ALTCHA) on the registration and booking
confirmation pages: refused without a solution (in Indonesian), accepted
with one solved here as the browser would, refused when replayed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from antre.accounts.models import User
from antre.booking.models import Booking, Slot
from antre.testing import factories as f
from antre.testing.challenge import challenge_in_page, solve_page
from antre.testing.personas import City

PASSWORD = "Matahari-Pagi-2026"


@pytest.fixture(autouse=True)
def challenge_on(settings: Any) -> None:
    settings.ANTRE_CHALLENGE = True
    # Small enough to solve in a test in milliseconds.
    settings.ANTRE_CHALLENGE_MAX_NUMBER = 2000


def registration(serial: int, **changes: str) -> dict[str, str]:
    return {
        "full_name": "Siti Rahmawati",
        "nik": f.make_nik(900 + serial),
        "email": f"robot{serial}@contoh.id",
        "phone": "",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    } | changes


def test_the_registration_page_carries_the_widget_from_our_static_files(
    client: Client, db: None
) -> None:
    response = client.get("/akun/daftar/")
    text = response.content.decode()
    assert "<altcha-widget" in text
    assert 'src="/static/altcha/altcha.min.js"' in text
    assert 'id="__altcha-css"' in text
    assert "Saya bukan robot" in text
    challenge = challenge_in_page(text)
    assert challenge["algorithm"] == "SHA-256"
    assert challenge["maxnumber"] == 2000
    # The widget solves it in a web worker made from a blob: URL.
    assert "worker-src 'self' blob:" in response["Content-Security-Policy"]
    assert client.get("/static/altcha/altcha.min.js").status_code == 200


def test_registration_without_a_solution_is_refused_in_indonesian(client: Client, db: None) -> None:
    response = client.post("/akun/daftar/", registration(1))
    assert response.status_code == 200
    assert "Verifikasi anti-robot belum selesai" in response.content.decode()
    assert not User.objects.filter(email="robot1@contoh.id").exists()


def test_registration_with_a_solution_succeeds_once(client: Client, db: None) -> None:
    solution = solve_page(client.get("/akun/daftar/").content)
    response = client.post("/akun/daftar/", registration(1, altcha=solution))
    assert response.status_code == 302
    assert User.objects.filter(email="robot1@contoh.id").exists()
    replay = Client().post("/akun/daftar/", registration(2, altcha=solution))
    assert "sudah pernah dipakai" in replay.content.decode()
    assert not User.objects.filter(email="robot2@contoh.id").exists()


def test_a_forged_solution_is_refused(client: Client, db: None) -> None:
    response = client.post("/akun/daftar/", registration(1, altcha="bm90IGEgc29sdXRpb24="))
    assert "tidak sah" in response.content.decode()
    assert not User.objects.filter(email="robot1@contoh.id").exists()


def test_an_old_page_has_an_expired_challenge(client: Client, db: None, frozen_clock: Any) -> None:
    import datetime as dt

    solution = solve_page(client.get("/akun/daftar/").content)
    frozen_clock.advance(dt.timedelta(minutes=21))
    response = client.post("/akun/daftar/", registration(1, altcha=solution))
    assert "kedaluwarsa" in response.content.decode()


def test_the_booking_confirmation_needs_a_solution(
    client: Client, city: City, slots: dict[str, Slot]
) -> None:
    client.force_login(city.citizen_a)
    slot = slots["wed_0930"]
    path = f"/gerai/{city.site_s.slug}/layanan/{city.service_a.slug}/slot/{slot.pk}/"
    page = client.get(path)
    refused = client.post(path)
    assert refused.status_code == 422
    assert "Verifikasi anti-robot belum selesai" in refused.content.decode()
    assert not Booking.objects.filter(citizen=city.citizen_a).exists()
    booked = client.post(path, {"altcha": solve_page(page.content)})
    assert booked.status_code == 302
    assert Booking.objects.filter(citizen=city.citizen_a).count() == 1


def test_without_a_solution_the_page_tells_nothing_of_existing_accounts(
    client: Client, db: None
) -> None:
    """Whether a NIK or an address has an account is said only to a solved
    challenge: a script probing the page learns nothing without the work."""
    taken = f.CitizenFactory(email="ada@contoh.id", nik=f.make_nik(950))

    response = client.post("/akun/daftar/", registration(2, email=taken.email, nik=taken.nik))

    text = response.content.decode()
    assert "Verifikasi anti-robot belum selesai" in text
    assert "sudah terdaftar" not in text
    assert "sudah dipakai" not in text

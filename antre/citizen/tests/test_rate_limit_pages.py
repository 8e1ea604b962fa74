"""Rate limits on the citizen's pages: 429 with ``Retry-After`` and a page in
Indonesian, per address or per account (docs/security.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from antre.booking.models import Booking, Slot
from antre.testing import factories as f
from antre.testing.personas import City

PASSWORD = "Matahari-Pagi-2026"


@pytest.fixture
def rates(settings: Any) -> Any:
    def set_rates(**changes: str) -> None:
        settings.ANTRE_RATE_LIMITS = settings.ANTRE_RATE_LIMITS | {
            name.replace("__", "."): rate for name, rate in changes.items()
        }

    return set_rates


def assert_limited_page(response: Any) -> str:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    text = response.content.decode()
    assert "Terlalu banyak percobaan" in text
    assert 'lang="id"' in text
    return text


def registration(serial: int) -> dict[str, str]:
    return {
        "full_name": "Siti Rahmawati",
        "nik": f.make_nik(800 + serial),
        "email": f"daftar{serial}@contoh.id",
        "phone": "",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    }


def test_registration_page_is_limited_per_address(db: None, rates: Any) -> None:
    rates(register__ip="2/h")
    browser = Client(REMOTE_ADDR="198.51.100.20")
    for serial in range(2):
        assert browser.post("/akun/daftar/", registration(serial)).status_code == 302
    assert_limited_page(browser.post("/akun/daftar/", registration(5)))
    # Reading the form is not an attempt.
    assert browser.get("/akun/daftar/").status_code == 200
    other = Client(REMOTE_ADDR="198.51.100.21")
    assert other.post("/akun/daftar/", registration(6)).status_code == 302


def test_the_limit_page_speaks_english_when_asked(db: None, rates: Any) -> None:
    rates(register__ip="1/h")
    browser = Client(REMOTE_ADDR="198.51.100.20", headers={"Accept-Language": "en"})
    browser.post("/akun/daftar/", registration(1))
    response = browser.post("/akun/daftar/", registration(2))
    assert response.status_code == 429
    assert 'lang="en"' in response.content.decode()


def test_wrong_passwords_lock_the_account_for_the_window(city: City, rates: Any) -> None:
    rates(login__account="2/15m")
    email = city.citizen_a.email
    for address in ("198.51.100.30", "198.51.100.31"):
        response = Client(REMOTE_ADDR=address).post(
            "/akun/masuk/", {"email": email, "password": "salah-sekali"}
        )
        assert response.status_code == 200
    right = Client(REMOTE_ADDR="198.51.100.32").post(
        "/akun/masuk/", {"email": email.upper(), "password": "rahasia-Kuat-123"}
    )
    assert_limited_page(right)
    other = Client(REMOTE_ADDR="198.51.100.32").post(
        "/akun/masuk/", {"email": city.citizen_b.email, "password": "rahasia-Kuat-123"}
    )
    assert other.status_code == 302


def test_signing_in_right_is_never_limited(city: City, rates: Any) -> None:
    rates(login__account="1/15m", login__ip="1/15m")
    for _ in range(4):
        browser = Client(REMOTE_ADDR="198.51.100.40")
        response = browser.post(
            "/akun/masuk/", {"email": city.citizen_a.email, "password": "rahasia-Kuat-123"}
        )
        assert response.status_code == 302


def test_password_resets_are_limited_per_address_and_per_account(city: City, rates: Any) -> None:
    rates(password_reset__account="2/h", password_reset__ip="3/h")
    email = city.citizen_a.email
    for address in ("198.51.100.50", "198.51.100.51"):
        response = Client(REMOTE_ADDR=address).post("/akun/sandi/lupa/", {"email": email})
        assert response.status_code == 302
    # No third e-mail to the same inbox within the hour, from anywhere.
    assert_limited_page(
        Client(REMOTE_ADDR="198.51.100.52").post("/akun/sandi/lupa/", {"email": email})
    )
    browser = Client(REMOTE_ADDR="198.51.100.50")
    for serial in range(2):
        response = browser.post("/akun/sandi/lupa/", {"email": f"lain{serial}@contoh.id"})
        assert response.status_code == 302
    assert_limited_page(browser.post("/akun/sandi/lupa/", {"email": "lain9@contoh.id"}))


def test_booking_page_is_limited_per_account(
    city: City, rates: Any, slots: dict[str, Slot]
) -> None:
    rates(booking__account="1/h")
    browser = Client(REMOTE_ADDR="198.51.100.60")
    browser.force_login(city.citizen_a)
    slot = slots["wed_0930"]
    path = f"/gerai/{city.site_s.slug}/layanan/{city.service_a.slug}/slot/{slot.pk}/"
    assert browser.post(path).status_code == 302
    assert_limited_page(browser.post(path))
    assert Booking.objects.filter(citizen=city.citizen_a).count() == 1
    # The confirmation page itself still shows.
    assert browser.get(path).status_code == 200


def test_booking_page_is_limited_per_address(
    city: City, rates: Any, slots: dict[str, Slot]
) -> None:
    rates(booking__ip="1/h")
    slot = slots["wed_0930"]
    path = f"/gerai/{city.site_s.slug}/layanan/{city.service_a.slug}/slot/{slot.pk}/"
    first = Client(REMOTE_ADDR="198.51.100.61")
    first.force_login(city.citizen_a)
    assert first.post(path).status_code == 302
    second = Client(REMOTE_ADDR="198.51.100.61")
    second.force_login(city.citizen_b)
    assert_limited_page(second.post(path))


def test_unknown_booking_codes_are_audited_then_limited_per_account(city: City, rates: Any) -> None:
    from antre.core.models import AuditEvent
    from antre.core.ratelimits import LOOKUP_FAILED

    rates(lookup__account="2/h")
    browser = Client(REMOTE_ADDR="198.51.100.80")
    browser.force_login(city.citizen_a)
    own = f.BookingFactory.create(citizen=city.citizen_a)
    for guess in ("7K3M-9QXZ4", "tidak-ada"):
        assert browser.get(f"/pemesanan/{guess}/").status_code == 404
    events = AuditEvent.objects.filter(action=LOOKUP_FAILED)
    assert sorted(events.values_list("data__value", flat=True)) == ["7K3M-9QXZ4", "tidak-ada"]
    assert {event.actor_id for event in events} == {city.citizen_a.pk}
    assert_limited_page(browser.get(f"/pemesanan/{own.code}/"))
    other = Client(REMOTE_ADDR="198.51.100.80")
    other.force_login(city.citizen_b)
    assert other.get("/pemesanan/7K3M-9QXZ4/").status_code == 404

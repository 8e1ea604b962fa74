"""The ALTCHA widget in Chromium: served from our static files, allowed by
the CSP (no console error), solved by the browser by itself, and the
registration and the booking go through; axe-core finds nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from antre.accounts.models import User
from antre.booking.models import Booking
from antre.testing import factories as f
from antre.testing.personas import City

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AxeCheck = Callable[..., None]
PASSWORD = "Pagi-Cerah-2026"


@pytest.fixture(autouse=True)
def challenge_on(settings: Any) -> None:
    settings.ANTRE_CHALLENGE = True
    settings.ANTRE_CHALLENGE_MAX_NUMBER = 20_000


def wait_until_verified(page: Page, label: str = "Terverifikasi") -> None:
    widget = page.locator("altcha-widget .altcha")
    expect(widget).to_have_attribute("data-state", "verified", timeout=20_000)
    expect(page.get_by_text(label)).to_be_visible()


def test_registration_with_the_widget_on_a_phone(
    phone_page: Page, db: None, axe_check: AxeCheck, live_server: LiveServer
) -> None:
    page = phone_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/akun/daftar/")
    expect(page.get_by_text("Verifikasi anti-robot")).to_be_visible()
    page.get_by_label("Nama lengkap").fill("Siti Rahmawati")
    page.get_by_label("NIK (Nomor Induk Kependudukan)").fill("3275014101900003")
    page.get_by_label("E-mail").fill("siti@contoh.id")
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    wait_until_verified(page)
    axe_check(page)
    page.get_by_role("button", name="Daftar").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa e-mail Anda")
    assert User.objects.filter(email="siti@contoh.id").exists()
    # Everything came from this server (or the worker's blob:): no CDN.
    outside = [url for url in requested if not url.startswith((live_server.url, "blob:", "data:"))]
    assert outside == []


def test_the_widget_speaks_english_on_english_pages(
    page: Page, db: None, axe_check: AxeCheck
) -> None:
    page.goto("/akun/daftar/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    wait_until_verified(page, "Verified")
    axe_check(page)


def test_booking_confirmation_with_the_widget(page: Page, city: City, axe_check: AxeCheck) -> None:
    site_service = city.site_service(city.site_s, city.service_a)
    start = dt.datetime(2026, 6, 3, 2, 30, tzinfo=dt.UTC)
    slot = f.SlotFactory(
        site_service=site_service, start=start, end=start + dt.timedelta(minutes=30), capacity=4
    )
    page.goto("/akun/masuk/")
    page.get_by_label("E-mail").fill(city.citizen_a.email)
    page.get_by_label("Kata sandi").fill("rahasia-Kuat-123")
    page.get_by_role("button", name="Masuk").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pemesanan saya")

    page.goto(f"/gerai/{city.site_s.slug}/layanan/{city.service_a.slug}/slot/{slot.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Konfirmasi pemesanan")
    wait_until_verified(page)
    axe_check(page)
    page.get_by_role("button", name="Pesan slot ini").click()
    expect(page.get_by_text("Pemesanan Anda berhasil")).to_be_visible()
    assert Booking.objects.filter(citizen=city.citizen_a).count() == 1

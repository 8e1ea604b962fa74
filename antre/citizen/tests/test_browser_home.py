"""The home page and the back office login in Chromium on a 360x740 phone:
readable, no sideways scrolling, no WCAG 2.1 AA violation, both languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from antre.accounts.models import Role
from antre.testing import browser as browser_module
from antre.testing import factories as f
from antre.testing.personas import City

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Screenshot = Callable[..., Path]
AxeCheck = Callable[..., None]


@pytest.fixture
def directory(city: City) -> City:
    """The persona city, with a site whose name and address are long enough to
    wrap on a phone and a service with real-looking requirements."""
    city.service_a.name = "Perekaman KTP-el"
    city.service_a.requirements = ["Fotokopi Kartu Keluarga", "Surat pengantar RT/RW"]
    city.service_a.save()
    mall = f.SiteFactory(
        name="Mal Pelayanan Publik Bekasi Trade Center",
        address="Bekasi Trade Center (BTC) Lt. 2, Jl. Ir. H. Juanda No. 151, Bekasi Timur",
    )
    f.SiteServiceFactory(site=mall, service=city.service_a)
    f.SiteServiceFactory(site=mall, service=city.service_b)
    return city


def test_home_on_a_phone_in_indonesian(
    phone_page: Page,
    directory: City,
    live_server: LiveServer,
    axe_check: AxeCheck,
    screenshot: Screenshot,
) -> None:
    requested: list[str] = []
    phone_page.on("request", lambda request: requested.append(request.url))

    phone_page.goto("/")

    expect(phone_page).to_have_title("antre: antrean daring Mal Pelayanan Publik")
    expect(phone_page.locator("html")).to_have_attribute("lang", "id")
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
    site = phone_page.locator("details.site", has_text="Bekasi Trade Center")
    expect(site).to_be_visible()
    site.locator("summary").click()
    expect(site.get_by_text("Jl. Ir. H. Juanda No. 151")).to_be_visible()
    expect(site.get_by_text("Perekaman KTP-el")).to_be_visible()
    expect(site.get_by_text("Surat pengantar RT/RW")).to_be_visible()
    assert browser_module.horizontal_overflow(phone_page) == 0
    # Everything comes from our own server: no CDN, no font service.
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert any(url.endswith("/pico.min.css") for url in requested)
    assert any(url.endswith("/htmx.min.js") for url in requested)
    axe_check(phone_page)
    screenshot(phone_page, "home-phone-id")


def test_searching_for_a_service_on_a_phone(
    phone_page: Page, directory: City, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    phone_page.goto("/")

    phone_page.get_by_label("Cari layanan").fill("perekaman")
    phone_page.get_by_role("button", name="Cari", exact=True).click()

    results = phone_page.locator(".search-results")
    # Service A at Gerai S, Gerai T and the mall.
    expect(results.get_by_role("heading")).to_have_text("3 layanan cocok dengan “perekaman”")
    expect(results.get_by_role("link", name="Perekaman KTP-el")).to_have_count(3)
    expect(results.get_by_text("Mal Pelayanan Publik Bekasi Trade Center")).to_be_visible()
    assert browser_module.horizontal_overflow(phone_page) == 0
    axe_check(phone_page)
    screenshot(phone_page, "home-phone-search")

    results.get_by_role("link", name="Perekaman KTP-el").first.click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("Perekaman KTP-el")


def test_language_switch_to_english_and_back(
    phone_page: Page, directory: City, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    phone_page.goto("/")

    phone_page.get_by_role("button", name="English").click()

    expect(phone_page.locator("html")).to_have_attribute("lang", "en")
    expect(phone_page.get_by_role("heading", name="How it works")).to_be_visible()
    expect(phone_page.locator("details.site", has_text="Gerai S")).to_be_visible()
    assert browser_module.horizontal_overflow(phone_page) == 0
    phone_page.locator("details.site", has_text="Bekasi Trade Center").locator("summary").click()
    axe_check(phone_page)
    screenshot(phone_page, "home-phone-en")

    phone_page.get_by_role("button", name="Bahasa Indonesia").click()

    expect(phone_page.locator("html")).to_have_attribute("lang", "id")
    expect(phone_page.get_by_role("heading", name="Cara kerjanya")).to_be_visible()


def test_skip_link_moves_focus_to_the_main_content(phone_page: Page, directory: City) -> None:
    phone_page.goto("/")

    phone_page.keyboard.press("Tab")
    skip_link = phone_page.get_by_role("link", name="Langsung ke isi")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    phone_page.keyboard.press("Enter")

    expect(phone_page.locator("main")).to_be_focused()


def test_home_on_a_desktop(
    page: Page, directory: City, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    page.goto("/")

    expect(page.locator("details.site")).to_have_count(3)
    page.locator("details.site").first.locator("summary").click()
    axe_check(page)
    screenshot(page, "home-desktop-id")


def test_home_in_dark_mode(
    phone_page: Page, directory: City, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    phone_page.emulate_media(color_scheme="dark")
    phone_page.goto("/")
    phone_page.locator("details.site").first.locator("summary").click()

    axe_check(phone_page)
    screenshot(phone_page, "home-phone-dark")


def test_staff_logs_in_to_the_back_office(
    phone_page: Page, db: None, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    f.StaffFactory(
        username="admin-kota",
        is_superuser=True,
        role=Role.CITY_ADMIN,
        password="rahasia-Kuat-123",
    )
    phone_page.goto("/")
    phone_page.get_by_role("link", name="Masuk untuk petugas").click()

    expect(phone_page.locator("#id_username")).to_be_visible()
    expect(phone_page.locator("html")).to_have_attribute("lang", "id")
    axe_check(phone_page)
    screenshot(phone_page, "backoffice-login-phone")

    phone_page.locator("#id_username").fill("admin-kota")
    phone_page.locator("#id_password").fill("rahasia-Kuat-123")
    phone_page.locator("#id_password").press("Enter")

    expect(phone_page).to_have_url(f"{phone_page.url.split('/backoffice/')[0]}/backoffice/")
    expect(phone_page.locator("#id_password")).to_have_count(0)
    expect(phone_page.locator("#logout-form")).to_have_count(1)
    screenshot(phone_page, "backoffice-index-phone")


@pytest.mark.console_errors_allowed  # the page's own 404; its resources are checked below
def test_a_missing_page_on_a_phone(
    phone_page: Page, db: None, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    failed: list[str] = []
    phone_page.on(
        "response",
        lambda answer: (
            failed.append(answer.url)
            if answer.status >= 400 and answer.request.resource_type != "document"
            else None
        ),
    )

    response = phone_page.goto("/pemesanan-lama/")

    assert response is not None
    assert response.status == 404
    expect(phone_page.locator("html")).to_have_attribute("lang", "id")
    expect(phone_page.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()
    phone_page.get_by_role("button", name="English").click()
    expect(phone_page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert browser_module.horizontal_overflow(phone_page) == 0
    axe_check(phone_page)
    screenshot(phone_page, "not-found-phone-en")
    assert failed == []

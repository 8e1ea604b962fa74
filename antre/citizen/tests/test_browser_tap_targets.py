"""Tap targets on a 360 px phone: the header's account links at least 44 px
tall, the breadcrumb and footer links at least 24x24 px (WCAG 2.5.8), and no
sideways scrolling for it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from antre.testing import browser as browser_module
from antre.testing.personas import City

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sizes(page: Page, selector: str) -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[float, float]] = {}
    for element in page.locator(selector).all():
        box = element.bounding_box()
        assert box is not None, selector
        found[element.inner_text().strip()] = (box["width"], box["height"])
    assert found, selector
    return found


def assert_at_least(found: dict[str, tuple[float, float]], width: float, height: float) -> None:
    small = {name: box for name, box in found.items() if box[0] < width or box[1] < height}
    assert not small, small


def no_sideways_scroll(page: Page) -> bool:
    root = "document.documentElement"
    return bool(page.evaluate(f"{root}.scrollWidth <= {root}.clientWidth"))


def test_tap_targets_of_a_visitor(phone_page: Page, city: City, live_server: LiveServer) -> None:
    phone_page.goto(f"/gerai/{city.site_s.slug}/layanan/{city.service_a.slug}/")

    assert_at_least(sizes(phone_page, ".account-nav a"), 24, 44)
    assert_at_least(sizes(phone_page, ".breadcrumb a"), 24, 24)
    assert_at_least(sizes(phone_page, ".site-footer__links a"), 24, 24)
    assert no_sideways_scroll(phone_page)


def test_tap_targets_of_a_signed_in_citizen(
    phone_page: Page, city: City, live_server: LiveServer
) -> None:
    browser_module.sign_in(phone_page.context, city.citizen_a, live_server.url)
    phone_page.goto("/pemesanan/")

    nav = sizes(phone_page, ".account-nav a, .account-nav button")
    assert {"Pemesanan saya", "Daftar tunggu saya", "Keluar"} <= set(nav)
    assert_at_least(nav, 24, 44)
    assert no_sideways_scroll(phone_page)

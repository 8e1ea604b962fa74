"""The officer's console in Chromium at a counter PC's 1366x768: what is
typed survives the panel's refresh, the transfer shortcut says what is
missing, and the console fits the screen with words whole."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from antre.accounts.models import User
from antre.counter.views.console import POLL_SECONDS
from antre.onsite.models import Ticket
from antre.onsite.services import call_next, check_in
from antre.onsite.tests.conftest import Hall
from antre.testing import browser as browser_module

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Screenshot = Callable[..., Path]
AxeCheck = Callable[..., None]

COUNTER_PC = {"width": 1366, "height": 768}

# Counts the panel's refreshes (an init script: the console's Content
# Security Policy refuses inline scripts, not these).
COUNT_REFRESHES = """
window.__refreshes = 0;
document.addEventListener("htmx:afterSettle", function (event) {
  if (event.detail && event.detail.elt && event.detail.elt.id === "console-panel") {
    window.__refreshes += 1;
  }
});
"""

# The words of the matched elements that the layout broke over two lines.
BROKEN_WORDS = """
(selector) => {
  const broken = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
        const lines = new Set(rects.map((rect) => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""


@pytest.fixture
def console_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, officer: User
) -> Iterator[Page]:
    """A 1366x768 page signed in as the site's officer."""
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", timezone_id="Asia/Jakarta", viewport=COUNTER_PC
    )
    context.add_init_script(COUNT_REFRESHES)
    browser_module.sign_in(context, officer, live_server.url)
    page = context.new_page()
    problems = browser_module.watch_console(page)
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def called(hall: Hall, officer: User) -> Ticket:
    """A booked citizen's ticket for "Perpanjangan SIM A dan C", called to counter 1."""
    hall.service_a.name = "Perpanjangan SIM A dan C"
    hall.service_a.save()
    hall.service_b.name = "Pencetakan KTP-el (Rusak, Hilang, Perubahan Data)"
    hall.service_b.save()
    booking = hall.booking("2026-06-02T09:00:00+07:00")
    check_in(site=hall.site, code=booking.code, actor=None)
    ticket = call_next(counter=hall.counter_1, actor=officer)
    assert ticket is not None
    return ticket


def refreshes(page: Page) -> int:
    count: int = page.evaluate("window.__refreshes")
    return count


def wait_for_refresh(page: Page, after: int) -> int:
    """Until the panel has refreshed since ``after`` refreshes (polled from
    here: the page's Content Security Policy forbids the eval that
    wait_for_function uses)."""
    deadline = time.monotonic() + POLL_SECONDS * 3
    while refreshes(page) <= after:
        assert time.monotonic() < deadline, "the panel did not refresh"
        page.wait_for_timeout(100)
    return refreshes(page)


def test_a_nik_typed_at_a_normal_pace_survives_the_refresh(
    console_page: Page, hall: Hall, called: Ticket, screenshot: Screenshot
) -> None:
    page = console_page
    page.goto(f"/loket/{hall.counter_1.pk}/")
    assert called.booking is not None
    assert called.booking.citizen is not None
    nik = called.booking.citizen.nik
    field = page.get_by_label("Cocokkan NIK dari KTP-el")

    field.click()
    seen = refreshes(page)
    # Half of it, a key every 0.6 s, then a refresh lands while typing.
    page.keyboard.type(nik[:8], delay=600)
    seen = wait_for_refresh(page, seen)
    page.keyboard.type(nik[8:], delay=600)
    wait_for_refresh(page, seen)

    expect(field).to_have_value(nik)
    expect(field).to_be_focused()

    page.keyboard.press("Enter")
    result = page.locator("#console-feedback")
    expect(result).to_have_text("NIK cocok dengan akun A-001.")
    # The check's result stays through the next refreshes.
    wait_for_refresh(page, refreshes(page))
    expect(result).to_have_text("NIK cocok dengan akun A-001.")
    expect(field).to_have_value(nik)
    screenshot(page, "console-04-nik-checked", full_page=False)


def test_the_transfer_shortcut_without_a_service_says_so(
    console_page: Page, hall: Hall, called: Ticket
) -> None:
    page = console_page
    page.goto(f"/loket/{hall.counter_1.pk}/")

    page.keyboard.press("t")
    expect(page.locator("#transfer-service")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_have_text("Pilih layanan tujuan pengalihan.")
    expect(page.locator(".console-number")).to_have_text(called.number)
    expect(page.locator("#transfer-service")).to_be_focused()


def test_the_console_fits_a_counter_pc_with_words_whole(
    console_page: Page,
    hall: Hall,
    called: Ticket,
    axe_check: AxeCheck,
    screenshot: Screenshot,
) -> None:
    page = console_page
    page.goto(f"/loket/{hall.counter_1.pk}/")
    # The tallest case: a booked citizen's data and an answer above the panel.
    page.keyboard.press("r")
    expect(page.get_by_role("status")).to_contain_text("panggilan ulang ke-1")

    for selector in (
        ".console-current",
        ".console-actions",
        ".console-queue",
        "#action-call",
        "#action-transfer",
        "#action-pause",
        "#action-close",
        "#action-verify-nik",
        "#action-reveal-nik",
    ):
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["y"] + box["height"] <= COUNTER_PC["height"], (selector, box)
    assert browser_module.horizontal_overflow(page) == 0
    # "Perpanjangan SIM A dan C", never "Perpanjanga / n SIM"; the masked NIK
    # and the booking code on one line.
    assert page.evaluate(BROKEN_WORDS, ".console-queue, .console-facts dd, .next-up") == []
    axe_check(page)
    screenshot(page, "console-05-counter-pc", full_page=False)

    # Counter 2 serves both services: the longer name wraps between words.
    page.goto(f"/loket/{hall.counter_2.pk}/")
    assert page.evaluate(BROKEN_WORDS, ".console-queue, .console-card h2") == []

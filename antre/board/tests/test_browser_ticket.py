"""The live ticket page on a 360 px phone, following its ticket over the event
stream from waiting outside to "silakan masuk" to the counter; and a busy
board on a TV, both checked for WCAG 2.1 AA."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from antre.accounts.models import User
from antre.board.tests.conftest import OpenPage
from antre.onsite.services import call_next, finish_service, issue_walk_in, recall
from antre.onsite.tests.conftest import Hall
from antre.testing import browser as browser_module
from antre.testing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Screenshot = Callable[..., Path]
AxeCheck = Callable[..., None]

RECORD_VIBRATIONS = """
window.__vibrations = [];
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
"""


def test_the_live_ticket_follows_the_ticket(
    hall: Hall, asgi_page: OpenPage, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    hall.service_a.name = "Perekaman KTP-el"
    hall.service_a.save()
    # The room holds three: the fourth and fifth wait outside.
    tickets = [issue_walk_in(site=hall.site, service=hall.service_a, actor=None) for _ in range(5)]
    mine = tickets[-1]

    phone = asgi_page("phone")
    phone.add_init_script(RECORD_VIBRATIONS)
    phone.goto(f"/antrean/{mine.public_id}/")
    live = phone.locator("#ticket-live")
    expect(live.locator(".live-ticket__number")).to_have_text("A-005")
    expect(live).to_contain_text("Silakan menunggu di luar")
    expect(live).to_contain_text("Ada 4 orang sebelum Anda")
    expect(live).to_contain_text("sekitar pukul 10.05 WIB")
    assert browser_module.horizontal_overflow(phone) == 0
    axe_check(phone)
    screenshot(phone, "ticket-live-phone-01-outside")
    # A tap, as a holder would: browsers let a page vibrate only after one.
    phone.locator(".live-ticket__number").click()

    first = call_next(counter=hall.counter_1, actor=None)
    finish_service(ticket=first, actor=None)  # A-004 comes in
    expect(live).to_contain_text("Ada 3 orang sebelum Anda")
    second = call_next(counter=hall.counter_1, actor=None)
    finish_service(ticket=second, actor=None)  # now mine

    expect(live.locator(".live-call--enter")).to_contain_text("SILAKAN MASUK")
    expect(live).to_contain_text("Ada 2 orang sebelum Anda")
    phone.wait_for_function("() => window.__vibrations.length === 1")
    axe_check(phone)
    screenshot(phone, "ticket-live-phone-02-enter")

    third = call_next(counter=hall.counter_1, actor=None)
    call_next(counter=hall.counter_2, actor=None)
    finish_service(ticket=third, actor=None)
    called = call_next(counter=hall.counter_1, actor=None)
    assert called is not None
    assert called.pk == mine.pk

    expect(live.locator(".live-call--go")).to_contain_text("Silakan menuju Loket 1")
    phone.wait_for_function("() => window.__vibrations.length === 2")
    expect(phone).to_have_title("Nomor antrean A-005 · antre")
    axe_check(phone)
    screenshot(phone, "ticket-live-phone-03-called")

    recall(ticket=called, actor=None)
    phone.wait_for_function("() => window.__vibrations.length === 3")
    finish_service(ticket=called, actor=None)
    expect(live).to_contain_text("Selesai dilayani. Terima kasih.")


def test_the_live_ticket_in_dark_mode(
    hall: Hall, asgi_page: OpenPage, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    call_next(counter=hall.counter_2, actor=None)
    phone = asgi_page("phone")
    phone.emulate_media(color_scheme="dark")

    phone.goto(f"/antrean/{ticket.public_id}/")

    expect(phone.locator(".live-call--go")).to_contain_text("Silakan menuju Loket 2")
    axe_check(phone)
    screenshot(phone, "ticket-live-phone-04-dark")


@pytest.mark.console_errors_allowed  # Chromium logs the page's own 404
def test_an_unknown_ticket_on_a_phone(
    hall: Hall, asgi_page: OpenPage, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    phone = asgi_page("phone")

    response = phone.goto("/antrean/bukan-nomor-antrean/")

    assert response is not None
    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nomor antrean tidak ditemukan")
    axe_check(phone)
    screenshot(phone, "ticket-live-phone-05-unknown")


def test_a_busy_board_on_a_tv(
    hall: Hall,
    asgi_page: OpenPage,
    board_device: User,
    axe_check: AxeCheck,
    screenshot: Screenshot,
) -> None:
    hall.site.name = "Mal Pelayanan Publik Bekasi Trade Center"
    hall.site.room_capacity = 20
    hall.site.save()
    hall.service_a.name = "Perekaman KTP-el"
    hall.service_a.walk_in_daily_quota = 50
    hall.service_a.save()
    hall.service_b.name = "SKCK (Surat Keterangan Catatan Kepolisian)"
    hall.service_b.walk_in_daily_quota = 50
    hall.service_b.save()
    extra = f.ServiceFactory(slug="sim", name="Perpanjangan SIM", ticket_prefix="C")
    extra_site_service = f.SiteServiceFactory(site=hall.site, service=extra)
    counters = [hall.counter_1, hall.counter_2]
    for number in range(3, 7):
        counter = f.CounterFactory(site=hall.site, number=number)
        counter.site_services.set([hall.site_service_a, hall.site_service_b, extra_site_service])
        counters.append(counter)
    for _ in range(12):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    for _ in range(7):
        issue_walk_in(site=hall.site, service=hall.service_b, actor=None)
    for _ in range(5):
        issue_walk_in(site=hall.site, service=extra, actor=None)
    for counter in counters:
        called = call_next(counter=counter, actor=None)
        if counter.number <= 2 and called is not None:
            finish_service(ticket=called, actor=None)
            call_next(counter=counter, actor=None)

    board = asgi_page("tv", user=board_device)
    board.goto(f"/papan/{hall.site.slug}/")

    expect(board.locator("#call-list .call")).to_have_count(4)
    assert board.evaluate(
        "() => document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )
    axe_check(board)
    screenshot(board, "board-00-busy")

"""The hall in Chromium, three pages at once as on the day: the kiosk at the
door checks a booking in, the officer calls it from the console, and the TV
board shows and announces the call as it happens (over the site's event
stream, served by the ASGI live server).

If the kiosk's URLs are not mounted, the booking is checked in through
``antre.onsite.services.check_in`` instead and the kiosk page is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from antre.accounts.models import User
from antre.board.announcements import admit_clips, call_clips, spoken_text
from antre.board.tests.conftest import PASSWORD, OpenPage
from antre.onsite.models import Ticket, TicketStatus
from antre.onsite.services import check_in, finish_service, issue_walk_in
from antre.onsite.tests.conftest import Hall
from antre.testing import browser as browser_module
from antre.testing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Screenshot = Callable[..., Path]
AxeCheck = Callable[..., None]


def kiosk_path(hall: Hall) -> str | None:
    try:
        return reverse("kiosk:kiosk", kwargs={"site": hall.site.slug})
    except NoReverseMatch:
        return None


def log_in(page: Page, user: User, next_path: str) -> None:
    """Through the staff login page, as a device is set up."""
    page.goto(f"/petugas/masuk/?next={next_path}")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"**{next_path}")


def switch_sound_on(board: Page) -> None:
    button = board.get_by_role("button", name="Aktifkan suara")
    board.wait_for_function("() => window.antreBoard && window.antreBoard.sound.manifest")
    if button.is_visible():
        button.click()
    board.wait_for_function("() => window.antreBoard.sound.enabled")


# Chromium lets a page start sound without a gesture only now and then
# (headless, or where the site has earned media engagement); a TV's browser
# without --autoplay-policy=no-user-gesture-required refuses it, as this does:
# play() is refused with NotAllowedError until the page has had a gesture.
REFUSE_SOUND_WITHOUT_GESTURE = """
(() => {
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    if (navigator.userActivation && navigator.userActivation.hasBeenActive) {
      return play.call(this);
    }
    return Promise.reject(new DOMException("No gesture yet", "NotAllowedError"));
  };
})();
"""


def wait_for_stream(board: Page) -> None:
    board.wait_for_function("() => window.antreBoard.connection() === EventSource.OPEN")


def test_kiosk_console_and_board_on_the_day(
    hall: Hall,
    asgi_page: OpenPage,
    board_device: User,
    kiosk_device: User,
    officer: User,
    axe_check: AxeCheck,
    screenshot: Screenshot,
) -> None:
    booking = hall.booking("2026-06-02T09:00+07:00")

    board = asgi_page("tv")
    board.goto(f"/papan/{hall.site.slug}/")
    expect(board).to_have_url(re.compile(r"/petugas/masuk/\?next=/papan/mpp/$"))
    axe_check(board)
    screenshot(board, "staff-login-01")
    log_in(board, board_device, f"/papan/{hall.site.slug}/")
    expect(board.get_by_role("heading", name=hall.site.name)).to_be_visible()
    expect(board.locator("#call-latest")).to_contain_text("Belum ada panggilan.")
    switch_sound_on(board)
    wait_for_stream(board)

    # The kiosk at the door checks the booking in.
    path = kiosk_path(hall)
    if path is not None:
        kiosk = asgi_page("desktop")
        log_in(kiosk, kiosk_device, path)
        kiosk.locator("#id_code").fill(booking.code)
        kiosk.locator("#id_code").press("Enter")
        expect(kiosk.get_by_text("A-001").first).to_be_visible()
        screenshot(kiosk, "floor-01-kiosk")
    else:
        check_in(site=hall.site, code=booking.code, actor=kiosk_device)
    ticket = Ticket.objects.get(booking=booking)
    assert ticket.number == "A-001"

    # The board counts the waiting ticket as soon as it is issued.
    expect(board.locator('#waiting-list [data-service="ktp"] .waiting__count')).to_have_text("1")
    expect(board.locator("#inside-count")).to_have_text("1")

    # The officer calls it with the keyboard.
    console = asgi_page("desktop")
    log_in(console, officer, "/loket/")
    console.get_by_role("link", name="Loket 1").click()
    expect(console.get_by_role("heading", name="Loket 1", exact=True)).to_be_visible()
    console.keyboard.press("n")
    expect(console.locator(".console-number")).to_have_text("A-001")
    expect(console.get_by_role("status")).to_contain_text("A-001 dipanggil ke Loket 1.")

    # The board shows the call without a reload, and announces it.
    latest = board.locator("#call-latest")
    expect(latest.locator(".call-latest__number")).to_have_text("A-001")
    expect(latest.locator(".call-latest__counter")).to_have_text("Loket 1")
    expect(board.locator("#waiting-list")).to_contain_text("Tidak ada yang menunggu.")
    board.wait_for_function("() => window.antreBoard.announced.length === 1")
    entry = board.evaluate("() => window.antreBoard.announced[0]")
    assert entry["kind"] == "ticket.called"
    assert entry["clips"] == call_clips("A-001", 1)
    assert entry["text"] == spoken_text(call_clips("A-001", 1))
    assert entry["queued"] is True

    # A recall is announced again, after the first announcement (queued).
    console.keyboard.press("r")
    expect(console.get_by_role("status")).to_contain_text("panggilan ulang ke-1")
    board.wait_for_function("() => window.antreBoard.announced.length === 2")
    assert board.evaluate("() => window.antreBoard.announced[1].kind") == "ticket.recalled"
    # Debian's Chromium has no Indonesian voice: the clips play, all of them.
    board.wait_for_function(
        "() => window.antreBoard.announced.every((entry) => entry.done)", timeout=40_000
    )
    first = board.evaluate("() => window.antreBoard.announced[0]")
    assert first["via"] == "clips"
    assert first["played"] == [True] * len(call_clips("A-001", 1))
    screenshot(board, "board-01-called")

    axe_check(console)
    screenshot(console, "console-02-called")
    axe_check(board)
    assert board.evaluate(
        "() => document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )


def test_the_board_calls_people_in_from_outside(
    hall: Hall, asgi_page: OpenPage, board_device: User, screenshot: Screenshot
) -> None:
    # Three places in the room: the fourth waits outside.
    tickets = [issue_walk_in(site=hall.site, service=hall.service_a, actor=None) for _ in range(3)]
    outside = issue_walk_in(site=hall.site, service=hall.service_b, actor=None)
    assert outside.admitted_at is None

    board = asgi_page("tv", user=board_device)
    board.goto(f"/papan/{hall.site.slug}/")
    expect(board.locator("#inside-count")).to_have_text("3")
    expect(board.locator("#inside-full")).to_be_visible()
    switch_sound_on(board)
    wait_for_stream(board)

    from antre.onsite.services import call_next

    called = call_next(counter=hall.counter_1, actor=None)
    finish_service(ticket=called, actor=None)

    expect(board.locator("#admitted-list")).to_have_text("B-001")
    board.wait_for_function(
        "() => window.antreBoard.announced.some((entry) => entry.kind === 'ticket.admitted')"
    )
    entry = board.evaluate(
        "() => window.antreBoard.announced.find((entry) => entry.kind === 'ticket.admitted')"
    )
    assert entry["clips"] == admit_clips("B-001")
    # One left, one came in: the room is full again.
    expect(board.locator("#inside-count")).to_have_text("3")
    assert len(tickets) == 3
    screenshot(board, "board-02-admitted")


def test_the_board_script_says_what_the_server_says(
    hall: Hall, asgi_page: OpenPage, board_device: User
) -> None:
    """board.js mirrors antre.board.announcements: the same clips for the
    same call, over letters, digits, long numbers and counters past 99."""
    board = asgi_page("tv", user=board_device)
    board.goto(f"/papan/{hall.site.slug}/")
    cases = [
        ("A-012", 3),
        ("B-100", 12),
        ("AB-007", 21),
        ("Z-999", 50),
        ("Q-1000", 99),
        ("X-010", 100),
        ("K-005", None),
    ]

    for number, counter in cases:
        in_browser = board.evaluate(
            "([number, counter]) => window.antreBoard.callClips(number, counter)",
            [number, counter],
        )
        assert in_browser == call_clips(number, counter), (number, counter)
        assert board.evaluate(
            "(number) => window.antreBoard.admitClips(number)", number
        ) == admit_clips(number)
        assert board.evaluate(
            "(clips) => window.antreBoard.spokenText(clips)", call_clips(number, counter)
        ) == spoken_text(call_clips(number, counter))


# The network is cut on purpose: a request the board had in flight then (the
# stream, a clock or state refresh, depending on timing) logs a failed load.
@pytest.mark.console_errors_allowed
def test_the_board_says_when_it_lost_the_server(
    hall: Hall, asgi_page: OpenPage, board_device: User, screenshot: Screenshot
) -> None:
    board = asgi_page("tv", user=board_device)
    board.goto(f"/papan/{hall.site.slug}/")
    wait_for_stream(board)

    board.context.set_offline(True)
    expect(board.locator("#board-connection")).to_be_visible(timeout=15_000)
    expect(board.locator("#board-connection")).to_have_text("Terhubung kembali…")
    screenshot(board, "board-03-reconnecting")

    board.context.set_offline(False)
    wait_for_stream(board)
    expect(board.locator("#board-connection")).to_be_hidden()
    # Whatever happened meanwhile arrives after the reconnection.
    issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    expect(board.locator('#waiting-list [data-service="ktp"] .waiting__count')).to_have_text("1")


def test_the_console_keyboard(
    hall: Hall,
    asgi_page: OpenPage,
    officer: User,
    axe_check: AxeCheck,
    screenshot: Screenshot,
) -> None:
    for _ in range(2):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    issue_walk_in(site=hall.site, service=hall.service_a, actor=None, priority="elderly")
    console = asgi_page("desktop", user=officer)
    console.goto(f"/loket/{hall.counter_2.pk}/")
    axe_check(console)
    screenshot(console, "console-01-ready")

    console.keyboard.press(" ")
    expect(console.locator(".console-number")).to_have_text("A-003")
    # Typing in the transfer list is not a shortcut.
    console.keyboard.press("t")
    expect(console.locator("#transfer-service")).to_be_focused()
    console.keyboard.press("f")
    expect(console.locator(".console-number")).to_have_text("A-003")
    console.locator("#transfer-service").select_option(label=f"B · {hall.service_b.name}")
    console.keyboard.press("Enter")
    expect(console.get_by_role("status")).to_contain_text("dialihkan ke")
    expect(console.locator(".console-number")).to_have_text("–")

    console.keyboard.press("n")
    expect(console.locator(".console-number")).to_have_text("B-001")
    # No-show is refused until the recalls are done; the reason is on screen.
    expect(console.locator("#reason-no-show")).to_contain_text("Panggil ulang 2 kali lagi")
    console.keyboard.press("x")
    expect(console.locator(".console-number")).to_have_text("B-001")
    console.keyboard.press("r")
    expect(console.get_by_role("status")).to_contain_text("panggilan ulang ke-1")
    console.keyboard.press("r")
    expect(console.get_by_role("status")).to_contain_text("panggilan ulang ke-2")
    console.keyboard.press("x")
    expect(console.get_by_role("status")).to_contain_text("B-001 ditandai tidak hadir.")

    console.keyboard.press("p")
    expect(console.locator(".counter-state")).to_have_text("Loket dijeda")
    # Call is off while paused: N points at the reason instead.
    console.keyboard.press("n")
    expect(console.locator("#reason-call")).to_have_text("Loket dijeda.")
    expect(console.locator("#reason-call")).to_have_class(re.compile("action__reason--flash"))
    screenshot(console, "console-03-paused")
    console.keyboard.press("p")
    expect(console.locator(".counter-state")).to_have_text("Loket buka")

    # The refresh shows what another counter did meanwhile.
    from antre.onsite.services import call_next

    call_next(counter=hall.counter_1, actor=None)
    expect(console.locator(".next-up")).not_to_contain_text("A-001", timeout=10_000)
    assert Ticket.objects.filter(status=TicketStatus.NO_SHOW).count() == 1
    assert browser_module.horizontal_overflow(console) == 0


def boxes_overlap(first: dict, second: dict) -> bool:
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


def test_every_waiting_service_shows_and_the_sound_warning_covers_nothing(
    hall: Hall, asgi_page: OpenPage, board_device: User, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    # 21 services waiting, as at the demo MPP, with names as long as real ones.
    services = [hall.service_a, hall.service_b]
    for letter in "CDEFGHJKMNPQRSTUVWX":
        service = f.ServiceFactory(
            slug=f"layanan-{letter.lower()}",
            name=f"Layanan {letter} Pelayanan Perizinan Berusaha Terintegrasi",
            ticket_prefix=letter,
            walk_in_daily_quota=5,
        )
        f.SiteServiceFactory(site=hall.site, service=service)
        services.append(service)
    for service in services:
        issue_walk_in(site=hall.site, service=service, actor=None)

    board = asgi_page("tv", user=board_device)
    board.add_init_script(REFUSE_SOUND_WITHOUT_GESTURE)
    board.clock.install()
    board.goto(f"/papan/{hall.site.slug}/")
    waiting = board.locator("#waiting-list")
    expect(waiting.locator(".waiting")).to_have_count(21)

    # The sound is off until someone presses the button, and it says so in the
    # header, over nothing.
    sound = board.locator("#sound-button")
    expect(sound).to_be_visible()
    expect(sound).to_contain_text("Suara mati: panggilan tidak diumumkan")
    expect(sound).to_contain_text("Tekan di sini untuk mengaktifkan suara")
    button = sound.bounding_box()
    header = board.locator(".board-head").bounding_box()
    assert button is not None
    assert header is not None
    assert header["y"] <= button["y"]
    assert button["y"] + button["height"] <= header["y"] + header["height"]
    for other in (".board-main", ".board-enter", ".board-clock", ".board-head h1"):
        box = board.locator(other).bounding_box()
        assert box is not None
        assert not boxes_overlap(button, box), other
    axe_check(board)
    screenshot(board, "board-04-many-services")

    # More than fit: whole rows a page at a time, the pages taking turns.
    indicator = board.locator("#waiting-page")
    expect(indicator).to_have_text(re.compile(r"^Halaman 1 dari [2-9]$"))
    pages = int((indicator.text_content() or "").rsplit(" ", 1)[-1])
    room = waiting.bounding_box()
    assert room is not None
    seen: list[str] = []
    for number in range(1, pages + 1):
        expect(indicator).to_have_text(f"Halaman {number} dari {pages}")
        rows = waiting.locator(".waiting:not([hidden])")
        assert rows.count() > 0
        for index in range(rows.count()):
            row = rows.nth(index)
            box = row.bounding_box()
            assert box is not None
            assert box["y"] + box["height"] <= room["y"] + room["height"] + 0.5
            seen.append(row.get_attribute("data-service") or "")
        board.clock.fast_forward("00:08")
    expect(indicator).to_have_text(f"Halaman 1 dari {pages}")
    assert sorted(seen) == sorted(service.slug for service in services)

    # Sound on: the warning goes, the pages are cut again for the room there is.
    sound.click()
    board.wait_for_function("() => window.antreBoard.sound.enabled")
    expect(sound).to_be_hidden()
    assert board.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight")

"""The kiosk in Chromium, as a kiosk device uses it: logged in once, a USB
scanner typing a booking code and Enter, the on-screen keypad, walk-ins
chosen by touch, the ticket and its print view, camera scanning with the
self-hosted ZXing WebAssembly, and the way back home after a few seconds."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from antre.accounts.models import Role
from antre.booking.models import Booking
from antre.kiosk.tests.conftest import BASE_URL, PASSWORD, at, closed_port
from antre.onsite.models import Kiosk, PrinterKind, Priority, Ticket
from antre.onsite.services import issue_walk_in, transfer
from antre.onsite.tests.conftest import Hall
from antre.testing import browser as browser_module
from antre.testing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Screenshot = Callable[..., Path]
AxeCheck = Callable[..., None]

PORTRAIT = {"width": 1080, "height": 1920}
# 80 mm in PDF points (1/72 inch).
POINTS_80_MM = 80 / 25.4 * 72

# Counts the prints instead of opening a print dialog.
COUNT_PRINTS = "window.__prints = 0; window.print = () => { window.__prints += 1; };"


@pytest.fixture
def mall(hall: Hall) -> Hall:
    """The hall with names a citizen would read."""
    hall.site.name = "Mal Pelayanan Publik Bekasi"
    hall.site.save()
    hall.service_a.name = "Perekaman KTP-el"
    hall.service_a.agency.name = "Dinas Kependudukan dan Pencatatan Sipil"
    hall.service_a.agency.short_name = "Dukcapil"
    hall.service_a.agency.save()
    hall.service_a.save()
    hall.service_b.name = "Surat Keterangan Catatan Kepolisian (SKCK)"
    hall.service_b.agency.short_name = "Polres"
    hall.service_b.agency.save()
    hall.service_b.save()
    return hall


@pytest.fixture
def kiosk(mall: Hall) -> Kiosk:
    user = f.StaffFactory(
        username="kiosk-mpp",
        is_staff=False,
        password=PASSWORD,
        role=Role.KIOSK,
        role__site=mall.site,
    )
    return Kiosk.objects.create(user=user, site=mall.site, name="Kiosk pintu utama")


def log_in(page: Page, kiosk: Kiosk) -> None:
    """Once, like the device at its set-up: the kiosk URL sends it to the
    staff login, which sends it back."""
    page.goto("/kiosk/mpp/")
    expect(page).to_have_url(re.compile(r"/petugas/masuk/\?next=/kiosk/mpp/$"))
    page.locator("#id_username").fill(kiosk.user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/kiosk/mpp/$"))
    # The kiosk's script has run once it shows the camera button.
    expect(page.get_by_role("button", name="Pindai dengan kamera")).to_be_visible()


def code_field(page: Page):
    return page.get_by_label("Pindai kode pemesanan / ketik kode")


def prints(page: Page, *, at_least: int = 1, timeout: float = 5.0) -> int:
    """How many times the page called window.print(), once it has called it
    ``at_least`` times or the timeout passed. (Polled from here: the pages'
    Content Security Policy forbids the eval that wait_for_function uses.)"""
    deadline = time.monotonic() + timeout
    while True:
        count: int = page.evaluate("window.__prints")
        if count >= at_least or time.monotonic() > deadline:
            return count
        page.wait_for_timeout(50)


def decode_qr(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def media_box_widths(pdf: bytes) -> list[float]:
    return [float(box.split()[2]) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)]


def test_a_usb_scanner_checks_in_and_the_ticket_prints(
    page: Page,
    kiosk: Kiosk,
    mall: Hall,
    live_server: LiveServer,
    axe_check: AxeCheck,
    screenshot: Screenshot,
) -> None:
    booking = mall.booking(at("09:00"))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(COUNT_PRINTS)

    log_in(page, kiosk)

    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(code_field(page)).to_be_focused()
    expect(page.get_by_role("heading", name="Tanpa janji")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Perekaman KTP-el.*sisa 5"))).to_be_visible()
    expect(page.get_by_role("button", name="Pindai dengan kamera")).to_be_visible()
    assert browser_module.horizontal_overflow(page) == 0
    axe_check(page)
    screenshot(page, "kiosk-01-home", full_page=False)

    # A scanner is a keyboard: it types the code, then Enter.
    page.keyboard.type(booking.code)
    page.keyboard.press("Enter")

    expect(page.locator("[data-ticket-number]")).to_have_text("A-001")
    ticket = Ticket.objects.get(booking=booking)
    expect(page).to_have_url(re.compile(rf"/kiosk/mpp/tiket/{ticket.public_id}/$"))
    expect(page.get_by_text("Silakan masuk.").first).to_be_visible()
    expect(page.get_by_text("Tiket Anda sedang dicetak")).to_be_visible()
    assert prints(page) == 1
    live_url = f"{BASE_URL}/antrean/{ticket.public_id}/"
    assert decode_qr(page.locator(".kiosk-ticket .ticket-qr").screenshot()) == [live_url]
    axe_check(page)
    screenshot(page, "kiosk-02-ticket", full_page=False)

    # Printed, the ticket screen is its paper ticket alone.
    page.emulate_media(media="print")
    expect(page.locator(".paper-ticket")).to_be_visible()
    expect(page.locator(".kiosk-ticket")).to_be_hidden()
    expect(page.locator(".kiosk-header")).to_be_hidden()
    page.emulate_media(media="screen")

    page.goto(f"/kiosk/mpp/tiket/{ticket.public_id}/cetak/")
    expect(page.locator(".paper-ticket__number")).to_have_text("A-001")
    expect(page.get_by_text("Simpan tiket ini")).to_be_visible()
    axe_check(page)
    screenshot(page, "kiosk-03-print-view")
    pdf = page.pdf(width="80mm", margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
    assert pdf.startswith(b"%PDF-")
    widths = media_box_widths(pdf)
    assert widths
    assert all(abs(width - POINTS_80_MM) < 1 for width in widths), widths
    assert len(widths) == 1  # the whole ticket on one page
    try:
        import pypdfium2
    except ImportError:
        pass
    else:
        document = pypdfium2.PdfDocument(pdf)
        assert "A-001" in document[0].get_textpage().get_text_range()
        rendered = document[0].render(scale=4).to_pil()
        buffer = io.BytesIO()
        rendered.save(buffer, format="PNG")
        assert decode_qr(buffer.getvalue()) == [live_url]

    # Everything came from our own server: no CDN, no font service.
    assert all(url.startswith(live_server.url) for url in requested), requested


def test_the_keypad_a_refusal_and_the_way_back_home(
    page: Page, kiosk: Kiosk, mall: Hall, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    page.clock.install()
    log_in(page, kiosk)
    keypad = page.get_by_role("group", name="Tombol huruf dan angka kode")

    for key in "7K3M9QXZ4":
        keypad.get_by_role("button", name=key, exact=True).click()
    keypad.get_by_role("button", name="Hapus").click()
    keypad.get_by_role("button", name="4", exact=True).click()
    expect(code_field(page)).to_have_value("7K3M9QXZ4")
    expect(code_field(page)).to_be_focused()
    page.get_by_role("button", name="OK", exact=True).click()

    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("Kode tidak dikenal")
    expect(problem).to_contain_text("Periksa kode pemesanan di e-mail Anda")
    expect(code_field(page)).to_be_focused()
    axe_check(page)
    screenshot(page, "kiosk-04-unknown-code", full_page=False)

    # Ten seconds without a touch: back to the home screen.
    page.clock.fast_forward("00:11")
    expect(page).to_have_url(re.compile(r"/kiosk/mpp/$"))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(code_field(page)).to_have_value("")


def test_a_scanned_link_to_the_booking_page_is_kept_as_scanned_and_checks_in(
    page: Page, kiosk: Kiosk, mall: Hall
) -> None:
    """docs/kiosk.md promises links work: the field shows the link as the
    scanner typed it (not upper-cased), and the server finds the code in it."""
    booking = mall.booking(at("09:00"))
    link = f"{BASE_URL}/pemesanan/{booking.code.lower()}/"
    page.add_init_script(COUNT_PRINTS)
    log_in(page, kiosk)

    page.keyboard.type(link)
    expect(code_field(page)).to_have_value(link)
    assert code_field(page).evaluate("(field) => getComputedStyle(field).textTransform") == "none"
    page.keyboard.press("Enter")

    expect(page.locator("[data-ticket-number]")).to_have_text("A-001")
    assert Ticket.objects.get().booking == booking


def test_a_late_citizen_takes_the_walk_in_ticket_offered(
    page: Page, kiosk: Kiosk, mall: Hall, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    booking = mall.booking(at("08:00"))
    for _ in range(3):  # the room (three places) is full
        issue_walk_in(site=mall.site, service=mall.service_b, actor=None)
    page.add_init_script(COUNT_PRINTS)
    log_in(page, kiosk)

    # A touch elsewhere took the focus; the scanner's first key brings it back.
    page.get_by_role("link", name=re.compile("Perekaman KTP-el")).focus()
    page.keyboard.type(booking.code)
    page.keyboard.press("Enter")

    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("Terlambat")
    expect(problem).to_contain_text("check-in ditutup pukul 08.15 WIB")
    axe_check(page)
    screenshot(page, "kiosk-05-too-late", full_page=False)

    page.get_by_role("button", name=re.compile("Ambil nomor tanpa janji: Perekaman KTP-el")).click()

    expect(page.locator("[data-ticket-number]")).to_have_text("A-001")
    expect(
        page.get_by_text("Silakan menunggu di luar; nomor Anda akan dipanggil masuk.").first
    ).to_be_visible()
    ticket = Ticket.objects.get(service=mall.service_a)
    assert ticket.booking is None
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    axe_check(page)
    screenshot(page, "kiosk-12-wait-outside", full_page=False)


@pytest.fixture
def portrait_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A 1080x1920 portrait touch screen, the common kiosk."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        viewport=PORTRAIT,
        has_touch=True,
    )
    page = context.new_page()
    problems = browser_module.watch_console(page)
    yield page
    context.close()
    if request.node.get_closest_marker("console_errors_allowed"):
        problems = [problem for problem in problems if "status of 404" not in problem]
    assert not problems, problems


def test_a_walk_in_chosen_by_touch_on_a_portrait_kiosk(
    portrait_page: Page, kiosk: Kiosk, mall: Hall, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    page = portrait_page
    page.add_init_script(COUNT_PRINTS)
    log_in(page, kiosk)
    expect(code_field(page)).to_be_focused()
    expect(page.get_by_role("button", name="Pindai dengan kamera")).to_be_visible()
    assert browser_module.horizontal_overflow(page) == 0
    axe_check(page)
    screenshot(page, "kiosk-06-portrait-home", full_page=False)

    page.get_by_role("link", name=re.compile("Surat Keterangan Catatan Kepolisian")).tap()
    expect(page.get_by_role("heading", name="Siapa yang akan dilayani?")).to_be_visible()
    axe_check(page)
    screenshot(page, "kiosk-07-priority", full_page=False)
    page.get_by_role("button", name="Lansia").tap()

    expect(page.locator("[data-ticket-number]")).to_have_text("B-001")
    assert Ticket.objects.get().priority == Priority.ELDERLY
    assert prints(page) == 1
    axe_check(page)
    screenshot(page, "kiosk-08-portrait-ticket", full_page=False)

    page.get_by_role("button", name="Selesai").tap()
    expect(page.get_by_role("link", name=re.compile("Kepolisian.*sisa 4"))).to_be_visible()


def test_the_agency_buttons_jump_to_a_long_list_s_services(
    page: Page, kiosk: Kiosk, mall: Hall, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    # An MPP's score of agencies: more than a landscape screen holds.
    for number in range(1, 13):
        agency = f.AgencyFactory(
            name=f"Badan Contoh {number:02d}", short_name=f"Badan {number:02d}"
        )
        for letter in "AB":
            service = f.ServiceFactory(
                agency=agency, name=f"Layanan {letter} badan {number:02d}", ticket_prefix="Z"
            )
            f.SiteServiceFactory(site=mall.site, service=service)
    log_in(page, kiosk)
    agencies = page.get_by_role("navigation", name="Instansi")
    expect(agencies.get_by_role("link")).to_have_count(14)
    assert browser_module.horizontal_overflow(page) == 0
    axe_check(page)
    screenshot(page, "kiosk-05b-agencies", full_page=False)

    polres = page.get_by_role("heading", name=mall.service_b.agency.name)
    expect(polres).not_to_be_in_viewport()
    agencies.get_by_role("link", name="Polres").click()
    expect(polres).to_be_in_viewport()
    walk_in = page.get_by_role("link", name=re.compile("Kepolisian.*sisa 5"))
    expect(walk_in).to_be_in_viewport()
    # The code panel stays beside the list on a landscape screen.
    expect(code_field(page)).to_be_in_viewport()
    screenshot(page, "kiosk-05c-agency-jump", full_page=False)

    page.get_by_role("link", name="↑ Semua instansi").last.click()
    expect(agencies.get_by_role("link", name="Polres")).to_be_in_viewport()
    walk_in = page.get_by_role("link", name=re.compile("Kepolisian.*sisa 5"))
    agencies.get_by_role("link", name="Polres").click()
    walk_in.click()
    expect(page.get_by_role("heading", name="Siapa yang akan dilayani?")).to_be_visible()


def test_a_broken_printer_leaves_the_ticket_on_screen(
    page: Page, kiosk: Kiosk, mall: Hall, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    kiosk.printer_kind = PrinterKind.NETWORK
    kiosk.printer_host = "127.0.0.1"
    kiosk.printer_port = closed_port()
    kiosk.save()
    page.add_init_script(COUNT_PRINTS)
    log_in(page, kiosk)

    page.get_by_role("link", name=re.compile("Perekaman KTP-el")).click()
    page.get_by_role("button", name="Umum").click()

    expect(page.locator("[data-ticket-number]")).to_have_text("A-001")
    expect(page.get_by_role("alert")).to_contain_text(
        "Printer bermasalah: tunjukkan nomor ini atau foto layar ini; petugas telah diberi tahu."
    )
    # The ESC/POS printer was tried; the browser does not print instead.
    assert prints(page, timeout=0.5) == 0
    axe_check(page)
    screenshot(page, "kiosk-09-printer-failed", full_page=False)


def test_without_a_camera_the_kiosk_says_so_and_goes_back_to_the_code(
    page: Page, kiosk: Kiosk, mall: Hall, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    log_in(page, kiosk)

    page.get_by_role("button", name="Pindai dengan kamera").click()

    dialog = page.get_by_role("dialog", name="Pindai dengan kamera")
    expect(dialog.get_by_role("status")).to_have_text(
        "Kamera tidak dapat dipakai. Silakan pakai pemindai atau ketik kode Anda."
    )
    axe_check(page)
    screenshot(page, "kiosk-11-camera-unavailable", full_page=False)
    dialog.get_by_role("button", name="Batal").click()
    expect(dialog).to_be_hidden()
    expect(code_field(page)).to_be_focused()


def write_y4m(path: Path, text: str, *, width: int = 640, height: int = 480) -> None:
    """A one-frame Y4M video of a QR code on white, for Chromium's fake camera."""
    qr = segno.make_qr(text, error="m", boost_error=False)
    matrix = [list(row) for row in qr.matrix]
    size = len(matrix)
    scale = 12
    border = 4
    side = (size + 2 * border) * scale
    left, top = (width - side) // 2, (height - side) // 2
    luma = bytearray(b"\xeb" * (width * height))
    for row in range(size):
        for column in range(size):
            if matrix[row][column]:
                for y in range(scale):
                    start = (top + (row + border) * scale + y) * width
                    start += left + (column + border) * scale
                    luma[start : start + scale] = b"\x10" * scale
    chroma = b"\x80" * (width * height // 4)
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.mark.parametrize("content", ["code", "link in capitals"])
def test_the_camera_reads_the_booking_qr_with_the_self_hosted_decoder(
    browser: Browser,
    kiosk: Kiosk,
    mall: Hall,
    live_server: LiveServer,
    tmp_path: Path,
    screenshot: Screenshot,
    content: str,
) -> None:
    booking = mall.booking(at("09:00"))
    video = tmp_path / "booking-qr.y4m"
    # The e-mail's QR holds the bare code; a link's QR made in the compact
    # alphanumeric mode holds the whole link in capitals.
    text = booking.code if content == "code" else f"{BASE_URL}/PEMESANAN/{booking.code}/".upper()
    write_y4m(video, text)
    camera_browser = browser.browser_type.launch(
        executable_path=str(browser_module.CHROMIUM),
        headless=True,
        args=[
            *browser_module.CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(
            base_url=live_server.url,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            viewport=browser_module.DESKTOP_VIEWPORT,
            permissions=["camera"],
        )
        page = context.new_page()
        problems = browser_module.watch_console(page)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.add_init_script(COUNT_PRINTS)
        log_in(page, kiosk)

        page.get_by_role("button", name="Pindai dengan kamera").click()

        expect(page.locator("[data-ticket-number]")).to_have_text("A-001", timeout=20_000)
        assert Ticket.objects.get().booking == booking
        assert any(
            url.endswith("/static/vendor/barcode-detector/zxing_reader.wasm") for url in requested
        )
        assert all(url.startswith(live_server.url) for url in requested), requested
        assert not problems, problems
        screenshot(page, "kiosk-10-camera-ticket", full_page=False)
        context.close()
    finally:
        camera_browser.close()


@pytest.mark.console_errors_allowed  # the page's own 404 status
def test_a_page_the_kiosk_does_not_have_stays_in_the_kiosk(
    portrait_page: Page, kiosk: Kiosk, mall: Hall, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    page = portrait_page
    page.clock.install()
    log_in(page, kiosk)

    # A service taken off the site after the home screen listed it.
    page.goto("/kiosk/mpp/tanpa-janji/tidak-ada/")

    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("Tidak ditemukan")
    expect(page.locator(".kiosk-header")).to_contain_text(mall.site.name)
    # Nothing of the citizen pages: no "Pemesanan saya", no "Keluar" that
    # would sign the kiosk out.
    expect(page.get_by_text("Pemesanan saya")).to_have_count(0)
    expect(page.get_by_role("button", name="Keluar")).to_have_count(0)
    axe_check(page)
    screenshot(page, "kiosk-13-not-found", full_page=False)

    # By hand...
    page.get_by_role("button", name="Kembali ke layar awal").tap()
    expect(page).to_have_url(re.compile(r"/kiosk/mpp/$"))
    # ... or by itself after ten seconds without a touch.
    page.goto("/kiosk/mpp/tiket/tidak-ada/")
    expect(page.get_by_role("alert")).to_contain_text("Tidak ditemukan")
    page.clock.fast_forward("00:11")
    expect(page).to_have_url(re.compile(r"/kiosk/mpp/$"))
    expect(code_field(page)).to_be_focused()


def test_a_transferred_ticket_shows_the_new_number_and_the_priority(
    portrait_page: Page, kiosk: Kiosk, mall: Hall, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    page = portrait_page
    old = issue_walk_in(
        site=mall.site, service=mall.service_a, actor=None, priority=Priority.ELDERLY
    )
    new = transfer(ticket=old, service=mall.service_b, actor=None)
    log_in(page, kiosk)

    page.goto(f"/kiosk/mpp/tiket/{old.public_id}/")

    expect(page.locator("[data-ticket-number]")).to_have_text("A-001")
    expect(page.locator(".kiosk-ticket__priority")).to_have_text("Prioritas: Lansia")
    expect(page.locator(".kiosk-ticket__instruction")).to_have_text(
        "Dialihkan ke Surat Keterangan Catatan Kepolisian (SKCK) dengan nomor baru B-001."
    )
    expect(page.get_by_text("Silakan menunggu di luar")).to_have_count(0)
    axe_check(page)
    screenshot(page, "kiosk-14-transferred-ticket", full_page=False)

    page.get_by_role("button", name="Lihat nomor baru B-001").tap()
    expect(page).to_have_url(re.compile(rf"/kiosk/mpp/tiket/{new.public_id}/$"))
    expect(page.locator("[data-ticket-number]")).to_have_text("B-001")
    expect(page.locator(".kiosk-ticket__priority")).to_have_text("Prioritas: Lansia")

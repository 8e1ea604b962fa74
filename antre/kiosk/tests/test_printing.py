"""ESC/POS tickets: the bytes python-escpos writes, a network printer on a
local port, a USB device file, and failures that never cost the ticket."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from escpos.printer import Dummy

from antre.core.models import AuditEvent
from antre.kiosk.printing import PRINTER_FAILED, print_ticket, render_escpos
from antre.kiosk.tests.conftest import BASE_URL, FakeNetworkPrinter, at, closed_port
from antre.onsite.models import BoardEvent, Kiosk, PrinterKind, Ticket
from antre.onsite.selectors import ticket_state
from antre.onsite.services import issue_walk_in, transfer
from antre.onsite.tests.conftest import Hall

pytestmark = pytest.mark.django_db

GS = b"\x1d"
QR_STORE = GS + b"(k"  # GS ( k: store, then print, the native QR symbol
QR_PRINT = GS + b"(k\x03\x001Q0"
CUT = GS + b"V"
INIT = b"\x1b@"  # ESC @


def rendered(ticket: Ticket, paper_width: int = 80) -> bytes:
    printer = Dummy()
    render_escpos(printer, ticket, ticket_state(ticket), paper_width=paper_width)
    return printer.output


@pytest.fixture
def ticket(hall: Hall) -> Ticket:
    hall.service_a.name = "Perekaman KTP-el"
    hall.service_a.save()
    return issue_walk_in(site=hall.site, service=hall.service_a, actor=None)


def test_the_escpos_ticket_has_the_number_the_qr_and_a_cut(ticket: Ticket) -> None:
    output = rendered(ticket)

    assert output.startswith(INIT)
    # The number in four-fold size (GS ! 0x33), bold and centred.
    assert re.search(rb"\x1d!\x33(\x1b[Ea][\x00\x01])*A-001\n", output)
    assert b"Perekaman KTP-el" in output
    assert b"MPP" in output
    assert b"Selasa, 2 Juni 2026, 09.05 WIB" in output
    assert b"Anda berikutnya dipanggil." in output
    assert b"Silakan masuk." in output
    assert b"Simpan tiket ini" in output
    live_url = f"{BASE_URL}/antrean/{ticket.public_id}/".encode()
    # GS ( k pL pH cn fn m data: store the live page's URL in the symbol...
    stored = QR_STORE + (len(live_url) + 3).to_bytes(2, "little") + b"1P0" + live_url
    assert stored in output
    # ... then print it, then feed and cut.
    assert output.index(stored) < output.index(QR_PRINT) < output.rindex(CUT)
    assert output.endswith(CUT + b"\x00")


def test_the_58_mm_ticket_wraps_at_32_characters(hall: Hall) -> None:
    hall.service_b.name = "Penerbitan Surat Keterangan Catatan Kepolisian (SKCK) baru"
    hall.service_b.save()
    ticket = issue_walk_in(site=hall.site, service=hall.service_b, actor=None)

    output = rendered(ticket, paper_width=58)

    # Wrapped at a space, not cut mid-word by the printer.
    assert b"Penerbitan Surat Keterangan\nCatatan Kepolisian (SKCK) baru\n" in output
    assert b"Selasa, 2 Juni 2026, 09.05 WIB\n" in output


def test_a_waiting_ticket_prints_its_place_and_estimate(hall: Hall) -> None:
    for _ in range(3):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)

    output = rendered(ticket)

    assert b"Silakan menunggu di luar; nomor Anda akan dipanggil masuk." in output.replace(
        b"\n", b" "
    )
    assert b"Urutan ke-4 dalam antrean." in output


def test_a_network_printer_gets_the_ticket(
    ticket: Ticket, kiosk: Kiosk, network_printer: FakeNetworkPrinter
) -> None:
    kiosk.printer_kind = PrinterKind.NETWORK
    kiosk.printer_host = "127.0.0.1"
    kiosk.printer_port = network_printer.port
    kiosk.save()

    result = print_ticket(kiosk, ticket)

    assert result.ok, result.error
    (job,) = network_printer.wait_for_jobs(1)
    assert b"A-001" in job
    assert QR_PRINT in job
    assert CUT in job


def test_a_usb_printer_gets_the_ticket_through_its_device_file(
    ticket: Ticket, kiosk: Kiosk, tmp_path: Path
) -> None:
    device = tmp_path / "lp0"
    device.touch()
    kiosk.printer_kind = PrinterKind.FILE
    kiosk.printer_path = str(device)
    kiosk.save()

    result = print_ticket(kiosk, ticket)

    assert result.ok, result.error
    job = device.read_bytes()
    assert b"A-001" in job
    assert QR_PRINT in job


def test_a_refused_connection_fails_cleanly_and_is_recorded(
    ticket: Ticket, kiosk: Kiosk, caplog: pytest.LogCaptureFixture
) -> None:
    kiosk.printer_kind = PrinterKind.NETWORK
    kiosk.printer_host = "127.0.0.1"
    kiosk.printer_port = closed_port()
    kiosk.save()

    result = print_ticket(kiosk, ticket)

    assert not result.ok
    assert "DeviceNotFoundError" in result.error
    assert "could not print ticket A-001" in caplog.text
    event = AuditEvent.objects.get(action="kiosk.print_failed")
    assert event.actor == kiosk.user
    assert event.site_id == ticket.site_id
    assert event.target_id == str(ticket.pk)
    assert event.data["kiosk"] == "Kiosk pintu utama"
    assert event.data["ticket"] == "A-001"
    board = BoardEvent.objects.get(kind=PRINTER_FAILED)
    assert board.payload["ticket"] == "A-001"
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_a_missing_usb_device_fails_without_creating_a_file(
    ticket: Ticket, kiosk: Kiosk, tmp_path: Path
) -> None:
    device = tmp_path / "lp0"
    kiosk.printer_kind = PrinterKind.FILE
    kiosk.printer_path = str(device)
    kiosk.save()

    result = print_ticket(kiosk, ticket)

    assert not result.ok
    assert "does not exist" in result.error
    assert not device.exists()
    assert AuditEvent.objects.filter(action="kiosk.print_failed").count() == 1


def test_a_broken_printer_still_shows_the_ticket_on_screen(
    kiosk_client: Client, kiosk: Kiosk, hall: Hall
) -> None:
    kiosk.printer_kind = PrinterKind.NETWORK
    kiosk.printer_host = "127.0.0.1"
    kiosk.printer_port = closed_port()
    kiosk.save()
    booking = hall.booking(at("09:00"))

    url = kiosk_client.post("/kiosk/mpp/check-in/", {"code": booking.code})["Location"]
    page = kiosk_client.get(url).content.decode()

    assert "A-001" in page
    assert "Kode QR halaman antrean A-001" in page
    assert (
        "Printer bermasalah: tunjukkan nomor ini atau foto layar ini; "
        "petugas telah diberi tahu." in page
    )
    assert 'data-idle-seconds="30"' in page
    assert "data-auto-print" not in page
    assert Ticket.objects.get(booking=booking).number == "A-001"
    assert AuditEvent.objects.filter(action="kiosk.print_failed").count() == 1


def test_the_ticket_is_printed_after_it_is_issued_never_during(
    kiosk_client: Client, kiosk: Kiosk, hall: Hall, network_printer: FakeNetworkPrinter
) -> None:
    """The issuing request touches no printer; the ticket screen, a later
    request, prints once; a reload prints nothing; "print again" prints again."""
    kiosk.printer_kind = PrinterKind.NETWORK
    kiosk.printer_host = "127.0.0.1"
    kiosk.printer_port = network_printer.port
    kiosk.save()
    booking = hall.booking(at("09:00"))

    issued = kiosk_client.post("/kiosk/mpp/check-in/", {"code": booking.code})
    assert issued.status_code == 302
    assert network_printer.wait_for_jobs(1, timeout=0.3) == []

    page = kiosk_client.get(issued["Location"]).content.decode()
    assert len(network_printer.wait_for_jobs(1)) == 1
    assert "Tiket Anda sedang dicetak" in page
    assert "data-auto-print" not in page

    kiosk_client.get(issued["Location"])
    kiosk_client.post(issued["Location"] + "cetak/")
    kiosk_client.get(issued["Location"])
    jobs = network_printer.wait_for_jobs(2)
    assert len(jobs) == 2
    assert all(b"A-001" in job for job in jobs)


def test_a_kiosk_without_printer_says_so(kiosk_client: Client, kiosk: Kiosk, hall: Hall) -> None:
    kiosk.printer_kind = PrinterKind.NONE
    kiosk.save()

    url = kiosk_client.post(f"/kiosk/mpp/tanpa-janji/{hall.service_a.slug}/")["Location"]
    page = kiosk_client.get(url).content.decode()

    assert "Kiosk ini tidak mencetak tiket: foto layar ini atau catat nomor Anda." in page
    assert "Cetak ulang" not in page
    assert "data-auto-print" not in page


def test_the_escpos_ticket_names_the_priority_group(hall: Hall) -> None:
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None, priority="pregnant")

    assert b"Prioritas: Ibu hamil" in rendered(ticket)


def test_a_reprinted_transferred_ticket_names_the_new_number(hall: Hall) -> None:
    hall.service_b.name = "SKCK"
    hall.service_b.save()
    old = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    transfer(ticket=old, service=hall.service_b, actor=None)
    old.refresh_from_db()

    output = rendered(old)

    assert b"Dialihkan ke SKCK dengan nomor baru B-001." in output
    assert b"Silakan masuk." not in output
    assert b"Silakan menunggu di luar" not in output

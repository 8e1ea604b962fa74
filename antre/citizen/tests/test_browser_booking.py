"""A citizen on a 360x740 phone, in Indonesian, from the home page to a
booking confirmation with its QR code: register, read the verification
e-mail, verify, log in, choose a site and service, a day, a slot, book.
Every page is checked with axe-core (WCAG 2.1 AA) and photographed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from antre.booking.models import Booking
from antre.booking.schedule import materialise_slots
from antre.catalog.services import import_national_holidays
from antre.testing import browser as browser_module
from antre.testing import factories as f
from antre.testing.smtp import SMTPTestServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Screenshot = Callable[..., Path]
AxeCheck = Callable[..., None]

PASSWORD = "Pagi-Cerah-2026"


@pytest.fixture
def bekasi(db: None) -> None:
    """A Bekasi-like MPP with SIM renewal at two sites, the 2026 national
    holidays (Tahun Baru Islam closes 16 June) and a month of slots."""
    import_national_holidays(years=[2026])
    polres = f.AgencyFactory(
        slug="polres-metro-bekasi-kota",
        name="Kepolisian Resor Metro Bekasi Kota",
        short_name="Polres",
    )
    sim = f.ServiceFactory(
        agency=polres,
        slug="perpanjangan-sim",
        name="Perpanjangan SIM A dan C",
        ticket_prefix="S",
        duration_minutes=20,
        requirements=[
            "KTP-el asli dan fotokopi",
            "SIM lama asli",
            "Surat keterangan sehat jasmani dan rohani",
        ],
    )
    mall = f.SiteFactory(
        slug="mpp-btc",
        name="Mal Pelayanan Publik Bekasi Trade Center",
        address="Bekasi Trade Center (BTC) Lt. 2, Jl. Ir. H. Juanda No. 151, Bekasi Timur",
    )
    cibubur = f.SiteFactory(slug="plasa-cibubur", name="Gerai Plasa Cibubur")
    for site in (mall, cibubur):
        site_service = f.SiteServiceFactory(site=site, service=sim)
        f.ScheduleRuleFactory(
            site_service=site_service,
            starts_at=dt.time(9, 0),
            ends_at=dt.time(12, 0),
            slot_minutes=30,
            capacity=4,
        )
        materialise_slots(site_service=site_service)


def verification_path(smtp_server: SMTPTestServer) -> str:
    [message] = smtp_server.wait_for(1, timeout=10)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    match = re.search(r"https?://\S+/akun/verifikasi/\?token=[\w.:-]+", text)
    assert match, text
    link = urlsplit(match.group(0))
    return f"{link.path}?{link.query}"


def check_page(page: Page, axe_check: AxeCheck, screenshot: Screenshot, name: str) -> None:
    assert browser_module.horizontal_overflow(page) == 0, f"{name} scrolls sideways"
    axe_check(page)
    screenshot(page, name)


def test_a_citizen_books_a_slot_on_a_phone(
    phone_page: Page,
    bekasi: None,
    smtp_server: SMTPTestServer,
    axe_check: AxeCheck,
    screenshot: Screenshot,
) -> None:
    page = phone_page
    page.goto("/")
    page.locator(".account-nav").get_by_role("button", name="Daftar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar akun")
    page.get_by_label("Nama lengkap").fill("Siti Rahmawati")
    page.get_by_label("NIK (Nomor Induk Kependudukan)").fill("3275014101900003")
    page.get_by_label("E-mail").fill("siti@contoh.id")
    page.get_by_label("Nomor HP (boleh dikosongkan)").fill("0812 3456 7890")
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill("salah-ketik")
    page.get_by_role("button", name="Daftar").last.click()

    # A typo in the confirmation: the error summary gets focus, nothing is registered.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Kedua kata sandi tidak sama.")
    expect(page.locator(".error-summary")).to_be_focused()
    check_page(page, axe_check, screenshot, "booking-01-register-error")
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Daftar").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa e-mail Anda")
    expect(page.get_by_text("siti@contoh.id")).to_be_visible()
    check_page(page, axe_check, screenshot, "booking-02-check-email")

    page.goto(verification_path(smtp_server))
    check_page(page, axe_check, screenshot, "booking-03-verify")
    page.get_by_role("button", name="Verifikasi e-mail saya").click()

    expect(page.get_by_text("alamat e-mail Anda sudah terverifikasi")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    page.get_by_label("E-mail").fill("siti@contoh.id")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    check_page(page, axe_check, screenshot, "booking-04-login")
    page.get_by_role("button", name="Masuk").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pemesanan saya")
    expect(page.get_by_role("link", name="Siti Rahmawati")).to_be_visible()
    check_page(page, axe_check, screenshot, "booking-05-my-bookings-empty")
    page.get_by_role("button", name="Cari layanan").click()

    site = page.locator("details.site", has_text="Bekasi Trade Center")
    site.locator("summary").click()
    site.get_by_role(
        "button", name="Pesan Perpanjangan SIM A dan C di Mal Pelayanan Publik Bekasi Trade Center"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Perpanjangan SIM A dan C")
    expect(page.get_by_text("Surat keterangan sehat jasmani dan rohani")).to_be_visible()
    calendar = page.get_by_role("table", name="Juni 2026")
    expect(calendar).to_be_visible()
    expect(calendar.get_by_text("Tutup").first).to_be_visible()
    expect(page.get_by_text("Tutup Selasa 16 Juni: Tahun Baru Islam")).to_be_visible()
    check_page(page, axe_check, screenshot, "booking-06-service")

    # 6 slots of 4 seats on Wednesday 3 June; htmx loads them in place.
    page.get_by_role("link", name="Rabu 3 Juni: 24 kursi tersisa").click()

    day_title = page.get_by_role("heading", name="Rabu, 3 Juni 2026")
    expect(day_title).to_be_focused()
    expect(page).to_have_url(re.compile(r"\?tanggal=2026-06-03$"))
    expect(page.get_by_role("link", name="Rabu 3 Juni: 24 kursi tersisa")).to_have_attribute(
        "aria-current", "true"
    )
    check_page(page, axe_check, screenshot, "booking-07-day")
    page.get_by_role("link", name=re.compile(r"^10\.00–10\.30 WIB")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Konfirmasi pemesanan")
    expect(page.get_by_text("Rabu, 3 Juni 2026")).to_be_visible()
    check_page(page, axe_check, screenshot, "booking-08-confirm")
    page.get_by_role("button", name="Pesan slot ini").click()

    booking = Booking.objects.get()
    expect(page).to_have_url(re.compile(rf"/pemesanan/{booking.code}/$"))
    expect(page.get_by_text("Pemesanan Anda berhasil.")).to_be_visible()
    expect(page.locator(".ticket__code")).to_have_text(booking.display_code)
    qr = page.get_by_role("img", name=f"Kode QR pemesanan {booking.display_code}")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 180  # big enough for the kiosk's scanner
    expect(page.locator(".ticket__when")).to_have_text(
        re.compile(r"Rabu, 3 Juni 2026\s*10\.00–10\.30 WIB")
    )
    expect(page.get_by_role("button", name="Cetak")).to_be_visible()
    check_page(page, axe_check, screenshot, "booking-09-confirmation")

    page.emulate_media(media="print")
    screenshot(page, "booking-10-print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="Batalkan")).to_be_hidden()
    page.emulate_media(media="screen")


def log_in(page: Page, email: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill("rahasia-Kuat-123")
    page.get_by_role("button", name="Masuk").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pemesanan saya")


def test_a_full_day_points_elsewhere_and_the_booking_moves_then_is_cancelled(
    phone_page: Page, bekasi: None, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    from antre.booking.models import BookingStatus, Slot

    page = phone_page
    citizen = f.CitizenFactory(
        email="dewi@contoh.id", username="dewi@contoh.id", full_name="Dewi Lestari"
    )
    mall_slots = Slot.objects.filter(site_service__site__slug="mpp-btc").order_by("start")
    first = mall_slots.filter(start__date=dt.date(2026, 6, 3)).first()
    booking = f.BookingFactory(citizen=citizen, slot=first)
    Slot.objects.filter(pk=first.pk).update(booked=1)
    # Thursday 4 June is fully booked at the mall.
    from django.db.models import F

    mall_slots.filter(start__date=dt.date(2026, 6, 4)).update(booked=F("capacity"))

    log_in(page, "dewi@contoh.id")
    page.get_by_role("link", name=re.compile("Perpanjangan SIM A dan C")).click()
    expect(page.locator(".ticket__code")).to_have_text(booking.display_code)
    page.get_by_role("button", name="Ubah jadwal").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ubah jadwal")
    check_page(page, axe_check, screenshot, "reschedule-01-calendar")
    page.get_by_role("link", name="Kamis 4 Juni: penuh").click()

    expect(page.get_by_role("heading", name="Kamis, 4 Juni 2026")).to_be_focused()
    elsewhere = page.locator(".elsewhere")
    expect(elsewhere).to_contain_text(
        "Tanggal ini sudah penuh di Mal Pelayanan Publik Bekasi Trade Center."
    )
    expect(elsewhere).to_contain_text("Gerai Plasa Cibubur")
    check_page(page, axe_check, screenshot, "reschedule-02-full-day")
    elsewhere.get_by_role("link").click()

    expect(page.get_by_label("Gerai")).to_have_value("plasa-cibubur")
    # The soonest seat there is today, too late to change again; take Friday.
    page.get_by_role("link", name="Jumat 5 Juni: 24 kursi tersisa").click()
    expect(page.get_by_role("heading", name="Jumat, 5 Juni 2026")).to_be_focused()
    page.locator(".slots a.slot").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pindahkan jadwal")
    check_page(page, axe_check, screenshot, "reschedule-03-move")
    page.get_by_role("button", name="Pindahkan ke jadwal ini").click()

    expect(page.get_by_text("Jadwal Anda sudah dipindah.")).to_be_visible()
    expect(page.locator(".ticket")).to_contain_text("Gerai Plasa Cibubur")
    booking.refresh_from_db()
    assert booking.site.slug == "plasa-cibubur"
    page.get_by_role("button", name="Batalkan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Batalkan pemesanan")
    check_page(page, axe_check, screenshot, "cancel-01-confirm")
    page.get_by_role("button", name="Ya, batalkan pemesanan").click()

    expect(page.get_by_text("Pemesanan Anda sudah dibatalkan.")).to_be_visible()
    expect(page.locator(".ticket")).to_contain_text("Dibatalkan")
    expect(page.locator(".booking-qr")).to_have_count(0)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    check_page(page, axe_check, screenshot, "cancel-02-cancelled")
    page.get_by_role("link", name="Pemesanan saya").first.click()
    expect(page.get_by_role("heading", name="Riwayat")).to_be_visible()
    check_page(page, axe_check, screenshot, "bookings-list-phone")


def test_the_service_page_in_english_and_dark_mode(
    phone_page: Page, bekasi: None, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    page = phone_page
    page.emulate_media(color_scheme="dark")
    page.goto("/gerai/mpp-btc/layanan/perpanjangan-sim/?tanggal=2026-06-03")
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Wednesday, 3 June 2026")).to_be_visible()
    expect(page.get_by_role("table", name="June 2026")).to_be_visible()
    check_page(page, axe_check, screenshot, "service-phone-en-dark")


def test_the_calendar_works_without_javascript(
    browser, live_server, bekasi: None, screenshot: Screenshot
) -> None:
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        locale="id-ID",
        viewport={"width": 360, "height": 740},
    )
    page = context.new_page()
    try:
        page.goto("/gerai/mpp-btc/layanan/perpanjangan-sim/")
        page.get_by_role("link", name="Rabu 3 Juni: 24 kursi tersisa").click()

        expect(page).to_have_url(re.compile(r"\?tanggal=2026-06-03#hari$"))
        expect(page.get_by_role("heading", name="Rabu, 3 Juni 2026")).to_be_visible()
        page.get_by_role("link", name=re.compile(r"Juli 2026")).click()
        expect(page.get_by_role("table", name="Juli 2026")).to_be_visible()
    finally:
        context.close()


def test_a_refused_booking_is_explained_where_the_page_lands(
    phone_page: Page, bekasi: None, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    from antre.booking.models import Slot

    page = phone_page
    citizen = f.CitizenFactory(email="rina@contoh.id", username="rina@contoh.id")
    slots = Slot.objects.filter(site_service__site__slug="mpp-btc").order_by("start")
    other = slots.filter(start__date="2026-06-05")[0]
    log_in(page, "rina@contoh.id")

    page.goto(f"/gerai/mpp-btc/layanan/perpanjangan-sim/slot/{other.pk}/")
    # Booked in another tab after this page was shown (with a booking, the
    # page offers no button at all).
    booking = f.BookingFactory(citizen=citizen, slot=slots.filter(start__date="2026-06-03")[0])
    page.get_by_role("button", name="Pesan slot ini").click()

    # The page lands on the day's slot list, far below the top: the refusal is there.
    expect(page).to_have_url(re.compile(r"\?tanggal=2026-06-05#hari$"))
    refusal = page.locator("#hari").get_by_role("alert")
    expect(refusal).to_contain_text("Anda sudah memiliki pemesanan aktif untuk layanan ini.")
    expect(refusal).to_be_in_viewport()
    expect(page.locator(".day-slots__messages")).to_be_focused()
    link = page.get_by_role("link", name=f"Lihat pemesanan Anda ({booking.display_code})")
    expect(link).to_be_in_viewport()
    check_page(page, axe_check, screenshot, "booking-refused-at-the-slots")


def test_the_waiting_list_on_a_phone(
    phone_page: Page, bekasi: None, axe_check: AxeCheck, screenshot: Screenshot
) -> None:
    from django.db.models import F

    from antre.booking.models import Slot
    from antre.waitlist.models import WaitlistEntry, WaitlistStatus

    page = phone_page
    # Everything is full: joining puts the citizen on the list, nothing is offered yet.
    Slot.objects.update(booked=F("capacity"))
    f.CitizenFactory(email="agus@contoh.id", username="agus@contoh.id", full_name="Agus Salim")
    log_in(page, "agus@contoh.id")
    page.goto("/gerai/mpp-btc/layanan/perpanjangan-sim/daftar-tunggu/")
    page.get_by_label("Tenggat Anda").fill("2026-06-12")
    page.get_by_label("Mal Pelayanan Publik Bekasi Trade Center").uncheck()
    page.get_by_label("Langsung pesankan untuk saya (dapat dibatalkan)").check()
    page.get_by_role("button", name="Masuk daftar tunggu").click()

    # Nothing typed is lost; the error is beside the sites, the summary has focus.
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_role("group", name="Gerai yang Anda terima")).to_have_accessible_description(
        "Pilih sedikitnya satu gerai."
    )
    expect(page.get_by_label("Tenggat Anda")).to_have_value("2026-06-12")
    expect(page.get_by_label("Langsung pesankan untuk saya (dapat dibatalkan)")).to_be_checked()
    check_page(page, axe_check, screenshot, "waitlist-01-join-error")
    page.get_by_label("Gerai Plasa Cibubur").check()
    page.get_by_role("button", name="Masuk daftar tunggu").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar tunggu saya")
    expect(
        page.locator(".account-nav").get_by_role("link", name="Daftar tunggu saya")
    ).to_have_attribute("aria-current", "page")
    check_page(page, axe_check, screenshot, "waitlist-02-list")
    page.locator(".account-nav").get_by_role("link", name="Pemesanan saya").click()
    expect(page.get_by_role("heading", name="Daftar tunggu")).to_be_visible()
    check_page(page, axe_check, screenshot, "waitlist-03-my-bookings")
    page.get_by_role("link", name="Lihat daftar tunggu saya").click()
    page.get_by_role("button", name="Mundur dari daftar tunggu").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mundur dari daftar tunggu")
    check_page(page, axe_check, screenshot, "waitlist-04-withdraw-confirm")
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WAITING
    page.get_by_role("button", name="Ya, mundur dari daftar tunggu").click()

    expect(page.get_by_role("status")).to_have_text(
        "Anda sudah mundur dari daftar tunggu Perpanjangan SIM A dan C."
    )
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WITHDRAWN

"""The kiosk's pages through Django's test client: who may use them, check-in
and each refusal in Indonesian, walk-ins with priority and their quota."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from antre.accounts.models import Role
from antre.booking.models import BookingStatus
from antre.catalog.models import Closure
from antre.core.codes import format_code
from antre.kiosk.tests.conftest import at
from antre.onsite.models import Kiosk, Priority, ServiceDay, Ticket, TicketKind
from antre.onsite.services import (
    call_next,
    check_in,
    finish_service,
    issue_walk_in,
    mark_no_show,
    recall,
    start_service,
    transfer,
)
from antre.onsite.tests.conftest import Hall
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

HOME = "/kiosk/mpp/"
CHECK_IN = "/kiosk/mpp/check-in/"


def text(response) -> str:
    return response.content.decode()


# Who may use the kiosk


def test_a_device_not_logged_in_is_sent_to_the_staff_login(client: Client, hall: Hall) -> None:
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == "/petugas/masuk/?next=/kiosk/mpp/"


def test_a_post_without_login_comes_back_to_the_kiosk_home_after_login(
    client: Client, hall: Hall
) -> None:
    response = client.post(CHECK_IN, {"code": "X"})

    assert response.status_code == 302
    assert response["Location"] == "/petugas/masuk/?next=/kiosk/mpp/"


def test_an_officer_may_not_run_the_kiosk(client: Client, hall: Hall) -> None:
    officer = f.StaffFactory(role=Role.OFFICER, role__site=hall.site)
    client.force_login(officer)

    response = client.get(HOME)

    assert response.status_code == 403
    assert "Akun ini bukan kiosk gerai ini" in text(response)
    assert "peran perangkat kiosk" in text(response)


def test_the_kiosk_of_another_site_is_refused(client: Client, hall: Hall) -> None:
    other = f.SiteFactory(slug="gerai-lain")
    client.force_login(f.StaffFactory(role=Role.KIOSK, role__site=other))

    assert client.get(HOME).status_code == 403


def test_a_site_admin_may_stand_in_at_the_kiosk(client: Client, hall: Hall) -> None:
    client.force_login(f.StaffFactory(role=Role.SITE_ADMIN, role__site=hall.site))

    response = client.get(HOME)

    assert response.status_code == 200
    assert "Sudah memesan?" in text(response)


def test_an_unknown_site_is_not_found(kiosk_client: Client) -> None:
    assert kiosk_client.get("/kiosk/tidak-ada/").status_code == 404


# The home screen


def test_home_offers_the_code_field_the_keypad_and_the_walk_in_services(
    kiosk_client: Client, hall: Hall
) -> None:
    hall.service_a.name = "Perekaman KTP-el"
    hall.service_a.save()

    response = kiosk_client.get(HOME)

    page = text(response)
    assert response.status_code == 200
    assert "Pindai kode pemesanan / ketik kode" in page
    assert 'inputmode="none"' in page
    assert "autofocus" in page
    assert "Pindai dengan kamera" in page
    # Crockford's alphabet: no I, L, O, U keys.
    assert 'data-key="Z"' in page
    assert 'data-key="I"' not in page
    assert 'data-key="U"' not in page
    assert "Tanpa janji" in page
    assert "Perekaman KTP-el" in page
    assert "sisa 5" in page


def test_home_groups_walk_ins_by_agency_with_a_jump_button_for_each(
    kiosk_client: Client, hall: Hall
) -> None:
    hall.service_a.agency.name = "Dinas Kependudukan dan Pencatatan Sipil"
    hall.service_a.agency.short_name = "Dukcapil"
    hall.service_a.agency.save()
    hall.service_b.agency.name = "Kepolisian Resor"
    hall.service_b.agency.short_name = "Polres"
    hall.service_b.agency.save()
    second = f.ServiceFactory(name="Legalisir KK", agency=hall.service_a.agency, ticket_prefix="K")
    f.SiteServiceFactory(site=hall.site, service=second)

    page = text(kiosk_client.get(HOME))

    dukcapil = f"instansi-{hall.service_a.agency.slug}"
    polres = f"instansi-{hall.service_b.agency.slug}"
    # The jump buttons (short names) lead to the groups (full names as headings).
    assert re.search(rf'href="#{dukcapil}"[^>]*>Dukcapil</a>', page)
    assert re.search(rf'href="#{polres}"[^>]*>Polres</a>', page)
    assert re.search(rf'<section id="{dukcapil}".*?<h3[^>]*>Dinas Kependudukan', page, re.S)
    assert re.search(rf'<section id="{polres}".*?<h3[^>]*>Kepolisian Resor', page, re.S)
    # Agencies in name order, each agency's services together under its heading.
    assert page.index(dukcapil + '"') < page.index(polres + '"')
    dukcapil_group = page[
        page.index(f'<section id="{dukcapil}"') : page.index(f'<section id="{polres}"')
    ]
    assert hall.service_a.name in dukcapil_group
    assert "Legalisir KK" in dukcapil_group
    assert hall.service_b.name not in dukcapil_group


def test_one_agency_needs_no_jump_buttons(kiosk_client: Client, hall: Hall) -> None:
    hall.service_b.walk_in_allowed = False
    hall.service_b.save()

    page = text(kiosk_client.get(HOME))

    assert f'<section id="instansi-{hall.service_a.agency.slug}"' in page
    assert "kiosk-agencies" not in page
    assert "Semua instansi" not in page


def test_home_lists_only_services_that_take_walk_ins_now(kiosk_client: Client, hall: Hall) -> None:
    hall.service_a.name = "Perekaman KTP-el"
    hall.service_a.save()
    hall.service_b.name = "SKCK"
    hall.service_b.walk_in_allowed = False
    hall.service_b.save()
    closed = f.ServiceFactory(name="Samsat", ticket_prefix="C")
    f.SiteServiceFactory(site=hall.site, service=closed)
    f.ClosureFactory(site=hall.site, service=closed, start_date=dt.date(2026, 6, 2))
    inactive = f.ServiceFactory(name="Paspor", ticket_prefix="D")
    f.SiteServiceFactory(site=hall.site, service=inactive, is_active=False)
    elsewhere = f.ServiceFactory(name="Perizinan", ticket_prefix="E")
    f.SiteServiceFactory(service=elsewhere)

    page = text(kiosk_client.get(HOME))

    assert "Perekaman KTP-el" in page
    for hidden in ("SKCK", "Samsat", "Paspor", "Perizinan"):
        assert hidden not in page


def test_home_lists_nothing_when_the_site_is_closed_now(
    kiosk_client: Client, hall: Hall, frozen_clock
) -> None:
    frozen_clock.move_to("2026-06-02T16:00:00+07:00")

    page = text(kiosk_client.get(HOME))

    assert "Saat ini tidak ada layanan yang menerima pengunjung tanpa janji." in page
    assert "sisa" not in page


def test_home_counts_down_the_quota_and_shows_a_full_service(
    kiosk_client: Client, hall: Hall
) -> None:
    hall.site_service_b.walk_in_daily_quota = 1
    hall.site_service_b.save()
    issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    issue_walk_in(site=hall.site, service=hall.service_b, actor=None)

    page = text(kiosk_client.get(HOME))

    assert "sisa 4" in page
    assert "kuota hari ini habis" in page
    assert f"/kiosk/mpp/tanpa-janji/{hall.service_b.slug}/" not in page


# Check-in


def test_check_in_issues_the_ticket_and_shows_it(kiosk_client: Client, hall: Hall) -> None:
    booking = hall.booking(at("09:00"))

    response = kiosk_client.post(CHECK_IN, {"code": booking.code})

    ticket = Ticket.objects.get(booking=booking)
    assert response.status_code == 302
    assert response["Location"] == f"/kiosk/mpp/tiket/{ticket.public_id}/"
    page = text(kiosk_client.get(response["Location"]))
    assert "A-001" in page
    assert hall.service_a.name in page
    assert "Selasa, 2 Juni 2026, 09.05 WIB" in page
    assert "Silakan masuk." in page
    assert f"/antrean/{ticket.public_id}/" not in page  # only inside the QR
    assert "<svg" in page
    assert "Kode QR halaman antrean A-001" in page
    # A browser printer prints the ticket once, on arrival.
    assert "data-auto-print" in page
    assert "Tiket Anda sedang dicetak" in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


def test_the_ticket_screen_prints_once_not_on_reload(kiosk_client: Client, hall: Hall) -> None:
    booking = hall.booking(at("09:00"))
    url = kiosk_client.post(CHECK_IN, {"code": booking.code})["Location"]

    assert "data-auto-print" in text(kiosk_client.get(url))
    again = text(kiosk_client.get(url))

    assert "data-auto-print" not in again
    assert "A-001" in again


def test_check_in_accepts_the_code_typed_in_lower_case_with_a_dash(
    kiosk_client: Client, hall: Hall
) -> None:
    booking = hall.booking(at("09:00"))

    response = kiosk_client.post(CHECK_IN, {"code": format_code(booking.code).lower()})

    assert response.status_code == 302
    assert Ticket.objects.filter(booking=booking).exists()


def test_check_in_accepts_a_scanned_link_to_the_booking_page(
    kiosk_client: Client, hall: Hall
) -> None:
    booking = hall.booking(at("09:00"))

    response = kiosk_client.post(
        CHECK_IN, {"code": f"https://antre.example/pemesanan/{booking.code}/"}
    )

    assert response.status_code == 302
    assert Ticket.objects.filter(booking=booking).exists()


def test_check_in_accepts_a_scanned_link_in_capitals(kiosk_client: Client, hall: Hall) -> None:
    """A link's QR in its compact alphanumeric mode is all capitals; docs/kiosk.md
    promises links work."""
    booking = hall.booking(at("09:00"))

    response = kiosk_client.post(
        CHECK_IN, {"code": f"HTTP://ANTRE.EXAMPLE/PEMESANAN/{booking.code.upper()}/"}
    )

    assert response.status_code == 302
    assert Ticket.objects.filter(booking=booking).exists()


def test_the_ticket_says_wait_outside_when_the_room_is_full(
    kiosk_client: Client, hall: Hall
) -> None:
    for _ in range(3):  # the room's three places
        issue_walk_in(site=hall.site, service=hall.service_b, actor=None)
    first = hall.booking(at("09:00"))
    check_in(site=hall.site, code=first.code, actor=None)
    booking = hall.booking(at("09:00"))

    url = kiosk_client.post(CHECK_IN, {"code": booking.code})["Location"]
    page = text(kiosk_client.get(url))

    assert "A-002" in page
    assert "Silakan menunggu di luar; nomor Anda akan dipanggil masuk." in page
    # One person ahead, no counter open yet (one assumed), 15 minutes each.
    assert "Urutan ke-2 dalam antrean. Perkiraan dipanggil pukul 09.20 WIB." in page


def test_an_empty_code_asks_for_one(kiosk_client: Client, hall: Hall) -> None:
    page = text(kiosk_client.post(CHECK_IN, {"code": "  "}))

    assert "Kode belum diisi" in page
    assert "Pindai atau ketik kode pemesanan Anda lebih dulu." in page


def test_an_unknown_code_says_what_to_check(kiosk_client: Client, hall: Hall) -> None:
    response = kiosk_client.post(CHECK_IN, {"code": "ZZZZ-ZZZZZ"})

    page = text(response)
    assert response.status_code == 200
    assert 'data-problem="unknown_code"' in page
    assert "Kode tidak dikenal" in page
    assert "Kode pemesanan ini tidak kami kenal." in page
    assert "Periksa kode pemesanan di e-mail Anda" in page
    assert not Ticket.objects.exists()


def test_too_early_says_from_what_time_check_in_opens(kiosk_client: Client, hall: Hall) -> None:
    booking = hall.booking(at("11:00"))

    page = text(kiosk_client.post(CHECK_IN, {"code": booking.code}))

    assert 'data-problem="too_early"' in page
    assert "Terlalu awal" in page
    assert "Check-in belum dibuka untuk pemesanan ini." in page
    assert "Janji Anda pukul 11.00 WIB. Check-in dibuka mulai pukul 10.30 WIB" in page


def test_too_early_for_another_day_names_the_day(kiosk_client: Client, hall: Hall) -> None:
    booking = hall.booking(at("10:00", day="2026-06-04"))

    page = text(kiosk_client.post(CHECK_IN, {"code": booking.code}))

    assert "Janji Anda Kamis, 4 Juni 2026 pukul 10.00 WIB." in page
    assert "Check-in dibuka mulai pukul 09.30 WIB" in page


def test_too_late_offers_a_walk_in_ticket_for_the_same_service(
    kiosk_client: Client, hall: Hall
) -> None:
    booking = hall.booking(at("08:00"), service=hall.service_b)

    page = text(kiosk_client.post(CHECK_IN, {"code": booking.code}))

    assert 'data-problem="too_late"' in page
    assert "Waktu check-in untuk pemesanan ini sudah lewat." in page
    assert "Janji Anda pukul 08.00 WIB; check-in ditutup pukul 08.15 WIB." in page
    assert "Anda masih dapat mengambil nomor antrean tanpa janji untuk layanan ini." in page
    assert f'action="/kiosk/mpp/tanpa-janji/{hall.service_b.slug}/"' in page
    assert f"Ambil nomor tanpa janji: {hall.service_b.name} (sisa 5)" in page

    response = kiosk_client.post(f"/kiosk/mpp/tanpa-janji/{hall.service_b.slug}/", {"priority": ""})

    ticket = Ticket.objects.get()
    assert response["Location"] == f"/kiosk/mpp/tiket/{ticket.public_id}/"
    assert (ticket.kind, ticket.service, ticket.number) == (
        TicketKind.WALK_IN,
        hall.service_b,
        "B-001",
    )


def test_too_late_without_walk_in_quota_offers_no_ticket(kiosk_client: Client, hall: Hall) -> None:
    hall.site_service_a.walk_in_daily_quota = 0
    hall.site_service_a.save()
    booking = hall.booking(at("08:00"))

    page = text(kiosk_client.post(CHECK_IN, {"code": booking.code}))

    assert 'data-problem="too_late"' in page
    assert "Ambil nomor tanpa janji" not in page
    assert "Pesan jadwal baru di antre.bekasikota.go.id atau tanyakan petugas." in page


def test_a_cancelled_booking_is_refused(kiosk_client: Client, hall: Hall) -> None:
    booking = hall.booking(at("09:00"))
    booking.status = BookingStatus.CANCELLED
    booking.save()

    page = text(kiosk_client.post(CHECK_IN, {"code": booking.code}))

    assert 'data-problem="cancelled"' in page
    assert "Pemesanan ini sudah dibatalkan." in page
    assert "Pesan jadwal baru di antre.bekasikota.go.id" in page
    assert not Ticket.objects.exists()


def test_a_booking_for_another_site_names_that_site(kiosk_client: Client, hall: Hall) -> None:
    other = f.SiteFactory(
        slug="plasa-cibubur", name="Gerai Plasa Cibubur", address="Jl. Alternatif Cibubur"
    )
    slot = f.SlotFactory(
        site_service=f.SiteServiceFactory(site=other, service=hall.service_a),
        start=dt.datetime.fromisoformat(at("09:00")),
    )
    booking = f.BookingFactory(slot=slot)

    page = text(kiosk_client.post(CHECK_IN, {"code": booking.code}))

    assert 'data-problem="wrong_site"' in page
    assert "Pemesanan ini untuk gerai lain." in page
    assert (
        "Pemesanan ini untuk Gerai Plasa Cibubur, Jl. Alternatif Cibubur, pukul 09.00 WIB." in page
    )


def test_a_second_scan_shows_the_number_already_issued(kiosk_client: Client, hall: Hall) -> None:
    booking = hall.booking(at("09:00"))
    ticket = check_in(site=hall.site, code=booking.code, actor=None)

    page = text(kiosk_client.post(CHECK_IN, {"code": booking.code}))

    assert 'data-problem="already_checked_in"' in page
    assert "Sudah check-in" in page
    assert "Nomor antrean Anda A-001." in page
    assert f'action="/kiosk/mpp/tiket/{ticket.public_id}/cetak/"' in page
    assert Ticket.objects.count() == 1


def test_printing_again_goes_back_to_the_ticket_and_prints_it(
    kiosk_client: Client, hall: Hall
) -> None:
    booking = hall.booking(at("09:00"))
    ticket = check_in(site=hall.site, code=booking.code, actor=None)

    response = kiosk_client.post(f"/kiosk/mpp/tiket/{ticket.public_id}/cetak/")

    assert response["Location"] == f"/kiosk/mpp/tiket/{ticket.public_id}/"
    assert "data-auto-print" in text(kiosk_client.get(response["Location"]))


# Walk-ins


def test_the_walk_in_page_asks_who_is_to_be_served(kiosk_client: Client, hall: Hall) -> None:
    page = text(kiosk_client.get(f"/kiosk/mpp/tanpa-janji/{hall.service_a.slug}/"))

    assert "Siapa yang akan dilayani?" in page
    assert hall.service_a.name in page
    assert "sisa 5" in page
    for value, label in (
        ("", "Umum"),
        ("elderly", "Lansia"),
        ("disabled", "Penyandang disabilitas"),
        ("pregnant", "Ibu hamil"),
    ):
        assert f'name="priority" value="{value}"' in page
        assert label in page


def test_a_walk_in_ticket_carries_the_chosen_priority(
    kiosk_client: Client, hall: Hall, kiosk: Kiosk
) -> None:
    response = kiosk_client.post(
        f"/kiosk/mpp/tanpa-janji/{hall.service_a.slug}/", {"priority": "elderly"}
    )

    ticket = Ticket.objects.get()
    assert response["Location"] == f"/kiosk/mpp/tiket/{ticket.public_id}/"
    assert ticket.priority == Priority.ELDERLY
    assert ticket.kind == TicketKind.WALK_IN
    assert ticket.site == hall.site
    page = text(kiosk_client.get(response["Location"]))
    assert "A-001" in page
    events = ticket.events.values_list("actor", flat=True)
    assert set(events) == {kiosk.user.pk}


def test_an_unknown_priority_is_taken_as_general(kiosk_client: Client, hall: Hall) -> None:
    kiosk_client.post(f"/kiosk/mpp/tanpa-janji/{hall.service_a.slug}/", {"priority": "vip"})

    assert Ticket.objects.get().priority == Priority.NONE


def test_the_last_walk_in_of_the_day_then_the_quota_message(
    kiosk_client: Client, hall: Hall
) -> None:
    hall.site_service_a.walk_in_daily_quota = 1
    hall.site_service_a.save()
    url = f"/kiosk/mpp/tanpa-janji/{hall.service_a.slug}/"
    assert kiosk_client.post(url, {"priority": ""}).status_code == 302

    refused = text(kiosk_client.post(url, {"priority": ""}))
    asked = text(kiosk_client.get(url))

    for page in (refused, asked):
        assert 'data-problem="walk_in_quota_exhausted"' in page
        assert "Kuota tanpa janji habis" in page
        assert "Kuota nomor antrean tanpa janji untuk layanan ini hari ini sudah habis." in page
        assert "Pesan jadwal untuk hari lain di antre.bekasikota.go.id" in page
    assert Ticket.objects.count() == 1
    assert ServiceDay.objects.get(service=hall.service_a).walk_ins_issued == 1


def test_a_service_without_walk_ins_is_refused(kiosk_client: Client, hall: Hall) -> None:
    hall.service_b.walk_in_allowed = False
    hall.service_b.save()
    url = f"/kiosk/mpp/tanpa-janji/{hall.service_b.slug}/"

    for page in (text(kiosk_client.get(url)), text(kiosk_client.post(url, {"priority": ""}))):
        assert 'data-problem="walk_in_not_allowed"' in page
        assert "Layanan ini hanya melayani pemohon yang sudah memesan." in page
    assert not Ticket.objects.exists()


def test_a_closed_service_is_refused(kiosk_client: Client, hall: Hall) -> None:
    Closure.objects.create(
        site=hall.site,
        service=hall.service_a,
        start_date=dt.date(2026, 6, 2),
        end_date=dt.date(2026, 6, 2),
        reason="Gangguan jaringan",
    )

    page = text(
        kiosk_client.post(f"/kiosk/mpp/tanpa-janji/{hall.service_a.slug}/", {"priority": ""})
    )

    assert 'data-problem="closed"' in page
    assert "Gerai atau layanan ini sedang tutup." in page
    assert not Ticket.objects.exists()


# Tickets belong to their site


def test_a_ticket_of_another_site_is_not_shown(kiosk_client: Client, hall: Hall) -> None:
    other = f.SiteFactory(slug="gerai-lain")
    f.SiteServiceFactory(site=other, service=hall.service_a)
    ticket = issue_walk_in(site=other, service=hall.service_a, actor=None)

    assert kiosk_client.get(f"/kiosk/mpp/tiket/{ticket.public_id}/").status_code == 404
    assert kiosk_client.get(f"/kiosk/mpp/tiket/{ticket.public_id}/cetak/").status_code == 404


def test_the_print_view_lays_the_ticket_out_for_the_kiosk_paper(
    kiosk_client: Client, hall: Hall, kiosk: Kiosk
) -> None:
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)

    page80 = text(kiosk_client.get(f"/kiosk/mpp/tiket/{ticket.public_id}/cetak/"))
    kiosk.paper_width = 58
    kiosk.save()
    page58 = text(kiosk_client.get(f"/kiosk/mpp/tiket/{ticket.public_id}/cetak/"))

    assert "paper-ticket--80" in page80
    assert "paper-ticket--58" in page58
    for page in (page80, page58):
        assert "A-001" in page
        assert "Simpan tiket ini" in page
        assert "kiosk/paper.css" in page
        assert "<svg" in page


def test_a_kiosk_browser_set_to_english_gets_english(kiosk_client: Client, hall: Hall) -> None:
    booking = hall.booking(at("11:00"))

    home_page = text(kiosk_client.get(HOME, HTTP_ACCEPT_LANGUAGE="en"))
    refusal = text(kiosk_client.post(CHECK_IN, {"code": booking.code}, HTTP_ACCEPT_LANGUAGE="en"))

    assert '<html lang="en"' in home_page
    assert "Booked already?" in home_page
    assert "5 left" in home_page
    assert "Too early" in refusal
    assert "Your appointment is at 11:00 WIB. Check-in opens at 10:30 WIB" in refusal


# The ticket as it stands (a ticket screen or a reprint long after the issue)


def ticket_pages(client: Client, ticket: Ticket) -> list[str]:
    """The ticket screen and the paper ticket, their markup then their words
    (tags left out, white space folded)."""
    pages = [
        text(client.get(f"/kiosk/mpp/tiket/{ticket.public_id}/")),
        text(client.get(f"/kiosk/mpp/tiket/{ticket.public_id}/cetak/")),
    ]
    return [page + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)) for page in pages]


WAIT_OUTSIDE = "Silakan menunggu di luar; nomor Anda akan dipanggil masuk."


def test_a_called_ticket_says_which_counter(kiosk_client: Client, hall: Hall) -> None:
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    call_next(counter=hall.counter_1, actor=None)

    for page in ticket_pages(kiosk_client, ticket):
        assert "Nomor Anda dipanggil: silakan menuju Loket 1." in page
        assert "Silakan masuk." not in page

    start_service(ticket=Ticket.objects.get(pk=ticket.pk), actor=None)
    for page in ticket_pages(kiosk_client, ticket):
        assert "Sedang dilayani di Loket 1." in page


def test_a_served_or_passed_over_ticket_says_so(kiosk_client: Client, hall: Hall) -> None:
    for _ in range(3):  # the room's three places: the next ones wait outside
        issue_walk_in(site=hall.site, service=hall.service_b, actor=None)
    done = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    missed = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    assert done.admitted_at is None
    assert missed.admitted_at is None
    finish_service(ticket=call_next(counter=hall.counter_1, actor=None), actor=None)
    called = call_next(counter=hall.counter_1, actor=None)
    assert called is not None
    assert called.pk == missed.pk
    recall(ticket=called, actor=None)
    mark_no_show(ticket=recall(ticket=called, actor=None), actor=None)

    for page in ticket_pages(kiosk_client, done):
        assert "Selesai dilayani. Terima kasih." in page
        assert WAIT_OUTSIDE not in page
    for page in ticket_pages(kiosk_client, missed):
        assert "Nomor ini dilewati karena tidak hadir saat dipanggil." in page
        assert WAIT_OUTSIDE not in page


def test_a_transferred_ticket_names_its_new_number(kiosk_client: Client, hall: Hall) -> None:
    hall.service_b.name = "SKCK"
    hall.service_b.save()
    for _ in range(3):
        issue_walk_in(site=hall.site, service=hall.service_b, actor=None)
    old = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)  # outside
    new = transfer(ticket=old, service=hall.service_b, actor=None)
    assert new.number == "B-004"

    screen, paper = ticket_pages(kiosk_client, old)

    for page in (screen, paper):
        assert "A-001" in page
        assert "Dialihkan ke SKCK dengan nomor baru B-004." in page
        assert WAIT_OUTSIDE not in page
    # The screen leads to the new ticket's screen (to see or print it).
    assert f'href="/kiosk/mpp/tiket/{new.public_id}/"' in screen
    assert "Lihat nomor baru B-004" in screen
    assert WAIT_OUTSIDE in text(kiosk_client.get(f"/kiosk/mpp/tiket/{new.public_id}/"))


def test_the_ticket_and_the_paper_show_the_priority_group(kiosk_client: Client, hall: Hall) -> None:
    response = kiosk_client.post(
        f"/kiosk/mpp/tanpa-janji/{hall.service_a.slug}/", {"priority": "elderly"}
    )
    ticket = Ticket.objects.get()
    general = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)

    assert response["Location"] == f"/kiosk/mpp/tiket/{ticket.public_id}/"
    for page in ticket_pages(kiosk_client, ticket):
        assert "Prioritas: Lansia" in page
    for page in ticket_pages(kiosk_client, general):
        assert "Prioritas:" not in page


# Not found: the kiosk's own page, never the citizen's


def assert_kiosk_not_found(response, *, home: bool = True) -> None:
    page = text(response)
    assert response.status_code == 404
    assert 'class="kiosk"' in page
    assert 'data-problem="not_found"' in page
    assert "Tidak ditemukan" in page
    # Nothing of the citizen layout: no "Pemesanan saya", no logout that
    # would sign the kiosk device out.
    assert "Pemesanan saya" not in page
    assert "Keluar" not in page
    assert "/keluar/" not in page
    if home:
        # The way back, by hand and by itself after a while (kiosk.js).
        assert 'href="/kiosk/mpp/"' in page
        assert "Kembali ke layar awal" in page
        assert 'data-home-url="/kiosk/mpp/"' in page
        assert "kiosk/kiosk.js" in page
    else:
        assert "data-home-url" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/kiosk/mpp/tanpa-janji/tidak-ada/",
        "/kiosk/mpp/tiket/tidak-ada/",
        "/kiosk/mpp/tiket/tidak-ada/cetak/",
        "/kiosk/mpp/apa-saja/di/sini/",
    ],
)
def test_a_page_the_kiosk_does_not_have_is_the_kiosks_own_404(
    kiosk_client: Client, hall: Hall, path: str
) -> None:
    assert_kiosk_not_found(kiosk_client.get(path))


def test_the_kiosk_404_of_an_unknown_site_has_no_home_to_go_to(kiosk_client: Client) -> None:
    assert_kiosk_not_found(kiosk_client.get("/kiosk/tidak-ada/"), home=False)


def test_an_unknown_kiosk_page_asks_for_the_login_first(client: Client, hall: Hall) -> None:
    response = client.get("/kiosk/mpp/apa-saja/")

    assert response.status_code == 302
    assert response["Location"] == "/petugas/masuk/?next=/kiosk/mpp/"


def test_a_ticket_address_without_its_slash_still_finds_the_ticket(
    kiosk_client: Client, hall: Hall
) -> None:
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)

    response = kiosk_client.get(f"/kiosk/mpp/tiket/{ticket.public_id}")

    assert response.status_code == 301
    assert response["Location"] == f"/kiosk/mpp/tiket/{ticket.public_id}/"

"""Booking a slot, the confirmation page, the calendar file, the list of the
citizen's bookings, cancelling and moving a booking. Refusals are shown in
Indonesian and change nothing; another citizen's booking is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from antre.booking.models import Booking, BookingStatus, Slot
from antre.catalog.models import SiteService
from antre.citizen.tests.conftest import make_slot
from antre.notifications.models import OutboxMessage
from antre.onsite.services import call_next, check_in, transfer
from antre.testing import factories as f
from antre.testing.personas import City
from antre.waitlist.models import WaitlistEntry, WaitlistStatus

pytestmark = pytest.mark.django_db


def book_url(slot: Slot) -> str:
    site_service = slot.site_service
    return f"/gerai/{site_service.site.slug}/layanan/{site_service.service.slug}/slot/{slot.pk}/"


@pytest.fixture
def citizen_client(client: Client, city: City) -> Client:
    client.force_login(city.citizen_a)
    return client


@pytest.fixture
def booking(city: City, slots: dict[str, Slot]) -> Booking:
    slot = slots["wed_0930"]
    slot.booked = 1
    slot.save()
    return f.BookingFactory(citizen=city.citizen_a, slot=slot)


def test_booking_needs_a_login_and_comes_back_after_it(
    client: Client, slots: dict[str, Slot]
) -> None:
    url = book_url(slots["wed_0900"])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/akun/masuk/?next={url}"


def test_the_confirm_page_shows_where_when_and_what_to_bring(
    citizen_client: Client, slots: dict[str, Slot]
) -> None:
    html = citizen_client.get(book_url(slots["wed_0900"])).content.decode()

    assert "Konfirmasi pemesanan" in html
    assert "Layanan A" in html
    assert "Instansi A" in html
    assert "Gerai S" in html
    assert "Jl. Jend. Ahmad Yani No. 1, Bekasi" in html
    assert "Rabu, 3 Juni 2026" in html
    assert "09.00–09.30 WIB" in html
    assert "KTP-el asli" in html
    assert "Masih ada 3 kursi pada slot ini." in html
    assert "Pesan slot ini" in html


def test_the_confirm_page_of_a_full_slot_offers_no_button(
    citizen_client: Client, slots: dict[str, Slot]
) -> None:
    html = citizen_client.get(book_url(slots["wed_1000_full"])).content.decode()

    assert "Semua kursi pada slot ini sudah dipesan." in html
    assert "Pesan slot ini" not in html


def test_a_slot_under_another_sites_url_is_404(
    citizen_client: Client, city: City, slots: dict[str, Slot]
) -> None:
    slot = slots["wed_0900"]

    assert (
        citizen_client.get(f"/gerai/gerai-t/layanan/layanan-a/slot/{slot.pk}/").status_code == 404
    )
    assert (
        citizen_client.post(f"/gerai/gerai-t/layanan/layanan-a/slot/{slot.pk}/").status_code == 404
    )
    assert not Booking.objects.exists()


def test_booking_a_slot_leads_to_its_confirmation(
    citizen_client: Client, city: City, slots: dict[str, Slot]
) -> None:
    slot = slots["wed_0900"]

    response = citizen_client.post(book_url(slot))

    booking = Booking.objects.get()
    assert booking.citizen == city.citizen_a
    assert booking.slot == slot
    assert response.status_code == 302
    assert response["Location"] == f"/pemesanan/{booking.code}/"
    slot.refresh_from_db()
    assert slot.booked == 3
    assert OutboxMessage.objects.filter(kind="booking_confirmed").count() == 1
    html = citizen_client.get(response["Location"]).content.decode()
    assert "Pemesanan Anda berhasil." in html


def at_the_slot_list(html: str, message: str) -> None:
    """``message`` is shown in the day's slot list (``#hari``, where the page
    lands), first there and focused, and not at the top of the page, out of sight."""
    top, _, day = html.partition('<section id="hari"')
    assert message not in top
    refusal = day[: day.index('id="day-title"')]
    assert message in refusal
    assert 'role="alert"' in refusal
    assert "data-focus-on-load" in refusal


def refused(client: Client, slot: Slot, message: str) -> str:
    """Post a booking that must be refused; return the service page it lands on."""
    response = client.post(book_url(slot), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == (
        f"/gerai/{slot.site_service.site.slug}/layanan/{slot.site_service.service.slug}/"
        f"?tanggal={slot.start.astimezone(slot.site_service.site.tzinfo).date()}#hari"
    )
    at_the_slot_list(html, message)
    # Shown once: the next page does not repeat it.
    assert message not in client.get(response.redirect_chain[-1][0]).content.decode()
    return html


def test_a_slot_that_filled_up_in_the_meantime_books_nothing(
    citizen_client: Client, slots: dict[str, Slot]
) -> None:
    refused(citizen_client, slots["wed_1000_full"], "Semua kursi pada slot ini sudah dipesan.")

    assert not Booking.objects.exists()


def test_a_second_booking_of_the_same_service_links_to_the_first(
    citizen_client: Client, booking: Booking, slots: dict[str, Slot]
) -> None:
    html = refused(
        citizen_client, slots["fri_0900"], "Anda sudah memiliki pemesanan aktif untuk layanan ini."
    )

    assert "Anda sudah memesan layanan ini" in html
    assert f'href="/pemesanan/{booking.code}/"' in html
    assert f'href="/pemesanan/{booking.code}/ubah/"' in html
    # ...and from the refusal itself, in view where the page lands.
    day = html.partition('<section id="hari"')[2]
    assert f"Lihat pemesanan Anda ({booking.display_code})" in day
    assert Booking.objects.count() == 1


def test_the_slot_page_of_a_service_already_booked_links_the_booking_not_a_button(
    citizen_client: Client, booking: Booking, slots: dict[str, Slot]
) -> None:
    html = citizen_client.get(book_url(slots["fri_0900"])).content.decode()

    assert "Pesan slot ini" not in html
    assert "Anda sudah memesan layanan ini" in html
    assert booking.display_code in html
    assert f'href="/pemesanan/{booking.code}/"' in html
    assert f'href="/pemesanan/{booking.code}/ubah/"' in html
    # ...and straight to moving it to the slot on screen.
    assert f'href="/pemesanan/{booking.code}/ubah/{slots["fri_0900"].pk}/"' in html


def test_the_slot_page_of_the_booked_slot_itself_offers_no_move(
    citizen_client: Client, booking: Booking
) -> None:
    html = citizen_client.get(book_url(booking.slot)).content.decode()

    assert "Pesan slot ini" not in html
    assert "Anda sudah memesan layanan ini" in html
    assert f"/pemesanan/{booking.code}/ubah/{booking.slot_id}/" not in html


def test_the_slot_page_after_the_cut_off_links_the_booking_only(
    citizen_client: Client, city: City, site_service_sa: SiteService, slots: dict[str, Slot]
) -> None:
    # 09:30 today, the clock says 09:05: too late to move or cancel.
    soon = make_slot(site_service_sa, "2026-06-02", "09:30", booked=1)
    booking = f.BookingFactory(citizen=city.citizen_a, slot=soon)

    html = citizen_client.get(book_url(slots["fri_0900"])).content.decode()

    assert "Pesan slot ini" not in html
    assert f'href="/pemesanan/{booking.code}/"' in html
    assert f"/pemesanan/{booking.code}/ubah/" not in html


def test_an_unverified_citizen_is_told_to_verify_and_offered_a_new_link(
    client: Client, slots: dict[str, Slot]
) -> None:
    client.force_login(f.CitizenFactory(email_verified_at=None))

    html = refused(client, slots["wed_0900"], "Verifikasi alamat e-mail Anda lebih dulu")

    day = html.partition('<section id="hari"')[2]
    assert 'action="/akun/verifikasi/kirim-ulang/"' in day
    assert not Booking.objects.exists()


def test_an_unverified_citizen_gets_no_booking_button_but_a_new_link(
    client: Client, slots: dict[str, Slot]
) -> None:
    client.force_login(f.CitizenFactory(email_verified_at=None))

    html = client.get(book_url(slots["wed_0900"])).content.decode()

    assert "Pesan slot ini" not in html
    assert "Verifikasi e-mail Anda dulu" in html
    assert 'action="/akun/verifikasi/kirim-ulang/"' in html
    assert f'name="next" value="{book_url(slots["wed_0900"])}"' in html


def test_staff_get_no_booking_button(client: Client, city: City, slots: dict[str, Slot]) -> None:
    client.force_login(city.officer_s_a)

    html = client.get(book_url(slots["wed_0900"])).content.decode()

    assert "Pesan slot ini" not in html
    assert "Hanya akun warga yang dapat memesan." in html


def test_the_booking_limit_is_explained(
    citizen_client: Client, city: City, booking: Booking, settings: Settings
) -> None:
    settings.ANTRE_MAX_ACTIVE_BOOKINGS = 1
    other = make_slot(city.site_service(city.site_s, city.service_b), "2026-06-03", "09:00")

    refused(citizen_client, other, "Anda sudah mencapai batas jumlah pemesanan aktif.")

    assert Booking.objects.count() == 1


def test_a_slot_outside_the_booking_window_is_refused(
    citizen_client: Client, city: City, slots: dict[str, Slot]
) -> None:
    city.service_a.booking_opens_days = 1
    city.service_a.save()

    refused(citizen_client, slots["fri_0900"], "Slot ini belum dibuka atau sudah ditutup")

    assert not Booking.objects.exists()


def test_staff_cannot_book(client: Client, city: City, slots: dict[str, Slot]) -> None:
    client.force_login(city.officer_s_a)

    refused(client, slots["wed_0900"], "Hanya akun warga yang dapat memesan.")


def test_the_confirmation_page_shows_the_code_the_qr_and_the_details(
    citizen_client: Client, booking: Booking
) -> None:
    response = citizen_client.get(f"/pemesanan/{booking.code}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<p class="ticket__code">{booking.code[:4]}-{booking.code[4:]}</p>' in html
    assert 'class="booking-qr"' in html
    assert f"Kode QR pemesanan {booking.display_code}" in html
    assert "Gerai S" in html
    assert "Jl. Jend. Ahmad Yani No. 1, Bekasi" in html
    assert "Rabu, 3 Juni 2026" in html
    assert "09.30–10.00 WIB" in html
    assert "KTP-el asli" in html
    assert "Terkonfirmasi" in html
    assert "data-print" in html
    assert f'href="/pemesanan/{booking.code}/kalender.ics"' in html
    assert f'href="/pemesanan/{booking.code}/ubah/"' in html
    assert f'href="/pemesanan/{booking.code}/batal/"' in html
    # 09:30 minus the 120-minute cut-off.
    assert "sampai Rabu, 3 Juni 2026 07.30 WIB" in html


def test_another_citizens_booking_is_404(client: Client, city: City, booking: Booking) -> None:
    client.force_login(city.citizen_b)

    for path in ("", "kalender.ics", "batal/", "ubah/"):
        assert client.get(f"/pemesanan/{booking.code}/{path}").status_code == 404
    assert client.post(f"/pemesanan/{booking.code}/batal/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_booking_pages_need_a_login(client: Client, booking: Booking) -> None:
    response = client.get(f"/pemesanan/{booking.code}/")

    assert response.status_code == 302
    assert response["Location"] == f"/akun/masuk/?next=/pemesanan/{booking.code}/"


def test_a_code_typed_loosely_redirects_to_the_canonical_url(
    citizen_client: Client, booking: Booking
) -> None:
    loose = f"{booking.code[:4]}-{booking.code[4:]}".lower()

    response = citizen_client.get(f"/pemesanan/{loose}/")
    ics = citizen_client.get(f"/pemesanan/{loose}/kalender.ics")

    assert response.status_code == 302
    assert response["Location"] == f"/pemesanan/{booking.code}/"
    assert ics["Location"] == f"/pemesanan/{booking.code}/kalender.ics"


@pytest.mark.parametrize("code", ["XXXXXXXXX", "salah", "7K3M9QXZ0"])
def test_a_code_that_is_no_booking_is_404(citizen_client: Client, code: str) -> None:
    assert citizen_client.get(f"/pemesanan/{code}/").status_code == 404


def test_the_calendar_file(citizen_client: Client, booking: Booking) -> None:
    response = citizen_client.get(f"/pemesanan/{booking.code}/kalender.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="antre-{booking.code}.ics"' in response["Content-Disposition"]
    assert f"UID:{booking.code}@antre" in response.content.decode()


def test_my_bookings_lists_upcoming_then_past(
    citizen_client: Client, city: City, booking: Booking, slots: dict[str, Slot]
) -> None:
    old_slot = make_slot(city.site_service(city.site_s, city.service_b), "2026-06-01", "09:00")
    past = f.BookingFactory(citizen=city.citizen_a, slot=old_slot, status=BookingStatus.COMPLETED)
    f.BookingFactory(citizen=city.citizen_b, slot=slots["fri_0900"])

    html = citizen_client.get("/pemesanan/").content.decode()

    assert "Akan datang" in html
    assert "Riwayat" in html
    assert html.index(booking.display_code) < html.index("Riwayat") < html.index(past.display_code)
    assert "Selesai" in html
    assert html.count('class="booking-item"') == 2


def test_my_bookings_when_there_are_none(citizen_client: Client) -> None:
    html = citizen_client.get("/pemesanan/").content.decode()

    assert "Anda belum punya pemesanan yang akan datang." in html
    assert "Riwayat" not in html


def test_cancelling_asks_first_then_frees_the_seat(
    citizen_client: Client, booking: Booking
) -> None:
    url = f"/pemesanan/{booking.code}/batal/"

    html = citizen_client.get(url).content.decode()
    assert "Ya, batalkan pemesanan" in html
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    response = citizen_client.post(url, follow=True)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.slot.booked == 0
    assert response.redirect_chain == [(f"/pemesanan/{booking.code}/", 302)]
    html = response.content.decode()
    assert "Pemesanan Anda sudah dibatalkan." in html
    assert "Dibatalkan" in html
    assert "booking-qr" not in html
    assert "/batal/" not in html


def test_after_the_cut_off_cancelling_is_explained_and_refused(
    citizen_client: Client, booking: Booking, frozen_clock
) -> None:
    frozen_clock.move_to("2026-06-03T08:00:00+07:00")  # 90 minutes before, cut-off 120
    url = f"/pemesanan/{booking.code}/batal/"

    html = citizen_client.get(url).content.decode()
    response = citizen_client.post(url, follow=True)

    assert "tidak dapat dibatalkan atau diubah lagi: batasnya Rabu, 3 Juni 2026 07.30 WIB" in html
    assert "Ya, batalkan pemesanan" not in html
    assert "Pemesanan ini tidak dapat dibatalkan atau diubah lagi." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert "/batal/" not in citizen_client.get(f"/pemesanan/{booking.code}/").content.decode()


def test_the_reschedule_page_shows_the_same_calendar(
    citizen_client: Client, booking: Booking
) -> None:
    html = citizen_client.get(
        f"/pemesanan/{booking.code}/ubah/", {"tanggal": "2026-06-03"}
    ).content.decode()

    assert "Jadwal Anda sekarang" in html
    assert '<table class="calendar"' in html
    assert (
        f'href="/pemesanan/{booking.code}/ubah/?gerai=gerai-s&amp;tanggal=2026-06-05#hari"' in html
    )
    # The current slot is marked, not offered.
    assert f"/ubah/{booking.slot_id}/" not in html
    assert 'class="slot slot--current"' in html
    assert '<option value="gerai-t">Gerai T</option>' in html


def test_the_reschedule_page_at_another_site(
    citizen_client: Client, city: City, booking: Booking
) -> None:
    other = make_slot(city.site_service(city.site_t, city.service_a), "2026-06-04", "13:00")

    html = citizen_client.get(
        f"/pemesanan/{booking.code}/ubah/", {"gerai": "gerai-t", "tanggal": "2026-06-04"}
    ).content.decode()

    assert '<option value="gerai-t" selected>Gerai T</option>' in html
    assert f'href="/pemesanan/{booking.code}/ubah/{other.pk}/"' in html


def test_the_reschedule_page_for_a_site_without_the_service_is_404(
    citizen_client: Client, booking: Booking
) -> None:
    assert citizen_client.get(f"/pemesanan/{booking.code}/ubah/?gerai=gerai-x").status_code == 404


def test_moving_a_booking(citizen_client: Client, city: City, booking: Booking) -> None:
    other = make_slot(city.site_service(city.site_t, city.service_a), "2026-06-04", "13:00")
    url = f"/pemesanan/{booking.code}/ubah/{other.pk}/"
    old_slot = booking.slot

    html = citizen_client.get(url).content.decode()
    assert "Jadwal lama" in html
    assert "Kamis, 4 Juni 2026, 13.00–13.30 WIB" in html
    assert "Pindahkan ke jadwal ini" in html

    response = citizen_client.post(url, follow=True)

    booking.refresh_from_db()
    assert booking.slot == other
    assert booking.site == city.site_t
    old_slot.refresh_from_db()
    assert old_slot.booked == 0
    assert response.redirect_chain == [(f"/pemesanan/{booking.code}/", 302)]
    assert "Jadwal Anda sudah dipindah." in response.content.decode()


def test_moving_to_a_full_slot_changes_nothing(
    citizen_client: Client, booking: Booking, slots: dict[str, Slot]
) -> None:
    full = slots["thu_full"]

    response = citizen_client.post(f"/pemesanan/{booking.code}/ubah/{full.pk}/", follow=True)

    assert response.redirect_chain[-1][0] == (
        f"/pemesanan/{booking.code}/ubah/?gerai=gerai-s&tanggal=2026-06-04#hari"
    )
    at_the_slot_list(response.content.decode(), "Semua kursi pada slot ini sudah dipesan.")
    booking.refresh_from_db()
    assert booking.slot == slots["wed_0930"]


def test_a_refused_move_without_a_slot_list_is_shown_at_the_top(
    citizen_client: Client, city: City, booking: Booking, frozen_clock
) -> None:
    other = make_slot(city.site_service(city.site_t, city.service_a), "2026-06-04", "13:00")
    url = f"/pemesanan/{booking.code}/ubah/{other.pk}/"
    original = booking.slot_id
    citizen_client.get(url)
    frozen_clock.move_to("2026-06-03T08:00:00+07:00")  # past the cut-off meanwhile

    response = citizen_client.post(url, follow=True)

    html = response.content.decode()
    # The page has no calendar any more: the message must not wait for one.
    assert '<section id="hari"' not in html
    messages = html[html.index('<div class="messages">') : html.index("<h1>")]
    assert "Pemesanan ini tidak dapat dibatalkan atau diubah lagi." in messages
    booking.refresh_from_db()
    assert booking.slot_id == original


def test_moving_to_another_services_slot_is_404(
    citizen_client: Client, city: City, booking: Booking
) -> None:
    other = make_slot(city.site_service(city.site_s, city.service_b), "2026-06-04", "09:00")

    assert citizen_client.get(f"/pemesanan/{booking.code}/ubah/{other.pk}/").status_code == 404
    assert citizen_client.post(f"/pemesanan/{booking.code}/ubah/{other.pk}/").status_code == 404


def test_after_the_cut_off_moving_is_explained(
    citizen_client: Client, booking: Booking, frozen_clock
) -> None:
    frozen_clock.move_to("2026-06-03T08:00:00+07:00")

    html = citizen_client.get(f"/pemesanan/{booking.code}/ubah/").content.decode()

    assert "tidak dapat dibatalkan atau diubah lagi" in html
    assert '<table class="calendar"' not in html


def test_a_cancelled_booking_cannot_be_moved(citizen_client: Client, booking: Booking) -> None:
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)

    html = citizen_client.get(f"/pemesanan/{booking.code}/ubah/").content.decode()

    assert "(status: Dibatalkan)" in html


@pytest.fixture
def todays_booking(city: City, site_service_sa: SiteService) -> Booking:
    """09:00 today (the clock says 09:05): the kiosk checks it in."""
    slot = make_slot(site_service_sa, "2026-06-02", "09:00", booked=1)
    return f.BookingFactory(citizen=city.citizen_a, slot=slot)


def test_a_checked_in_booking_shows_its_queue_number_instead_of_the_qr(
    citizen_client: Client, city: City, todays_booking: Booking
) -> None:
    ticket = check_in(site=city.site_s, code=todays_booking.code, actor=None)

    html = citizen_client.get(f"/pemesanan/{todays_booking.code}/").content.decode()

    assert "Sudah check-in" in html
    assert "booking-qr" not in html
    assert "Pindai kode QR ini" not in html
    assert "data-print" not in html
    assert f'<p class="ticket__number">{ticket.number}</p>' in html
    assert f'href="/antrean/{ticket.public_id}/"' in html
    assert "Lihat posisi antrean Anda" in html


def test_a_checked_in_booking_let_into_the_room_says_come_in(
    citizen_client: Client, city: City, todays_booking: Booking
) -> None:
    # The room is below its cap: the kiosk lets the citizen in at check-in.
    ticket = check_in(site=city.site_s, code=todays_booking.code, actor=None)
    assert ticket.is_inside

    html = citizen_client.get(f"/pemesanan/{todays_booking.code}/").content.decode()

    assert "SILAKAN MASUK" in html
    assert "Silakan masuk ke ruang tunggu dan tunggu nomor Anda dipanggil." in html
    assert "Tunggu di luar ruangan" not in html
    assert "Silakan menunggu di luar" not in html
    # The live ticket page says the same.
    live = citizen_client.get(f"/antrean/{ticket.public_id}/").content.decode()
    assert "SILAKAN MASUK" in live


def test_a_checked_in_booking_outside_a_full_room_says_wait_outside(
    citizen_client: Client, city: City, todays_booking: Booking
) -> None:
    city.site_s.room_capacity = 0
    city.site_s.save()
    ticket = check_in(site=city.site_s, code=todays_booking.code, actor=None)
    assert not ticket.is_inside

    html = citizen_client.get(f"/pemesanan/{todays_booking.code}/").content.decode()

    assert "Silakan menunggu di luar" in html
    assert "SILAKAN MASUK" not in html
    live = citizen_client.get(f"/antrean/{ticket.public_id}/").content.decode()
    assert "Silakan menunggu di luar" in live


def test_a_called_booking_names_the_counter(
    citizen_client: Client, city: City, todays_booking: Booking
) -> None:
    check_in(site=city.site_s, code=todays_booking.code, actor=None)
    counter = f.CounterFactory(site=city.site_s, number=3)
    counter.site_services.set([todays_booking.slot.site_service])
    call_next(counter=counter, actor=None)

    html = citizen_client.get(f"/pemesanan/{todays_booking.code}/").content.decode()

    assert "Nomor Anda dipanggil" in html
    assert "Silakan menuju Loket 3" in html
    assert "SILAKAN MASUK" not in html


def test_after_a_transfer_the_booking_shows_the_new_ticket(
    citizen_client: Client, city: City, todays_booking: Booking
) -> None:
    first = check_in(site=city.site_s, code=todays_booking.code, actor=None)
    second = transfer(ticket=first, service=city.service_b, actor=None)

    html = citizen_client.get(f"/pemesanan/{todays_booking.code}/").content.decode()

    assert f'<p class="ticket__number">{second.number}</p>' in html
    assert f'href="/antrean/{second.public_id}/"' in html
    assert first.public_id not in html


@pytest.mark.parametrize(
    ("status", "said", "book_again"),
    [
        (BookingStatus.COMPLETED, "Layanan untuk pemesanan ini sudah selesai.", False),
        (BookingStatus.NO_SHOW, "Anda tercatat tidak hadir pada jadwal ini.", True),
        (BookingStatus.CANCELLED, "Pemesanan ini sudah dibatalkan", True),
    ],
)
def test_a_booking_that_is_over_says_what_happened(
    citizen_client: Client, booking: Booking, status: str, said: str, book_again: bool
) -> None:
    Booking.objects.filter(pk=booking.pk).update(status=status)

    html = citizen_client.get(f"/pemesanan/{booking.code}/").content.decode()

    assert said in html
    assert "booking-qr" not in html
    assert "Pindai kode QR ini" not in html
    assert "kalender.ics" not in html
    assert "Dokumen yang perlu dibawa" not in html
    assert ('href="/gerai/gerai-s/layanan/layanan-a/"' in html) is book_again


def test_an_ordinary_booking_offers_no_proof_of_a_timely_request(
    citizen_client: Client, booking: Booking
) -> None:
    html = citizen_client.get(f"/pemesanan/{booking.code}/").content.decode()

    assert "bukti.pdf" not in html
    assert "Unduh bukti permintaan" not in html


def test_a_booking_from_the_waiting_list_offers_its_proof(
    citizen_client: Client, city: City, booking: Booking
) -> None:
    entry = WaitlistEntry.objects.create(
        citizen=city.citizen_a,
        service=city.service_a,
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 10),
        status=WaitlistStatus.BOOKED,
    )
    entry.sites.set([city.site_s])

    html = citizen_client.get(f"/pemesanan/{booking.code}/").content.decode()

    assert "Bukti permintaan sebelum tenggat" in html
    assert "lewat daftar tunggu dengan tenggat 10 Juni 2026" in html
    assert f'href="/pemesanan/{booking.code}/bukti.pdf"' in html
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
    assert "bukti.pdf" not in citizen_client.get(f"/pemesanan/{booking.code}/").content.decode()


def test_my_bookings_points_to_the_waiting_list_of_a_citizen_who_waits(
    citizen_client: Client, city: City
) -> None:
    entry = WaitlistEntry.objects.create(
        citizen=city.citizen_a,
        service=city.service_b,
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 12),
    )
    entry.sites.set([city.site_s])

    html = citizen_client.get("/pemesanan/").content.decode()

    section = html[html.index('id="waiting-title"') :]
    assert "Layanan B" in section
    assert "menunggu kursi sebelum tenggat 12 Juni 2026." in section
    assert '<a href="/daftar-tunggu/">Lihat daftar tunggu saya</a>' in section


def test_my_bookings_has_no_waiting_list_section_without_entries(
    citizen_client: Client, city: City
) -> None:
    WaitlistEntry.objects.create(
        citizen=city.citizen_a,
        service=city.service_b,
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 12),
        status=WaitlistStatus.WITHDRAWN,
    )

    html = citizen_client.get("/pemesanan/").content.decode()

    assert 'id="waiting-title"' not in html


def test_the_header_links_the_waiting_list_for_a_signed_in_citizen(
    citizen_client: Client,
) -> None:
    header = citizen_client.get("/pemesanan/").content.decode().split("</header>")[0]
    assert '<a href="/pemesanan/" aria-current="page">Pemesanan saya</a>' in header
    assert '<a href="/daftar-tunggu/">Daftar tunggu saya</a>' in header

    header = citizen_client.get("/daftar-tunggu/").content.decode().split("</header>")[0]
    assert '<a href="/daftar-tunggu/" aria-current="page">Daftar tunggu saya</a>' in header

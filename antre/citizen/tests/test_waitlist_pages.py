import datetime as dt
import re

import pytest

from antre.booking.services import cancel_booking, create_booking
from antre.testing import factories as f
from antre.waitlist.models import Offer, WaitlistEntry, WaitlistStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_slot():
    start = dt.datetime(2026, 6, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=1)
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    return slot, booking


def join_url(slot):
    site_service = slot.site_service
    return f"/gerai/{site_service.site.slug}/layanan/{site_service.service.slug}/daftar-tunggu/"


def test_join_wait_get_an_offer_accept_it(client, full_slot):
    slot, booking = full_slot
    citizen = f.CitizenFactory()
    client.force_login(citizen)

    page = client.get(join_url(slot))
    assert page.status_code == 200
    assert "Tenggat Anda" in page.content.decode()
    response = client.post(
        join_url(slot),
        {"latest": "2026-06-12", "sites": [slot.site_service.site.slug], "auto_book": "0"},
    )
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(citizen=citizen)
    listing = client.get("/daftar-tunggu/").content.decode()
    assert "Posisi Anda: 1" in listing

    cancel_booking(booking=booking, actor=None)
    listing = client.get("/daftar-tunggu/").content.decode()
    assert "Terima kursi ini" in listing
    offer = Offer.objects.get(entry=entry)
    accepted = client.post(f"/daftar-tunggu/{entry.pk}/terima/{offer.pk}/")
    assert accepted.status_code == 302
    assert accepted["Location"].startswith("/pemesanan/")
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED


def test_bad_input_changes_nothing(client, full_slot):
    slot, _booking = full_slot
    client.force_login(f.CitizenFactory())
    response = client.post(join_url(slot), {"latest": "", "sites": []}, follow=True)
    assert "Isi tanggal ini." in response.content.decode()
    response = client.post(
        join_url(slot),
        {"latest": "2026-05-01", "sites": [slot.site_service.site.slug]},
        follow=True,
    )
    assert "tenggat" in response.content.decode().lower()
    assert not WaitlistEntry.objects.exists()


def test_others_entries_are_not_found(client, full_slot):
    slot, _booking = full_slot
    owner = f.CitizenFactory()
    client.force_login(owner)
    client.post(join_url(slot), {"latest": "2026-06-12", "sites": [slot.site_service.site.slug]})
    entry = WaitlistEntry.objects.get()
    client.force_login(f.CitizenFactory())
    assert client.post(f"/daftar-tunggu/{entry.pk}/keluar/").status_code == 404


def test_login_required(client, full_slot):
    slot, _booking = full_slot
    assert client.get("/daftar-tunggu/").status_code == 302
    assert client.get(join_url(slot)).status_code == 302


def tag_of(html, element_id):
    return re.search(rf'<[a-z]+[^>]*id="{element_id}"[^>]*>', html).group(0)


def test_a_refused_join_keeps_what_was_typed_and_says_which_field(client, full_slot):
    slot, _booking = full_slot
    site = slot.site_service.site
    other = f.SiteServiceFactory(service=slot.site_service.service).site
    client.force_login(f.CitizenFactory())

    response = client.post(
        join_url(slot),
        {"latest": "2026-06-12", "earliest": "2026-06-20", "sites": [other.slug], "auto_book": "1"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Periksa lagi isian Anda" in html
    # Beside the first date, the wrong one.
    assert 'id="id_earliest_error"' in html
    assert "Tanggal ini jatuh sesudah tenggat. Pilih tenggat atau sebelumnya." in html
    assert "sudah lewat" not in html
    earliest = tag_of(html, "id_earliest")
    assert 'value="2026-06-20"' in earliest
    assert 'aria-invalid="true"' in earliest
    assert 'aria-describedby="id_earliest_helptext id_earliest_error"' in earliest
    latest = tag_of(html, "id_latest")
    assert 'value="2026-06-12"' in latest
    assert "aria-invalid" not in latest
    # The choices made stay made.
    assert re.search(rf'<input[^>]*value="{other.slug}"[^>]*checked', html)
    assert not re.search(rf'<input[^>]*value="{site.slug}"[^>]*checked', html)
    assert re.search(r'<input[^>]*name="auto_book"[^>]*value="1"[^>]*checked', html)
    assert not WaitlistEntry.objects.exists()


def test_no_site_ticked_is_said_beside_the_sites(client, full_slot):
    slot, _booking = full_slot
    client.force_login(f.CitizenFactory())

    response = client.post(join_url(slot), {"latest": "2026-06-12", "auto_book": "0"})

    html = response.content.decode()
    assert response.status_code == 200
    fieldset = html[html.index('<fieldset class="field field--invalid"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert 'aria-describedby="id_sites_error"' in fieldset
    assert "<legend>Gerai yang Anda terima</legend>" in fieldset
    error = '<p class="field__error" id="id_sites_error">Pilih sedikitnya satu gerai.</p>'
    assert error in fieldset
    assert 'aria-invalid="true"' in fieldset
    assert 'href="#id_sites_0"' in html
    assert 'value="2026-06-12"' in tag_of(html, "id_latest")
    assert not WaitlistEntry.objects.exists()


def test_a_deadline_already_past_is_said_beside_the_deadline(client, full_slot):
    slot, _booking = full_slot
    client.force_login(f.CitizenFactory())

    html = client.post(
        join_url(slot), {"latest": "2026-05-01", "sites": [slot.site_service.site.slug]}
    ).content.decode()

    assert 'id="id_latest_error"' in html
    assert 'aria-invalid="true"' in tag_of(html, "id_latest")
    assert 'value="2026-05-01"' in tag_of(html, "id_latest")
    assert "Tanggal ini sudah lewat. Pilih hari ini atau sesudahnya." in html
    assert "id_earliest_error" not in html


def test_an_empty_deadline_is_said_once_without_repeating_the_label(client, full_slot):
    slot, _booking = full_slot
    client.force_login(f.CitizenFactory())

    html = client.post(
        join_url(slot), {"latest": "", "sites": [slot.site_service.site.slug]}
    ).content.decode()

    field_error = '<p class="field__error" id="id_latest_error">Isi tanggal ini.</p>'
    assert field_error in html
    # The summary names the field once, before the short error.
    summary = html[html.index('<div class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert re.search(r'<a href="#id_latest">\s*Tenggat Anda: Isi tanggal ini.</a>', summary)
    assert summary.count("Tenggat Anda") == 1
    assert "tanggal terakhir yang masih berguna" not in summary


def joined(client, slot):
    client.post(join_url(slot), {"latest": "2026-06-12", "sites": [slot.site_service.site.slug]})
    return WaitlistEntry.objects.get()


def test_leaving_the_waiting_list_asks_first(client, full_slot):
    slot, _booking = full_slot
    client.force_login(f.CitizenFactory())
    entry = joined(client, slot)
    url = f"/daftar-tunggu/{entry.pk}/keluar/"

    listing = client.get("/daftar-tunggu/").content.decode()
    link = f'<a href="{url}" role="button" class="secondary outline">Mundur dari daftar tunggu</a>'
    assert link in listing
    # The word of the logout button is not used for it.
    assert "Keluar dari daftar tunggu" not in listing

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ya, mundur dari daftar tunggu" in html
    assert "Tidak, tetap di daftar tunggu" in html
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING

    response = client.post(url, follow=True)

    assert response.redirect_chain == [("/daftar-tunggu/", 302)]
    assert f"Anda sudah mundur dari daftar tunggu {entry.service.name}." in (
        response.content.decode()
    )
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WITHDRAWN
    html = client.get(url).content.decode()
    assert "Ya, mundur dari daftar tunggu" not in html
    assert "Entri ini sudah tidak menunggu kursi (status: Ditarik)." in html


def test_leaving_with_a_seat_on_offer_says_the_seat_goes_too(client, full_slot):
    slot, booking = full_slot
    client.force_login(f.CitizenFactory())
    entry = joined(client, slot)
    cancel_booking(booking=booking, actor=None)

    html = client.get(f"/daftar-tunggu/{entry.pk}/keluar/").content.decode()

    assert "Kursi yang sedang ditahan untuk Anda (Rabu, 10 Juni 2026, 09.00–09.30 WIB)" in html


@pytest.mark.parametrize(
    ("seats", "english"),
    [
        (1, "Your position: 1. 1 seat must free up before your deadline"),
        (2, "Your position: 2. 2 seats must free up before your deadline"),
    ],
)
def test_the_seats_needed_are_counted_in_proper_english(client, full_slot, seats, english):
    slot, _booking = full_slot
    for _ in range(seats):
        citizen = f.CitizenFactory()
        client.force_login(citizen)
        joined_entry = client.post(
            join_url(slot), {"latest": "2026-06-12", "sites": [slot.site_service.site.slug]}
        )
        assert joined_entry.status_code == 302

    client.cookies["django_language"] = "en"
    html = client.get("/daftar-tunggu/").content.decode()

    assert english in html

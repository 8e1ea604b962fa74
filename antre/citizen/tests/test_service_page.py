"""The service page: requirements before booking, a month calendar of days,
a chosen day's slots, and other sites when this one is full."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from antre.booking.models import Slot
from antre.catalog.models import SiteService
from antre.citizen.tests.conftest import make_slot
from antre.testing import factories as f
from antre.testing.personas import City

pytestmark = pytest.mark.django_db

URL = "/gerai/gerai-s/layanan/layanan-a/"


def test_the_page_shows_the_service_the_site_and_the_requirements(
    client: Client, city: City, slots: dict[str, Slot]
) -> None:
    city.service_a.requirements = ["SIM lama asli", "Surat keterangan sehat"]
    city.service_a.save()

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Layanan A</h1>" in html
    assert "Instansi A · Gerai S" in html
    assert "Jl. Jend. Ahmad Yani No. 1, Bekasi" in html
    assert "Dokumen yang perlu dibawa" in html
    assert "Surat keterangan sehat" in html
    # The requirements come before the calendar.
    assert html.index("Surat keterangan sehat") < html.index('<table class="calendar"')


def test_the_calendar_is_an_accessible_table_of_the_month(
    client: Client, city: City, slots: dict[str, Slot]
) -> None:
    f.ClosureFactory(site=None, start_date=dt.date(2026, 6, 16), reason="Tahun Baru Islam")

    html = client.get(URL).content.decode()

    assert "<caption>Juni 2026</caption>" in html
    assert (
        '<th scope="col"><span aria-hidden="true">Sen</span>'
        '<span class="visually-hidden">Senin</span></th>' in html
    )
    # Wednesday 3 June: 3 + 5 free seats (the 10:00 slot is full).
    assert '<span class="visually-hidden">Rabu 3 Juni: 8 kursi tersisa</span>' in html
    assert '<span class="visually-hidden">Kamis 4 Juni: penuh</span>' in html
    assert "Sabtu 6 Juni: tutup" in html
    assert "Selasa 16 Juni: tutup, Tahun Baru Islam" in html
    assert "Tutup Selasa 16 Juni: Tahun Baru Islam" in html
    assert "Senin 1 Juni: sudah lewat" in html
    # Days link to the same page with the day chosen; htmx loads it in place.
    assert 'href="/gerai/gerai-s/layanan/layanan-a/?tanggal=2026-06-03#hari"' in html
    assert 'hx-get="/gerai/gerai-s/layanan/layanan-a/?tanggal=2026-06-03"' in html
    assert "Bulan berikutnya:" in html
    assert "Bulan sebelumnya:" not in html
    # The legend explains every look a day can have, past and not yet open too.
    opens = city.service_a.booking_opens_days
    assert f"belum dibuka (pemesanan dibuka {opens} hari sebelumnya)" in html


def test_the_window_ends_in_the_next_month(client: Client, city: City) -> None:
    html = client.get(URL + "?bulan=2026-07").content.decode()

    assert "<caption>Juli 2026</caption>" in html
    # 30 days from 2 June is 2 July; later days are outside the window.
    assert "Kamis 2 Juli: tidak ada slot yang dapat dipesan" in html
    assert "Jumat 3 Juli: belum dibuka untuk pemesanan" in html
    assert "Bulan sebelumnya:" in html
    assert "Bulan berikutnya:" not in html


@pytest.mark.parametrize("month", ["2025-01", "2027-12", "kemarin", "2026-13"])
def test_a_month_outside_the_window_or_garbled_shows_a_month_inside(
    client: Client, city: City, month: str
) -> None:
    response = client.get(URL, {"bulan": month})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Juni 2026</caption>" in html or "<caption>Juli 2026</caption>" in html


def test_choosing_a_day_lists_its_slots_with_seats_left(
    client: Client, city: City, slots: dict[str, Slot]
) -> None:
    html = client.get(URL, {"tanggal": "2026-06-03"}).content.decode()

    assert "Rabu, 3 Juni 2026" in html
    assert "09.00–09.30 WIB" in html
    assert "3 kursi tersisa" in html
    assert "5 kursi tersisa" in html
    assert f'href="/gerai/gerai-s/layanan/layanan-a/slot/{slots["wed_0900"].pk}/"' in html
    # The full slot is shown, not bookable.
    assert "10.00–10.30 WIB" in html
    assert f"/slot/{slots['wed_1000_full'].pk}/" not in html
    assert 'aria-current="true"' in html


def test_the_day_in_english(client: Client, city: City, slots: dict[str, Slot]) -> None:
    client.cookies["django_language"] = "en"

    html = client.get(URL, {"tanggal": "2026-06-03"}).content.decode()

    assert "Wednesday, 3 June 2026" in html
    assert "09:00–09:30 WIB" in html
    assert "3 seats left" in html
    assert "Wednesday 3 June: 8 seats left" in html


def test_htmx_gets_the_picker_alone(client: Client, city: City, slots: dict[str, Slot]) -> None:
    response = client.get(URL, {"tanggal": "2026-06-03"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="picker"')
    assert "<html" not in html
    assert "09.30–10.00 WIB" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_restoring_history_gets_the_whole_page(
    client: Client, city: City, slots: dict[str, Slot]
) -> None:
    response = client.get(
        URL,
        {"tanggal": "2026-06-03"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.content.decode()


def test_a_day_without_slots_cannot_be_chosen(
    client: Client, city: City, slots: dict[str, Slot]
) -> None:
    html = client.get(URL, {"tanggal": "2026-06-06"}).content.decode()

    assert "Ketuk tanggal pada kalender" in html
    assert "Sabtu, 6 Juni 2026" not in html


def test_a_full_day_shows_the_earliest_free_slot_at_the_other_sites(
    client: Client, city: City, slots: dict[str, Slot]
) -> None:
    at_t = city.site_service(city.site_t, city.service_a)
    make_slot(at_t, "2026-06-04", "13:00")

    html = client.get(URL, {"tanggal": "2026-06-04"}).content.decode()

    assert "Kursi kosong di gerai lain" in html
    assert "Tanggal ini sudah penuh di Gerai S." in html
    assert "Gerai T" in html
    assert "paling cepat Kamis, 4 Juni 2026, 13.00–13.30 WIB" in html
    assert 'href="/gerai/gerai-t/layanan/layanan-a/?tanggal=2026-06-04"' in html


def test_a_month_without_free_seats_shows_the_other_sites(client: Client, city: City) -> None:
    make_slot(city.site_service(city.site_s, city.service_a), "2026-06-03", "09:00", booked=5)

    html = client.get(URL).content.decode()

    assert "Tidak ada kursi kosong di Gerai S pada Juni 2026." in html
    assert "Gerai T" in html
    assert "juga penuh." in html


def test_a_month_with_free_seats_does_not_look_elsewhere(
    client: Client, city: City, slots: dict[str, Slot]
) -> None:
    assert "Kursi kosong di gerai lain" not in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/gerai/gerai-x/layanan/layanan-a/",
        "/gerai/gerai-s/layanan/layanan-x/",
    ],
)
def test_an_unknown_site_or_service_is_404(client: Client, city: City, url: str) -> None:
    assert client.get(url).status_code == 404


def test_a_service_not_offered_or_inactive_is_404(client: Client, city: City) -> None:
    site_service = city.site_service(city.site_s, city.service_b)
    site_service.is_active = False
    site_service.save()

    assert client.get("/gerai/gerai-s/layanan/layanan-b/").status_code == 404


def test_the_page_takes_the_same_queries_whatever_the_number_of_slots(
    client: Client, city: City, site_service_sa: SiteService
) -> None:
    make_slot(site_service_sa, "2026-06-03", "09:00")
    client.force_login(city.citizen_a)
    client.get(URL, {"tanggal": "2026-06-03"})  # warm the session

    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"tanggal": "2026-06-03"})
    for day in range(3, 30):
        for hour in (9, 10, 11, 13, 14):
            if (day, hour) != (3, 9):
                make_slot(site_service_sa, f"2026-06-{day:02d}", f"{hour:02d}:00")
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"tanggal": "2026-06-03"})

    assert response.content.decode().count('class="slot"') == 5
    assert len(many.captured_queries) == len(few.captured_queries)
    # session, user, site service, agency, hours, closures, month slots,
    # day slots, the citizen's active booking of the service, their open
    # waiting-list entry for it (the honest "full up to your deadline").
    assert len(many.captured_queries) == 10, [q["sql"] for q in many.captured_queries]


def test_a_full_page_also_pins_its_queries_with_the_other_sites(
    client: Client, city: City, site_service_sa: SiteService
) -> None:
    for number in range(6):
        site = f.SiteFactory()
        f.SiteServiceFactory(site=site, service=city.service_a)
        make_slot(
            city.site_service(city.site_t, city.service_a)
            if number == 0
            else SiteService.objects.get(site=site, service=city.service_a),
            "2026-06-05",
            "09:00",
        )

    with CaptureQueriesContext(connection) as queries:
        html = client.get(URL).content.decode()

    assert html.count("paling cepat") == 6
    # site service, agency, hours, closures, month slots, other sites, their slots.
    assert len(queries.captured_queries) == 7, [q["sql"] for q in queries.captured_queries]


def test_the_home_page_links_each_service_at_each_site_to_its_page(
    client: Client, city: City
) -> None:
    html = client.get("/").content.decode()

    assert 'href="/gerai/gerai-s/layanan/layanan-a/"' in html
    assert 'href="/gerai/gerai-t/layanan/layanan-b/"' in html
    assert 'aria-label="Pesan Layanan A di Gerai S"' in html


def test_anonymous_visitors_see_they_must_log_in_to_book(
    client: Client, city: City, slots: dict[str, Slot]
) -> None:
    html = client.get(URL).content.decode()

    assert "untuk memesan Anda perlu masuk" in html

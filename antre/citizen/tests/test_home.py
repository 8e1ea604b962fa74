"""The home page: what antre is, and the public directory of sites and services."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from antre.testing import factories as f
from antre.testing.personas import City

pytestmark = pytest.mark.django_db


def test_home_explains_antre_in_indonesian_first(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Cara kerjanya" in html
    assert "kode QR" in html
    assert 'name="viewport"' in html


def test_home_lists_active_sites_with_address_hours_agencies_and_requirements(
    client: Client, city: City
) -> None:
    city.service_a.requirements = ["KTP-el asli", "Kartu Keluarga"]
    city.service_a.save()

    html = client.get("/").content.decode()

    assert "Gerai S" in html
    assert "Gerai T" in html
    assert "Jl. Jend. Ahmad Yani No. 1, Bekasi" in html
    assert "Instansi A" in html
    assert "Layanan A" in html
    assert "Kartu Keluarga" in html
    assert "Senin–Jumat" in html
    assert "WIB" in html


def test_home_hides_inactive_sites_and_services(client: Client, city: City) -> None:
    hidden_site = f.SiteFactory(name="Gerai Tutup", is_active=False)
    f.SiteServiceFactory(site=hidden_site, service=city.service_a)
    city.service_b.is_active = False
    city.service_b.save()
    retired = f.ServiceFactory(agency=city.agency_a, name="Layanan Lama")
    f.SiteServiceFactory(site=city.site_s, service=retired, is_active=False)

    html = client.get("/").content.decode()

    assert "Gerai Tutup" not in html
    assert "Layanan B" not in html
    assert "Layanan Lama" not in html
    assert "Layanan A" in html


def test_home_links_to_the_staff_sign_in_and_the_api_docs(client: Client) -> None:
    html = client.get("/").content.decode()

    assert 'href="/petugas/masuk/"' in html  # staff sign in; admins reach the back office
    assert 'href="/api/v1/docs"' in html


def test_home_offers_the_language_switch_as_a_post_form_with_csrf(client: Client) -> None:
    html = client.get("/").content.decode()

    assert 'action="/i18n/setlang/" method="post"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'name="language" value="en"' in html


def test_home_in_english_after_switching_language(client: Client, city: City) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "How it works" in html
    assert "Gerai S" in html


def test_home_takes_a_fixed_number_of_queries(client: Client, city: City) -> None:
    for _ in range(5):
        site = f.SiteFactory()
        for _ in range(3):
            f.SiteServiceFactory(site=site, service=f.ServiceFactory())

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert response.status_code == 200
    directory_queries = [q for q in queries.captured_queries if "catalog_" in q["sql"]]
    assert len(directory_queries) == 3, [q["sql"] for q in directory_queries]


def test_searching_finds_services_by_any_of_their_words_at_every_site(
    client: Client, city: City
) -> None:
    city.service_a.name = "Perpanjangan SIM"
    city.service_a.requirements = ["KTP-el asli", "SIM lama"]
    city.service_a.save()

    html = client.get("/", {"cari": "  sim  "}).content.decode()

    assert "layanan cocok dengan “sim”" in html
    assert html.count('class="search-results__where"') == 2  # at Gerai S and Gerai T
    assert "Instansi A · Gerai S" in html
    assert f'href="/gerai/{city.site_s.slug}/layanan/{city.service_a.slug}/"' in html
    assert 'value="sim"' in html


def test_every_word_of_a_search_must_match(client: Client, city: City) -> None:
    city.service_a.requirements = ["Kartu Keluarga"]
    city.service_a.save()

    both = client.get("/", {"cari": "KELUARGA instansi a"}).content.decode()
    neither = client.get("/", {"cari": "keluarga paspor"}).content.decode()

    assert "Layanan A</a>" in both
    assert "0 layanan cocok" in neither
    assert "Coba kata lain" in neither


def test_a_search_is_shown_as_text_never_as_markup(client: Client, city: City) -> None:
    html = client.get("/", {"cari": '<script>alert("x")</script>'}).content.decode()

    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;" in html


def test_no_search_shows_no_results_and_costs_no_query(client: Client, city: City) -> None:
    with CaptureQueriesContext(connection) as plain:
        html = client.get("/").content.decode()
    with CaptureQueriesContext(connection) as searched:
        client.get("/", {"cari": "layanan"})

    assert "search-results" not in html
    assert "<search>" in html
    assert len(searched) == len(plain)

"""The back office's dashboard, reports and planner: who may open them, what
each admin sees of them, and their CSV and XLSX exports (scoped, and without
personal data). The figures themselves are checked in antre/reports/tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from antre.accounts.models import Role, StaffRole, User
from antre.onsite.models import Ticket, TicketKind, TicketStatus
from antre.reports.definitions import ReportKind
from antre.reports.tests.hand_day import DAY, HandDay, build_hand_day
from antre.testing.personas import City, staff

KINDS = [kind.value for kind in ReportKind]
ONE_DAY = {"start": DAY.isoformat(), "end": DAY.isoformat()}
ADMINS = ["city_admin", "site_admin_s", "agency_admin_a", "agency_admin_b"]


@pytest.fixture
def hand_day(city: City) -> HandDay:
    """The day of antre/reports/tests/hand_day.py."""
    return build_hand_day(city)


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def report_url(kind: str) -> str:
    return reverse("admin:report", kwargs={"kind": kind})


def csv_rows(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_text(content: bytes) -> str:
    """Every string and number of an XLSX's first sheet, space-separated."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        strings = (
            archive.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else ""
        )
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    texts = re.findall(r"<t[^>]*>([^<]*)</t>", strings)
    numbers = re.findall(r"<v>([^<]*)</v>", sheet)
    return " ".join(texts + numbers)


@pytest.mark.parametrize("persona", ["citizen_a", "officer_s_a", "kiosk_s"])
def test_people_without_an_admin_role_are_sent_to_the_login(
    client: Client, city: City, persona: str
) -> None:
    as_user(client, getattr(city, persona))

    for path in (
        reverse("admin:reports-dashboard"),
        report_url("kunjungan"),
        reverse("admin:reports-planner"),
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("persona", ADMINS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_admin_opens_every_report_and_its_exports(
    client: Client, hand_day: HandDay, persona: str, kind: str
) -> None:
    as_user(client, getattr(hand_day.city, persona))

    page = client.get(report_url(kind), ONE_DAY)
    assert page.status_code == 200
    assert b'data-chart="report-chart-data"' in page.content
    assert b'<table class="reports-table">' in page.content
    exported = client.get(report_url(kind), {**ONE_DAY, "format": "csv"})
    assert exported.status_code == 200
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert f"antre-{kind}-2026-06-01-2026-06-01.csv" in exported["Content-Disposition"]
    workbook = client.get(report_url(kind), {**ONE_DAY, "format": "xlsx"})
    assert workbook.status_code == 200
    assert workbook.content.startswith(b"PK")


# What each admin must never find in any report or export: the other
# agency's service and counter, the other site.
NEVER_SEEN = {
    "agency_admin_a": ["Layanan B", "Dua"],
    "agency_admin_b": ["Layanan A", "Satu"],
    "site_admin_s": ["Gerai T"],
}


@pytest.mark.parametrize("persona", sorted(NEVER_SEEN))
@pytest.mark.parametrize("kind", KINDS)
def test_reports_and_exports_hold_only_what_the_role_sees(
    client: Client, hand_day: HandDay, persona: str, kind: str
) -> None:
    as_user(client, getattr(hand_day.city, persona))

    page = client.get(report_url(kind), ONE_DAY).content.decode()
    exported = b"".join(
        client.get(report_url(kind), {**ONE_DAY, "format": "csv"}).streaming_content
    ).decode()
    workbook = xlsx_text(client.get(report_url(kind), {**ONE_DAY, "format": "xlsx"}).content)

    chart_and_table = page.split('id="report-chart-caption"', 1)[-1]
    for hidden in NEVER_SEEN[persona]:
        assert hidden not in exported, (kind, hidden)
        assert hidden not in workbook, (kind, hidden)
        assert f">{hidden}<" not in chart_and_table, (kind, hidden)


def test_an_agency_admin_counts_only_their_agencys_visitors(
    client: Client, hand_day: HandDay
) -> None:
    as_user(client, hand_day.city.agency_admin_b)

    rows = csv_rows(client.get(report_url("kunjungan"), {**ONE_DAY, "format": "csv"}))

    assert [(row["site"], row["service"]) for row in rows] == [
        ("Gerai S", "Layanan B"),
        ("Gerai T", "Layanan B"),
    ]
    assert rows[0]["tickets"] == "1"
    assert rows[0]["waiting_median_min"] == "1.5"


def test_a_site_admin_sees_every_agency_at_their_site_only(
    client: Client, hand_day: HandDay
) -> None:
    as_user(client, hand_day.city.site_admin_s)

    rows = csv_rows(client.get(report_url("kunjungan"), {**ONE_DAY, "format": "csv"}))

    assert {(row["site"], row["service"]) for row in rows} == {
        ("Gerai S", "Layanan A"),
        ("Gerai S", "Layanan B"),
    }


def test_the_city_admin_sees_every_row(client: Client, hand_day: HandDay) -> None:
    as_user(client, hand_day.city.city_admin)

    rows = csv_rows(client.get(report_url("kunjungan"), {**ONE_DAY, "format": "csv"}))

    assert [(row["date"], row["site"], row["service"], row["no_shows"]) for row in rows] == [
        ("2026-06-01", "Gerai S", "Layanan A", "2"),
        ("2026-06-01", "Gerai S", "Layanan B", "0"),
        ("2026-06-01", "Gerai T", "Layanan B", "1"),
    ]
    assert list(rows[0]) == [
        "date",
        "site",
        "agency",
        "service",
        "bookings",
        "cancellations",
        "no_shows",
        "walk_ins",
        "tickets",
        "waiting_median_min",
        "waiting_p90_min",
        "service_median_min",
        "service_p90_min",
    ]
    assert rows[0]["waiting_p90_min"] == "25.4"


def test_choosing_what_is_not_yours_is_refused(client: Client, hand_day: HandDay) -> None:
    city = hand_day.city
    as_user(client, city.agency_admin_a)

    for choice in ({"service": city.service_b.pk}, {"agency": city.agency_b.pk}):
        response = client.get(report_url("kunjungan"), {**ONE_DAY, **choice, "format": "csv"})
        assert response.status_code == 400
        assert b"Layanan B" not in response.content
    as_user(client, city.site_admin_s)
    assert client.get(report_url("loket"), {"site": city.site_t.pk}).status_code == 400


def test_a_range_too_long_or_backwards_is_refused(client: Client, city: City) -> None:
    as_user(client, city.city_admin)

    assert (
        client.get(report_url("waktu"), {"start": "2026-01-01", "end": "2026-06-01"}).status_code
        == 400
    )
    assert (
        client.get(report_url("waktu"), {"start": "2026-06-02", "end": "2026-06-01"}).status_code
        == 400
    )


def test_an_unknown_report_is_not_found(client: Client, city: City) -> None:
    as_user(client, city.city_admin)

    assert client.get(report_url("rahasia")).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_exports_hold_no_personal_data(client: Client, hand_day: HandDay, kind: str) -> None:
    city = hand_day.city
    as_user(client, city.city_admin)
    personal = []
    for citizen in (city.citizen_a, city.citizen_b):
        personal += [citizen.full_name, citizen.email, citizen.nik, citizen.nik_masked]

    exported = b"".join(
        client.get(report_url(kind), {**ONE_DAY, "format": "csv"}).streaming_content
    ).decode()
    workbook = xlsx_text(client.get(report_url(kind), {**ONE_DAY, "format": "xlsx"}).content)

    for value in personal:
        assert value
        assert value not in exported
        assert value not in workbook


def test_the_reports_index_opens_the_first_report(client: Client, city: City) -> None:
    as_user(client, city.city_admin)

    response = client.get(reverse("admin:reports-index"))

    assert response.status_code == 302
    assert response["Location"] == report_url("kunjungan")


def test_the_backoffice_index_links_the_reports(client: Client, city: City) -> None:
    as_user(client, city.city_admin)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:reports-dashboard") in html
    assert reverse("admin:reports-planner") in html

    as_user(client, city.agency_admin_a)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:reports-index") in html
    assert reverse("admin:reports-planner") not in html


def waiting_ticket(city: City, *, service: Any, sequence: int, minutes_ago: int) -> Ticket:
    now = dt.datetime(2026, 6, 2, 2, 5, tzinfo=dt.UTC)
    return Ticket.objects.create(
        site=city.site_s,
        service=service,
        service_date=dt.date(2026, 6, 2),
        prefix=service.ticket_prefix,
        sequence=sequence,
        kind=TicketKind.WALK_IN,
        status=TicketStatus.WAITING,
        issued_at=now - dt.timedelta(minutes=minutes_ago),
        admitted_at=now - dt.timedelta(minutes=minutes_ago),
    )


def test_the_dashboard_shows_today_within_the_role(client: Client, city: City) -> None:
    waiting_ticket(city, service=city.service_a, sequence=1, minutes_ago=42)
    waiting_ticket(city, service=city.service_a, sequence=2, minutes_ago=5)
    waiting_ticket(city, service=city.service_b, sequence=1, minutes_ago=17)

    as_user(client, city.city_admin)
    html = client.get(reverse("admin:reports-dashboard")).content.decode()
    assert "Gerai S" in html
    assert "Gerai T" in html
    assert "42 menit" in html
    assert "Layanan B" in html

    as_user(client, city.agency_admin_b)
    html = client.get(reverse("admin:reports-dashboard")).content.decode()
    assert "Layanan A" not in html
    assert "42 menit" not in html
    assert "17 menit" in html

    as_user(client, city.site_admin_s)
    html = client.get(reverse("admin:reports-dashboard")).content.decode()
    assert "Gerai T" not in html


def dashboard_heading(client: Client) -> str:
    html = client.get(reverse("admin:reports-dashboard")).content.decode()
    match = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert match, html
    # The navigation names the dashboard the same way.
    assert f'aria-current="page">{match.group(1).strip()}</a>' in html
    return match.group(1).strip()


def test_the_dashboard_is_titled_by_what_the_admin_oversees(client: Client, city: City) -> None:
    as_user(client, city.city_admin)
    assert dashboard_heading(client) == "Dasbor kota"

    as_user(client, city.site_admin_s)
    assert dashboard_heading(client) == "Dasbor Gerai S"

    as_user(client, city.agency_admin_b)
    assert dashboard_heading(client) == "Dasbor Instansi B"

    at_site = staff("admin-b-t", Role.AGENCY_ADMIN, agency=city.agency_b, site=city.site_t)
    as_user(client, at_site)
    assert dashboard_heading(client) == "Dasbor Instansi B di Gerai T"

    StaffRole.objects.create(user=city.site_admin_s, role=Role.SITE_ADMIN, site=city.site_t)
    as_user(client, city.site_admin_s)
    assert dashboard_heading(client) == "Dasbor wewenang Anda"


def test_the_index_links_to_the_dashboard_by_its_title(client: Client, city: City) -> None:
    as_user(client, city.agency_admin_b)

    html = client.get(reverse("admin:index")).content.decode()

    assert "Dasbor Instansi B: keadaan hari ini" in html
    assert "Dasbor kota" not in html


def fragment_text(html: str) -> str:
    """The dashboard's state, without the page's scripts and styles."""
    return html[html.index('<div id="dashboard-state"') :]


def test_the_dashboard_refreshes_itself_with_htmx(client: Client, city: City) -> None:
    as_user(client, city.city_admin)

    page = client.get(reverse("admin:reports-dashboard")).content.decode()
    partial = client.get(reverse("admin:reports-dashboard"), headers={"HX-Request": "true"})

    assert 'hx-trigger="every 10s"' in page
    # The time of the figures as people read it elsewhere: 09.44, no seconds.
    assert re.search(r"Pukul \d{2}\.\d{2}</p>", page)
    assert not re.search(r"\d{2}:\d{2}:\d{2}", fragment_text(page))
    assert partial.status_code == 200
    fragment = partial.content.decode()
    assert fragment.lstrip().startswith('<div id="dashboard-state"')
    assert "<html" not in fragment


def test_the_planner_recommends_counters_for_the_city_admin(
    client: Client, hand_day: HandDay
) -> None:
    as_user(client, hand_day.city.city_admin)

    response = client.get(
        reverse("admin:reports-planner"),
        {
            "site": hand_day.city.site_s.pk,
            "day": "2026-06-08",
            "weeks": 4,
            "pattern": "uniform",
            "visitors": 60,
            "distribution": "exponential",
            "service_minutes": 7,
            "target_p90": 15,
            "counters_1": 1,
            "cap_1": 20,
            "counters_2": 3,
            "cap_2": 20,
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rekomendasi" in html
    assert html.count('data-chart="plan-chart-') == 3
    assert "1 loket, ruang 20" in html
    assert "3 loket, ruang 20" in html
    # Clock times (the charts' arrival times, the last visitor's end) as 09.00.
    assert '"09.00"' in html
    assert not re.search(r'"\d{2}:\d{2}"', html)
    assert re.search(r"<td[^>]*>\s*1\d\.\d{2}\s*</td>", html)


def test_the_planner_starts_from_a_default_plan(client: Client, hand_day: HandDay) -> None:
    as_user(client, hand_day.city.site_admin_s)

    response = client.get(reverse("admin:reports-planner"))

    assert response.status_code == 200
    assert b"Gerai S" in response.content


def test_the_planner_is_for_city_and_site_admins(client: Client, hand_day: HandDay) -> None:
    city = hand_day.city
    as_user(client, city.agency_admin_a)
    assert client.get(reverse("admin:reports-planner")).status_code == 403

    as_user(client, city.site_admin_s)
    response = client.get(
        reverse("admin:reports-planner"),
        {"site": city.site_t.pk, "day": "2026-06-08", "weeks": 4, "pattern": "history"},
    )
    assert response.status_code == 400


def test_the_pages_speak_english_too(client: Client, hand_day: HandDay) -> None:
    as_user(client, hand_day.city.city_admin)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}

    report = client.get(report_url("waktu"), ONE_DAY, **english).content.decode()
    planner = client.get(reverse("admin:reports-planner"), **english).content.decode()
    dashboard = client.get(reverse("admin:reports-dashboard"), **english).content.decode()

    assert "Waiting and service time per day (minutes)" in report
    assert "Median wait (min)" in report
    assert "Scenarios (leave the counters empty to skip one)" in planner
    assert "Service queues, longest wait first" in dashboard

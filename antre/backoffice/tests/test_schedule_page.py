"""The schedule page: who may open it, and a change walked through preview,
confirmation and apply over HTTP."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from antre.backoffice.tests.conftest import login
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.schedule import materialise_slots
from antre.booking.services import create_booking
from antre.catalog.models import Closure, ScheduleRule, SiteService
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.testing.personas import City

WIB = dt.timezone(dt.timedelta(hours=7))
WEDNESDAY = dt.date(2026, 6, 3)


def page_url(site_service: SiteService) -> str:
    return reverse("admin:schedule", args=[site_service.pk])


def change_url(site_service: SiteService, kind: str) -> str:
    return reverse("admin:schedule-change", args=[site_service.pk, kind])


@pytest.fixture
def offering(city: City) -> SiteService:
    site_service = city.site_service(city.site_s, city.service_a)
    f.ScheduleRuleFactory(
        site_service=site_service, starts_at=dt.time(9), ends_at=dt.time(11), capacity=2
    )
    materialise_slots(site_service=site_service)
    return site_service


def book_wednesday_nine(site_service: SiteService, **citizen: object) -> Booking:
    start = dt.datetime(2026, 6, 3, 9, tzinfo=WIB)
    slot = Slot.objects.get(site_service=site_service, start=start)
    return create_booking(citizen=f.CitizenFactory(**citizen), slot_id=slot.pk)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


CLOSURE = {"start_date": "2026-06-03", "end_date": "", "reason": "Pemadaman listrik"}


def test_the_index_lists_only_what_the_admin_schedules(client: Client, city: City) -> None:
    login(client, city.agency_admin_a)

    html = client.get(reverse("admin:schedule-index")).content.decode()

    assert html.count("Layanan A") == 2
    assert "Layanan B" not in html


@pytest.mark.parametrize(
    ("persona", "site", "service", "status"),
    [
        ("agency_admin_a", "site_s", "service_a", 200),
        ("agency_admin_a", "site_t", "service_a", 200),
        ("agency_admin_a", "site_s", "service_b", 404),
        ("agency_admin_b", "site_s", "service_a", 404),
        ("site_admin_s", "site_s", "service_b", 200),
        ("site_admin_s", "site_t", "service_a", 404),
        ("city_admin", "site_t", "service_b", 200),
    ],
)
def test_who_opens_which_schedule(
    client: Client, city: City, persona: str, site: str, service: str, status: int
) -> None:
    site_service = city.site_service(getattr(city, site), getattr(city, service))
    login(client, getattr(city, persona))

    assert client.get(page_url(site_service)).status_code == status
    assert client.get(change_url(site_service, "tutup")).status_code == status
    posted = client.post(change_url(site_service, "tutup"), {**CLOSURE, "step": "preview"})
    assert posted.status_code == status


def test_officers_and_citizens_have_no_schedule_page(client: Client, city: City) -> None:
    site_service = city.site_service(city.site_s, city.service_a)
    for user in (city.officer_s_a, city.citizen_a):
        login(client, user)
        response = client.get(page_url(site_service))
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_an_agency_admin_of_b_cannot_change_as_schedule(client: Client, city: City) -> None:
    site_service = city.site_service(city.site_s, city.service_a)
    login(client, city.agency_admin_b)

    response = client.post(
        change_url(site_service, "tutup"),
        {**CLOSURE, "step": "apply", "change_key": "k", "fingerprint": "x", "confirm": "on"},
    )

    assert response.status_code == 404
    assert not Closure.objects.exists()


def test_the_page_shows_rules_and_the_coming_slots(
    client: Client, city: City, offering: SiteService
) -> None:
    book_wednesday_nine(offering)
    login(client, city.site_admin_s)

    html = client.get(page_url(offering)).content.decode()

    assert "09.00–11.00" in html
    assert "Sen, Sel, Rab, Kam, Jum" in html or "Senin, Selasa" in html
    assert "1/2" in html  # Wednesday 09:00: one of two seats booked


def breadcrumb(html: str) -> list[str]:
    trail = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', html, re.S)
    assert trail, html
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li[^>]*>(.*?)</li>", trail[1])
    ]


def test_the_breadcrumb_names_the_service_and_site_once(
    client: Client, city: City, offering: SiteService
) -> None:
    login(client, city.site_admin_s)
    name = f"{offering.service.name} · {offering.site.name}"

    page = client.get(page_url(offering)).content.decode()
    change = client.get(change_url(offering, "tutup")).content.decode()

    assert breadcrumb(page) == ["Beranda", "Jadwal layanan", name]
    assert f'<li aria-current="page">{name}</li>' in page
    assert f"<title>Jadwal: {name} |" in page
    assert breadcrumb(change) == [
        "Beranda",
        "Jadwal layanan",
        name,
        "Tutup untuk satu hari atau lebih",
    ]
    assert "@" not in "".join(breadcrumb(page) + breadcrumb(change))


def test_the_closure_button_and_a_closed_day_translate_apart(
    client: Client, city: City, offering: SiteService
) -> None:
    f.ClosureFactory(
        site=offering.site, service=offering.service, start_date=dt.date(2026, 6, 4), reason="Rapat"
    )
    login(client, city.site_admin_s)

    indonesian = client.get(page_url(offering)).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(page_url(offering)).content.decode()

    closure = change_url(offering, "tutup")
    assert re.search(rf'href="{closure}">Tutup</a>', indonesian)
    assert "Tutup: Rapat" in indonesian
    assert re.search(rf'href="{closure}">Add closure</a>', english)
    assert "Closed: Rapat" in english
    # Clock times as each language writes them.
    assert "09.00–11.00" in indonesian
    assert "09:00–11:00" in english


def test_an_agency_admin_cannot_close_the_whole_site(
    client: Client, city: City, offering: SiteService
) -> None:
    login(client, city.agency_admin_a)
    form = client.get(change_url(offering, "tutup")).content.decode()
    assert 'name="whole_site"' not in form

    preview = client.post(
        change_url(offering, "tutup"), {**CLOSURE, "whole_site": "on", "step": "preview"}
    ).content.decode()
    client.post(
        change_url(offering, "tutup"),
        {
            **CLOSURE,
            "whole_site": "on",
            "step": "apply",
            "change_key": hidden(preview, "change_key"),
            "fingerprint": hidden(preview, "fingerprint"),
        },
    )

    closure = Closure.objects.get()
    assert closure.service == offering.service


def test_a_stranding_closure_needs_confirmation_then_cancels_and_tells(
    client: Client, city: City, offering: SiteService
) -> None:
    booking = book_wednesday_nine(offering, full_name="Budi Santoso")
    login(client, city.site_admin_s)

    preview = client.post(change_url(offering, "tutup"), {**CLOSURE, "step": "preview"})

    html = preview.content.decode()
    assert preview.status_code == 200
    assert booking.display_code in html
    # A site admin sees nothing of the account but the masked NIK (docs/privacy.md).
    assert "Budi Santoso" not in html
    assert booking.citizen.nik_masked in html
    assert booking.citizen.nik not in html
    assert not Closure.objects.exists()
    apply_data = {
        **CLOSURE,
        "step": "apply",
        "change_key": hidden(html, "change_key"),
        "fingerprint": hidden(html, "fingerprint"),
        "join_waitlist": "on",
    }

    unconfirmed = client.post(change_url(offering, "tutup"), apply_data)

    assert unconfirmed.status_code == 400
    assert "Centang konfirmasi" in unconfirmed.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not Closure.objects.exists()

    confirmed = client.post(change_url(offering, "tutup"), {**apply_data, "confirm": "on"})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == page_url(offering)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert Closure.objects.get().reason == "Pemadaman listrik"
    assert OutboxMessage.objects.filter(
        kind="booking_schedule_change", recipient=booking.citizen.email
    ).exists()
    event = AuditEvent.objects.get(action="schedule.change_applied")
    assert event.actor == city.site_admin_s

    # The same form sent again (a double click, a reload) changes nothing.
    again = client.post(change_url(offering, "tutup"), {**apply_data, "confirm": "on"})

    assert again.status_code == 302
    assert Closure.objects.count() == 1
    assert AuditEvent.objects.filter(action="schedule.change_applied").count() == 1


def test_a_stale_preview_is_shown_again_with_the_new_booking(
    client: Client, city: City, offering: SiteService
) -> None:
    login(client, city.agency_admin_a)
    data = {"day": "2026-06-03", "starts_at": "09:00", "capacity": "1"}
    book_wednesday_nine(offering)
    html = client.post(change_url(offering, "kapasitas"), {**data, "step": "preview"}).content
    assert b"0 pemesanan dibatalkan" in html
    late = book_wednesday_nine(offering, full_name="Dewi Lestari")

    response = client.post(
        change_url(offering, "kapasitas"),
        {
            **data,
            "step": "apply",
            "change_key": hidden(html.decode(), "change_key"),
            "fingerprint": hidden(html.decode(), "fingerprint"),
        },
    )

    assert response.status_code == 409
    assert late.display_code in response.content.decode()
    late.refresh_from_db()
    assert late.status == BookingStatus.CONFIRMED
    assert Slot.objects.get(pk=late.slot_id).capacity == 2


def test_adding_editing_and_deleting_a_rule(
    client: Client, city: City, offering: SiteService
) -> None:
    login(client, city.city_admin)
    rule_data = {
        "weekdays": ["5"],
        "starts_at": "08:00",
        "ends_at": "10:00",
        "slot_minutes": "60",
        "capacity": "4",
        "valid_from": "",
        "valid_until": "",
    }

    def submit(url: str, data: dict[str, object]) -> None:
        html = client.post(url, {**data, "step": "preview"}).content.decode()
        response = client.post(
            url,
            {
                **data,
                "step": "apply",
                "change_key": hidden(html, "change_key"),
                "fingerprint": hidden(html, "fingerprint"),
            },
        )
        assert response.status_code == 302

    submit(change_url(offering, "aturan"), rule_data)
    saturday_rule = ScheduleRule.objects.get(site_service=offering, weekdays=[5])
    # Saturdays have no opening hours at this site: an ordinary rule makes no slots there.
    assert not Slot.objects.filter(rule=saturday_rule).exists()

    edit = reverse("admin:schedule-rule-change", args=[offering.pk, "aturan", saturday_rule.pk])
    submit(edit, {**rule_data, "weekdays": ["3"], "capacity": "6"})
    saturday_rule.refresh_from_db()
    assert saturday_rule.weekdays == [3]
    assert set(Slot.objects.filter(rule=saturday_rule).values_list("capacity", flat=True)) == {6}

    delete = reverse(
        "admin:schedule-rule-change", args=[offering.pk, "hapus-aturan", saturday_rule.pk]
    )
    submit(delete, {})
    assert not ScheduleRule.objects.filter(pk=saturday_rule.pk).exists()


def test_bad_input_gets_a_readable_indonesian_message(
    client: Client, city: City, offering: SiteService
) -> None:
    login(client, city.site_admin_s)

    response = client.post(
        change_url(offering, "sesi"),
        {
            "day": "2026-06-06",
            "starts_at": "10:00",
            "ends_at": "09:00",
            "slot_minutes": "30",
            "capacity": "5",
            "step": "preview",
        },
    )

    assert response.status_code == 400
    assert "Jam selesai harus sesudah jam mulai." in response.content.decode()


def test_a_city_admin_sees_the_names_of_those_a_change_would_strand(
    client: Client, city: City, offering: SiteService
) -> None:
    book_wednesday_nine(offering, full_name="Budi Santoso")
    login(client, city.city_admin)

    preview = client.post(change_url(offering, "tutup"), {**CLOSURE, "step": "preview"})

    assert "Budi Santoso" in preview.content.decode()

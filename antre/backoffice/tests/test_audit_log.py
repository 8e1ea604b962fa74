"""The audit log page: scoped by role in both directions, filtered and
searched, paginated, read-only; citizens masked below the city admin; CSV
export for city admins only, and itself audited. Also the audited reveal of
a citizen's phone and NIK from the user admin (docs/privacy.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from antre.backoffice.tests.conftest import World, login
from antre.core import clock
from antre.core.audit import record_event
from antre.core.models import AuditEvent
from antre.testing.personas import City

pytestmark = pytest.mark.django_db

LOG = reverse("admin:core_auditevent_changelist")
EXPORT = reverse("admin:core_auditevent_export")


def shown(client: Client, **params: str) -> list[AuditEvent]:
    response = client.get(LOG, params)
    assert response.status_code == 200
    return list(response.context["cl"].queryset)


def about(events: list[AuditEvent]) -> set[str]:
    return {event.data.get("about", "") for event in events if event.action == "test.event"}


def test_a_city_admin_sees_every_event_including_unscoped_ones(
    client: Client, world: World
) -> None:
    city = world.city
    record_event(action="account.registered", actor=city.citizen_a, target=city.citizen_a)

    events = shown(login(client, city.city_admin))

    assert len(about(events)) == 4
    assert "account.registered" in {event.action for event in events}


def test_a_site_admin_sees_their_sites_events_only(client: Client, world: World) -> None:
    city = world.city
    record_event(action="account.registered", actor=city.citizen_a, target=city.citizen_a)

    events = shown(login(client, city.site_admin_s))

    assert events
    assert all(event.site_id == city.site_s.pk for event in events)
    assert about(events) == {
        str(city.site_service(city.site_s, city.service_a)),
        str(city.site_service(city.site_s, city.service_b)),
    }
    outside = AuditEvent.objects.exclude(site=city.site_s).first()
    assert outside is not None
    change = reverse("admin:core_auditevent_change", args=[outside.pk])
    assert client.get(change).status_code in (302, 403, 404)


def test_an_agency_admin_sees_their_agencys_events_at_every_site_only(
    client: Client, world: World
) -> None:
    city = world.city

    events_a = shown(login(client, city.agency_admin_a))
    events_b = shown(login(Client(), city.agency_admin_b))

    assert {event.agency_id for event in events_a} == {city.agency_a.pk}
    assert {event.site_id for event in events_a} == {city.site_s.pk, city.site_t.pk}
    assert {event.agency_id for event in events_b} == {city.agency_b.pk}


@pytest.mark.parametrize("persona", ["officer_s_a", "kiosk_s", "board_s", "citizen_a"])
def test_officers_devices_and_citizens_have_no_audit_log(
    client: Client, world: World, persona: str
) -> None:
    login(client, getattr(world.city, persona))

    for path in (LOG, EXPORT):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_the_log_is_read_only(client: Client, world: World) -> None:
    login(client, world.city.city_admin)
    event = AuditEvent.objects.first()
    assert event is not None

    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    page = client.get(reverse("admin:core_auditevent_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in page


def test_filters_by_date_range_actor_action_object_site_and_free_text(
    client: Client, world: World, frozen_clock
) -> None:
    city = world.city
    login(client, city.city_admin)
    frozen_clock.advance(days=3)
    late = record_event(
        action="slot.changed",
        actor=city.site_admin_s,
        target=world.slots[("gerai-s", "layanan-a")],
        site_id=city.site_s.pk,
        data={"note": "kapasitas dinaikkan"},
    )
    today = clock.today("Asia/Jakarta").isoformat()
    before = (clock.today("Asia/Jakarta") - dt.timedelta(days=1)).isoformat()

    assert shown(client, dari=today) == [late]
    assert late not in shown(client, sampai=before)
    assert shown(client, pelaku="admin-s") == [late]
    assert shown(client, tindakan="slot.changed") == [late]
    assert shown(client, jenis_objek="booking.Slot", id_objek=str(late.target_id)) == [late]
    assert late in shown(client, site__id__exact=str(city.site_s.pk))
    assert late not in shown(client, site__id__exact=str(city.site_t.pk))
    assert shown(client, q="dinaikkan") == [late]


def test_the_log_is_paginated(client: Client, world: World) -> None:
    for number in range(60):
        record_event(action="test.bulk", site_id=world.city.site_s.pk, data={"n": number})
    login(client, world.city.city_admin)

    first = client.get(LOG, {"tindakan": "test.bulk"})
    second = client.get(LOG, {"tindakan": "test.bulk", "p": "2"})

    assert len(first.context["cl"].result_list) == 50
    assert len(second.context["cl"].result_list) == 10


def test_a_citizen_actor_is_masked_and_unsearchable_below_the_city_admin(
    client: Client, world: World
) -> None:
    city = world.city
    event = record_event(
        action="booking.created",
        actor=city.citizen_a,
        target=world.bookings[("gerai-s", "layanan-a")],
        site_id=city.site_s.pk,
        agency_id=city.agency_a.pk,
    )
    email = city.citizen_a.email
    detail = reverse("admin:core_auditevent_change", args=[event.pk])

    site_page = login(client, city.site_admin_s).get(LOG).content.decode()
    city_page = login(Client(), city.city_admin).get(LOG).content.decode()

    assert email not in site_page
    assert f"{email[0]}***@" in site_page
    assert email in city_page
    assert shown(client, pelaku=email) == []
    assert shown(client, q=email) == []
    detail_page = client.get(detail).content.decode()
    assert "booking.created" in detail_page
    assert email not in detail_page


def test_only_a_city_admin_exports_and_the_export_is_audited(client: Client, world: World) -> None:
    city = world.city
    site_admin = login(Client(), city.site_admin_s)
    assert "Ekspor CSV" not in site_admin.get(LOG).content.decode()
    refused = site_admin.get(EXPORT)
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(action="audit.exported").exists()

    login(client, city.city_admin)
    assert "Ekspor CSV" in client.get(LOG).content.decode()
    response = client.get(EXPORT, {"site__id__exact": str(city.site_s.pk)})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows
    assert {row["gerai"] for row in rows} == {city.site_s.name}
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor == city.city_admin
    assert exported.data["filters"] == {"site__id__exact": str(city.site_s.pk)}
    assert exported.data["rows"] == len(rows)


def test_an_exported_cell_cannot_run_as_a_formula(client: Client, world: World) -> None:
    record_event(action="=HYPERLINK(1)", data={})
    login(client, world.city.city_admin)

    text = b"".join(client.get(EXPORT).streaming_content).decode()

    assert "'=HYPERLINK(1)" in text


# --- the user admin and the reveal page ----------------------------------------


def test_the_user_admin_shows_the_phone_and_nik_masked(client: Client, city: City) -> None:
    login(client, city.city_admin)

    page = client.get(
        reverse("admin:accounts_user_change", args=[city.citizen_a.pk])
    ).content.decode()

    assert str(city.citizen_a.phone) not in page
    assert city.citizen_a.phone.as_national not in page
    assert city.citizen_a.nik not in page
    assert city.citizen_a.nik_masked in page
    assert reverse("admin:citizen-personal-data", args=[city.citizen_a.pk]) in page


def test_a_city_admin_reveals_a_phone_explicitly_and_it_is_audited(
    client: Client, city: City
) -> None:
    login(client, city.city_admin)
    url = reverse("admin:citizen-personal-data", args=[city.citizen_a.pk])

    page = client.get(url).content.decode()
    assert str(city.citizen_a.phone) not in page
    assert not AuditEvent.objects.filter(action="privacy.revealed").exists()

    response = client.post(url, {"what": "phone"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert str(city.citizen_a.phone) in response.content.decode()
    assert city.citizen_a.nik not in response.content.decode()
    event = AuditEvent.objects.get(action="privacy.revealed")
    assert (event.actor, event.target_id, event.data["field"]) == (
        city.city_admin,
        str(city.citizen_a.pk),
        "phone",
    )


@pytest.mark.parametrize("persona", ["site_admin_s", "agency_admin_a"])
def test_site_and_agency_admins_cannot_reveal(client: Client, city: City, persona: str) -> None:
    login(client, getattr(city, persona))
    url = reverse("admin:citizen-personal-data", args=[city.citizen_a.pk])

    response = client.post(url, {"what": "nik"})

    assert response.status_code == 403
    assert city.citizen_a.nik not in response.content.decode()
    assert not AuditEvent.objects.filter(action="privacy.revealed").exists()


@pytest.mark.parametrize("persona", ["site_admin_s", "agency_admin_a", "city_admin"])
def test_booking_lists_show_the_masked_nik_and_no_contact_data(
    client: Client, world: World, persona: str
) -> None:
    booking = world.bookings[("gerai-s", "layanan-a")]
    citizen = booking.citizen
    assert citizen is not None
    login(client, getattr(world.city, persona))

    listing = client.get(reverse("admin:booking_booking_changelist")).content.decode()
    detail = client.get(reverse("admin:booking_booking_change", args=[booking.pk]))

    assert citizen.nik_masked in listing
    for page in (listing, detail.content.decode()):
        assert citizen.nik not in page
        assert str(citizen.phone) not in page
        assert citizen.email not in page


def test_each_action_is_said_in_words_beside_its_code(client: Client, world: World) -> None:
    city = world.city
    record_event(action="booking.created", actor=city.citizen_a, target=city.citizen_a)
    record_event(action="catalog.closure.created", actor=city.city_admin)
    record_event(action="something.new", actor=city.city_admin)

    page = login(client, city.city_admin).get(LOG).content.decode()

    assert "Pemesanan dibuat" in page
    from antre.catalog.models import Closure

    assert f"{str(Closure._meta.verbose_name).capitalize()} dibuat" in page
    assert "something.new" in page  # an action not described keeps its code


def test_every_action_antre_records_is_described() -> None:
    """A new action gets its words with it (the back office's own model
    changes are described by their model and verb)."""
    import re
    from pathlib import Path

    from antre.backoffice.admin.audit import describe_action

    root = Path(__file__).resolve().parents[2]
    recorded = set()
    for source in root.rglob("*.py"):
        if "tests" in source.parts or "migrations" in source.parts:
            continue
        text = source.read_text()
        recorded.update(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', text))
        for name in re.findall(r"action=([A-Z_]+)\b", text):  # a constant of the module
            recorded.update(re.findall(rf'^{name} = "([a-z_.]+)"$', text, re.MULTILINE))
    recorded = {action for action in recorded if not action.startswith("test.")}
    assert recorded
    undescribed = sorted(action for action in recorded if describe_action(action) == action)
    assert not undescribed, undescribed

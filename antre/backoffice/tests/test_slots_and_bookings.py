"""Slots: only the seats change, never below the booked ones. Bookings: read-only,
times at the site's clock, the NIK masked."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from antre.backoffice.tests.conftest import World, changelist, login
from antre.booking.models import Slot
from antre.core.models import AuditEvent
from antre.testing import factories as f
from antre.testing.personas import City


def test_an_agency_admin_changes_a_slots_capacity_only(client: Client, world: World) -> None:
    slot = world.slots[("gerai-s", "layanan-a")]
    login(client, world.city.agency_admin_a)

    response = client.post(
        reverse("admin:booking_slot_change", args=[slot.pk]),
        {"capacity": 3, "booked": 0, "is_open": "", "start": "2030-01-01 00:00"},
    )

    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.capacity, slot.booked, slot.is_open) == (3, 1, True)
    assert slot.start == dt.datetime(2026, 6, 4, 9, 0, tzinfo=dt.UTC)
    event = AuditEvent.objects.get(action="booking.slot.changed")
    assert (event.site_id, event.agency_id) == (world.city.site_s.pk, world.city.agency_a.pk)


def test_a_slots_capacity_cannot_go_below_its_bookings(client: Client, world: World) -> None:
    slot = world.slots[("gerai-s", "layanan-a")]
    Slot.objects.filter(pk=slot.pk).update(booked=4)
    login(client, world.city.site_admin_s)

    response = client.post(reverse("admin:booking_slot_change", args=[slot.pk]), {"capacity": 2})

    assert response.status_code == 200
    slot.refresh_from_db()
    assert slot.capacity == 10


def test_a_slot_form_shows_booked_seats_read_only(client: Client, world: World) -> None:
    slot = world.slots[("gerai-s", "layanan-a")]
    login(client, world.city.site_admin_s)

    content = client.get(reverse("admin:booking_slot_change", args=[slot.pk])).content.decode()

    assert 'name="capacity"' in content
    assert 'name="booked"' not in content
    assert 'name="is_open"' not in content


def test_nobody_adds_or_deletes_slots_by_hand(client: Client, world: World) -> None:
    slot = world.slots[("gerai-s", "layanan-a")]
    login(client, world.city.city_admin)

    assert client.get(reverse("admin:booking_slot_add")).status_code == 403
    assert client.get(reverse("admin:booking_slot_delete", args=[slot.pk])).status_code == 403


def test_past_slots_are_read_only(client: Client, city: City) -> None:
    past = f.SlotFactory(
        site_service=city.site_service(city.site_s, city.service_a),
        start=dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC),
    )
    login(client, city.site_admin_s)

    response = client.post(reverse("admin:booking_slot_change", args=[past.pk]), {"capacity": 1})

    assert response.status_code == 403


def test_slot_times_are_shown_at_the_sites_clock(client: Client, city: City) -> None:
    makassar = f.SiteFactory(slug="gerai-makassar", name="Gerai M", timezone="Asia/Makassar")
    site_service = f.SiteServiceFactory(site=makassar, service=city.service_a)
    f.SlotFactory(site_service=site_service, start=dt.datetime(2026, 6, 4, 1, 0, tzinfo=dt.UTC))
    login(client, city.city_admin)

    content = client.get(
        changelist("booking_slot") + f"?site_service__site__id__exact={makassar.pk}"
    )

    assert "04-06-2026 9.00 WITA" in content.content.decode()


def test_bookings_are_read_only_for_every_admin(client: Client, world: World) -> None:
    booking = world.bookings[("gerai-s", "layanan-a")]

    for user in (world.city.city_admin, world.city.site_admin_s, world.city.agency_admin_a):
        client.force_login(user)
        view = client.get(reverse("admin:booking_booking_change", args=[booking.pk]))
        post = client.post(
            reverse("admin:booking_booking_change", args=[booking.pk]), {"status": "cancelled"}
        )
        assert view.status_code == 200
        assert post.status_code == 403
        assert client.get(reverse("admin:booking_booking_add")).status_code == 403
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_bookings_show_the_code_the_slot_time_and_only_a_masked_nik(
    client: Client, world: World
) -> None:
    booking = world.bookings[("gerai-s", "layanan-a")]
    citizen = booking.citizen
    assert citizen is not None
    login(client, world.city.site_admin_s)

    listing = client.get(changelist("booking_booking")).content.decode()
    detail = client.get(reverse("admin:booking_booking_change", args=[booking.pk])).content.decode()

    for content in (listing, detail):
        assert booking.display_code in content
        assert citizen.nik_masked in content
        assert citizen.nik not in content
        assert "04-06-2026 16.00 WIB" in content  # 09:00 UTC, Indonesian format
    assert citizen.email not in detail


def test_bookings_are_found_by_their_code_only(client: Client, world: World) -> None:
    booking = world.bookings[("gerai-s", "layanan-a")]
    login(client, world.city.city_admin)

    typed = booking.display_code.lower()
    found = client.get(changelist("booking_booking"), {"q": typed}).content.decode()
    prefix = client.get(changelist("booking_booking"), {"q": booking.code[:4]}).content.decode()

    assert booking.display_code in found
    assert booking.display_code not in prefix


def test_a_booking_of_another_site_is_not_found_by_code(client: Client, world: World) -> None:
    booking_t = world.bookings[("gerai-t", "layanan-a")]
    login(client, world.city.site_admin_s)

    content = client.get(changelist("booking_booking"), {"q": booking_t.code}).content.decode()

    assert booking_t.display_code not in content

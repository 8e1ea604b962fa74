"""The seat policy of a service in the back office: the measured no-show rate
beside the overbooking field, the cap it sets, and future slots resized on save."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from antre.backoffice.tests.conftest import World, login
from antre.backoffice.tests.test_scoping import service_form_data
from antre.booking.models import BookingStatus
from antre.core import clock
from antre.testing import factories as f


def past_bookings(world: World, *, no_shows: int, completed: int) -> None:
    city = world.city
    start = clock.now() - dt.timedelta(days=5)
    slot = f.SlotFactory(
        site_service=city.site_service(city.site_s, city.service_a),
        start=start,
        capacity=no_shows + completed,
    )
    for status, count in ((BookingStatus.NO_SHOW, no_shows), (BookingStatus.COMPLETED, completed)):
        for _ in range(count):
            f.BookingFactory(slot=slot, status=status)


def post_policy(client: Client, world: World, **policy: object) -> object:
    service = world.city.service_a
    data = service_form_data(world.city.agency_a.pk, service.slug) | {
        "ticket_prefix": service.ticket_prefix,
        "release_window_hours": 24,
        **policy,
    }
    return client.post(reverse("admin:catalog_service_change", args=[service.pk]), data)


def test_the_measured_rate_is_shown_beside_the_overbooking_field(client: Client, world: World):
    past_bookings(world, no_shows=2, completed=8)
    login(client, world.city.agency_admin_a)

    page = client.get(reverse("admin:catalog_service_change", args=[world.city.service_a.pk]))

    text = page.content.decode()
    assert "Terukur: 20% tidak hadir (2 dari 10" in text
    assert 'name="reserve_percent"' in text
    assert 'name="confirmation_required"' in text


def test_overbooking_above_the_measured_rate_is_refused(client: Client, world: World):
    past_bookings(world, no_shows=2, completed=8)
    login(client, world.city.agency_admin_a)

    refused = post_policy(client, world, overbook_percent=25)
    assert refused.status_code == 200  # the form again, with the error
    assert "Paling banyak 20%" in refused.content.decode()

    city = world.city
    start = clock.now() + dt.timedelta(days=10)
    slot = f.SlotFactory(
        site_service=city.site_service(city.site_s, city.service_a), start=start, capacity=10
    )
    accepted = post_policy(client, world, overbook_percent=20, reserve_percent=30)
    assert accepted.status_code == 302
    slot.refresh_from_db()
    assert (slot.overbook, slot.reserved) == (2, 3)

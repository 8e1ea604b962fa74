"""What each admin persona sees in the lists and may open, change and add."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from antre.accounts.models import Role
from antre.backoffice.tests.conftest import SCOPED_CHANGELISTS, World, changelist, login
from antre.catalog.models import Service
from antre.testing.personas import staff

# Lists in which every row names its service.
SERVICE_LISTS = [
    "catalog_service",
    "catalog_siteservice",
    "catalog_schedulerule",
    "booking_slot",
    "booking_booking",
    "onsite_ticket",
    "waitlist_waitlistentry",
]
# Lists in which every row names its site.
SITE_LISTS = [
    "catalog_site",
    "catalog_siteservice",
    "catalog_counter",
    "catalog_closure",
    "catalog_schedulerule",
    "booking_slot",
    "booking_booking",
    "onsite_ticket",
    "core_auditevent",
]


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def service_form_data(agency_id: int, slug: str) -> dict[str, object]:
    return {
        "agency": agency_id,
        "name": f"Layanan {slug}",
        "slug": slug,
        "description": "",
        "ticket_prefix": "Z",
        "duration_minutes": 15,
        "requirements": "KTP-el asli\nFotokopi KK",
        "booking_opens_days": 30,
        "booking_closes_minutes": 60,
        "walk_in_allowed": "on",
        "walk_in_daily_quota": 20,
        # The seat policy (antre.booking.policy, antre.booking.confirmation).
        "reserve_percent": 0,
        "reserve_window_days": 14,
        "reserve_release_hours": 24,
        "overbook_percent": 0,
        "confirm_working_days": 2,
        "confirm_release_hours": 24,
        # Fair release (antre.waitlist.release): off, with its window's length.
        "release_window_hours": 24,
        "is_active": "on",
    }


def refused(response: object) -> bool:
    """Django's admin answers a row outside the queryset with a redirect to
    the index ("does not exist"), a forbidden one with 403."""
    return getattr(response, "status_code", None) in {302, 403, 404}


@pytest.mark.parametrize("name", SERVICE_LISTS)
def test_agency_admin_a_sees_layanan_a_and_not_layanan_b(
    client: Client, world: World, name: str
) -> None:
    login(client, world.city.agency_admin_a)

    content = page(client, changelist(name))

    assert "Layanan A" in content
    assert "Layanan B" not in content


@pytest.mark.parametrize("name", SERVICE_LISTS)
def test_agency_admin_b_sees_nothing_of_agency_a(client: Client, world: World, name: str) -> None:
    login(client, world.city.agency_admin_b)

    content = page(client, changelist(name))

    assert "Layanan B" in content
    assert "Layanan A" not in content


def test_agency_admin_sees_only_the_closures_and_audit_of_their_agency(
    client: Client, world: World
) -> None:
    login(client, world.city.agency_admin_a)

    closures = page(client, changelist("catalog_closure"))
    audit = page(client, changelist("core_auditevent"))

    assert "Tutup layanan-a di gerai-s" in closures
    assert "Tutup layanan-b" not in closures
    # Rows only: the action filter beside the list names "test.event" too.
    assert audit.count('<td class="field-action_shown">test.event') == 2


def test_agency_admin_a_cannot_open_layanan_b(client: Client, world: World) -> None:
    login(client, world.city.agency_admin_a)
    service_b = world.city.service_b
    rule_b = world.rules[("gerai-s", "layanan-b")]
    slot_b = world.slots[("gerai-t", "layanan-b")]
    booking_b = world.bookings[("gerai-s", "layanan-b")]

    for path in [
        reverse("admin:catalog_service_change", args=[service_b.pk]),
        reverse("admin:catalog_schedulerule_change", args=[rule_b.pk]),
        reverse("admin:booking_slot_change", args=[slot_b.pk]),
        reverse("admin:booking_booking_change", args=[booking_b.pk]),
    ]:
        response = client.get(path)
        assert refused(response), path
        assert "Layanan B" not in response.content.decode()


def test_agency_admin_a_cannot_change_or_delete_layanan_b(client: Client, world: World) -> None:
    login(client, world.city.agency_admin_a)
    service_b = world.city.service_b
    data = service_form_data(world.city.agency_b.pk, "layanan-b") | {"name": "Diambil alih"}

    change = client.post(reverse("admin:catalog_service_change", args=[service_b.pk]), data)
    delete = client.post(
        reverse("admin:catalog_service_delete", args=[service_b.pk]), {"post": "yes"}
    )

    assert refused(change)
    assert refused(delete)
    service_b.refresh_from_db()
    assert service_b.name == "Layanan B"


def test_agency_admin_a_cannot_add_a_service_for_agency_b(client: Client, world: World) -> None:
    login(client, world.city.agency_admin_a)

    form = page(client, reverse("admin:catalog_service_add"))
    response = client.post(
        reverse("admin:catalog_service_add"),
        service_form_data(world.city.agency_b.pk, "layanan-b-palsu"),
    )

    assert "Instansi B" not in form
    assert ">B<" not in form
    assert response.status_code == 200  # the form again, with the error
    assert not Service.objects.filter(slug="layanan-b-palsu").exists()


def test_agency_admin_a_adds_a_service_for_agency_a(client: Client, world: World) -> None:
    login(client, world.city.agency_admin_a)

    response = client.post(
        reverse("admin:catalog_service_add"),
        service_form_data(world.city.agency_a.pk, "layanan-a-baru"),
    )

    assert response.status_code == 302
    service = Service.objects.get(slug="layanan-a-baru")
    assert service.agency == world.city.agency_a
    assert service.requirements == ["KTP-el asli", "Fotokopi KK"]


def test_agency_admin_changes_their_service_but_not_its_slug(client: Client, world: World) -> None:
    login(client, world.city.agency_admin_a)
    service_a = world.city.service_a
    data = service_form_data(world.city.agency_a.pk, "dibajak") | {"duration_minutes": 25}

    response = client.post(reverse("admin:catalog_service_change", args=[service_a.pk]), data)

    assert response.status_code == 302
    service_a.refresh_from_db()
    assert service_a.duration_minutes == 25
    assert service_a.slug == "layanan-a"


def test_agency_admin_only_views_what_a_site_admin_configures(client: Client, world: World) -> None:
    login(client, world.city.agency_admin_a)
    site_service = world.city.site_service(world.city.site_s, world.city.service_a)

    view = client.get(reverse("admin:catalog_siteservice_change", args=[site_service.pk]))
    post = client.post(
        reverse("admin:catalog_siteservice_change", args=[site_service.pk]),
        {"site": site_service.site_id, "service": site_service.service_id, "is_active": ""},
    )

    assert view.status_code == 200
    assert 'name="walk_in_daily_quota"' not in view.content.decode()
    assert post.status_code == 403
    site_service.refresh_from_db()
    assert site_service.is_active
    assert client.get(reverse("admin:catalog_siteservice_add")).status_code == 403
    assert client.get(reverse("admin:catalog_site_add")).status_code == 403


def test_agency_admin_of_one_site_sees_their_agency_there_only(
    client: Client, world: World
) -> None:
    admin_a_at_t = staff(
        "admin-a-t", Role.AGENCY_ADMIN, agency=world.city.agency_a, site=world.city.site_t
    )
    login(client, admin_a_at_t)

    rules = page(client, changelist("catalog_schedulerule"))
    services = page(client, changelist("catalog_service"))
    service_a = client.get(reverse("admin:catalog_service_change", args=[world.city.service_a.pk]))

    assert "Layanan A @ Gerai T" in rules
    assert "Gerai S" not in rules
    assert "Layanan B" not in rules
    assert "Layanan A" in services
    # A service is the same at every site: seen, not changed, by a one-site admin.
    assert service_a.status_code == 200
    assert 'name="duration_minutes"' not in service_a.content.decode()


@pytest.mark.parametrize("name", SITE_LISTS)
def test_site_admin_s_sees_nothing_of_site_t(client: Client, world: World, name: str) -> None:
    login(client, world.city.site_admin_s)

    content = page(client, changelist(name))

    assert "Gerai S" in content
    assert "Gerai T" not in content
    assert "gerai-t" not in content


@pytest.mark.parametrize("name", ["booking_slot", "catalog_schedulerule", "booking_booking"])
def test_site_admin_sees_every_agency_at_their_site(
    client: Client, world: World, name: str
) -> None:
    login(client, world.city.site_admin_s)

    content = page(client, changelist(name))

    assert "Layanan A" in content
    assert "Layanan B" in content


def test_site_admin_s_cannot_open_or_change_site_t(client: Client, world: World) -> None:
    login(client, world.city.site_admin_s)
    site_t = world.city.site_t
    rule_t = world.rules[("gerai-t", "layanan-a")]

    assert refused(client.get(reverse("admin:catalog_site_change", args=[site_t.pk])))
    assert refused(client.get(reverse("admin:catalog_schedulerule_change", args=[rule_t.pk])))
    response = client.post(
        reverse("admin:catalog_site_change", args=[site_t.pk]),
        {"name": "Diambil alih", "timezone": "Asia/Jakarta"},
    )
    assert refused(response)
    site_t.refresh_from_db()
    assert site_t.name == "Gerai T"


def test_site_admin_cannot_pick_another_site(client: Client, world: World) -> None:
    login(client, world.city.site_admin_s)
    site_t = world.city.site_t
    new_service = Service.objects.create(
        agency=world.city.agency_a, slug="layanan-c", name="Layanan C", ticket_prefix="C"
    )

    form = page(client, reverse("admin:catalog_siteservice_add"))
    response = client.post(
        reverse("admin:catalog_siteservice_add"),
        {"site": site_t.pk, "service": new_service.pk, "is_active": "on"},
    )

    assert "Gerai T" not in form
    assert "Layanan C" in form  # any of the city's services may be offered at S
    assert response.status_code == 200
    assert not new_service.site_services.exists()


def test_site_admin_offers_a_service_at_their_site(client: Client, world: World) -> None:
    login(client, world.city.site_admin_s)
    new_service = Service.objects.create(
        agency=world.city.agency_a, slug="layanan-c", name="Layanan C", ticket_prefix="C"
    )

    response = client.post(
        reverse("admin:catalog_siteservice_add"),
        {"site": world.city.site_s.pk, "service": new_service.pk, "is_active": "on"},
    )

    assert response.status_code == 302
    assert new_service.site_services.get().site == world.city.site_s


def test_site_admin_edits_their_site_but_not_its_slug(client: Client, world: World) -> None:
    login(client, world.city.site_admin_s)
    site_s = world.city.site_s
    data = {
        "slug": "dibajak",
        "name": "Gerai S Baru",
        "address": site_s.address,
        "timezone": "Asia/Jakarta",
        "room_capacity": 40,
        "checkin_opens_minutes": 30,
        "checkin_closes_minutes": 15,
        "appointment_due_minutes": 10,
        "walk_in_share": 3,
        "no_show_after_recalls": 2,
        "is_active": "on",
        "opening_hours-TOTAL_FORMS": 0,
        "opening_hours-INITIAL_FORMS": 0,
    }

    response = client.post(reverse("admin:catalog_site_change", args=[site_s.pk]), data)

    assert response.status_code == 302
    site_s.refresh_from_db()
    assert (site_s.name, site_s.room_capacity, site_s.slug) == ("Gerai S Baru", 40, "gerai-s")


def test_site_admin_cannot_add_or_delete_sites_or_services(client: Client, world: World) -> None:
    login(client, world.city.site_admin_s)

    assert client.get(reverse("admin:catalog_site_add")).status_code == 403
    assert client.get(reverse("admin:catalog_service_add")).status_code == 403
    assert client.get(reverse("admin:catalog_agency_add")).status_code == 403
    assert (
        client.get(reverse("admin:catalog_site_delete", args=[world.city.site_s.pk])).status_code
        == 403
    )


@pytest.mark.parametrize("name", SCOPED_CHANGELISTS)
def test_city_admin_sees_everything(client: Client, world: World, name: str) -> None:
    login(client, world.city.city_admin)

    content = page(client, changelist(name))

    if name in SITE_LISTS:
        assert "Gerai S" in content
        assert "Gerai T" in content
    if name in SERVICE_LISTS:
        assert "Layanan A" in content
        assert "Layanan B" in content


def test_city_admin_adds_a_site_and_an_agency(client: Client, world: World) -> None:
    login(client, world.city.city_admin)

    site = client.post(
        reverse("admin:catalog_site_add"),
        {
            "slug": "gerai-u",
            "name": "Gerai U",
            "timezone": "Asia/Makassar",
            "room_capacity": 20,
            "checkin_opens_minutes": 30,
            "checkin_closes_minutes": 15,
            "appointment_due_minutes": 10,
            "walk_in_share": 3,
            "no_show_after_recalls": 2,
            "is_active": "on",
            "opening_hours-TOTAL_FORMS": 1,
            "opening_hours-INITIAL_FORMS": 0,
            "opening_hours-0-weekday": 0,
            "opening_hours-0-opens": "08:00",
            "opening_hours-0-closes": "14:00",
        },
    )
    agency = client.post(
        reverse("admin:catalog_agency_add"),
        {"slug": "instansi-c", "name": "Instansi C", "short_name": "C"},
    )

    assert site.status_code == 302
    assert agency.status_code == 302
    assert world.city.site_s.__class__.objects.get(slug="gerai-u").opening_hours.count() == 1


@pytest.mark.parametrize(
    ("persona", "site_help", "service_help"),
    [
        ("agency_admin_a", "Kosongkan untuk menutup layanan itu", "Wajib: layanan instansi Anda"),
        ("site_admin_s", "Wajib: gerai yang Anda kelola", "Kosongkan untuk menutup semua layanan"),
    ],
)
def test_the_closure_form_says_what_each_admin_must_fill(
    client: Client, world: World, persona: str, site_help: str, service_help: str
) -> None:
    """An empty site or service means "all": the form says so only to whoever may
    close all of them (an agency admin left it empty and was refused)."""
    login(client, getattr(world.city, persona))

    form = page(client, reverse("admin:catalog_closure_add"))

    assert site_help in form
    assert service_help in form
    assert "Kosongkan untuk menutup semua gerai" not in form

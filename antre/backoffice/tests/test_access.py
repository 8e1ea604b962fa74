"""Who gets into the back office at all, and which lists each admin may open."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from antre.accounts.models import Role, User
from antre.backoffice.tests.conftest import (
    ALL_CHANGELISTS,
    CITY_ONLY_CHANGELISTS,
    SCOPED_CHANGELISTS,
    World,
    changelist,
    login,
)
from antre.testing.personas import City, staff

OUTSIDERS = ["citizen_a", "officer_s_a", "kiosk_s", "board_s"]
ADMINS = ["agency_admin_a", "agency_admin_b", "site_admin_s", "city_admin"]


def is_sent_to_login(response: object, path: str) -> bool:
    status = getattr(response, "status_code", None)
    location = getattr(response, "headers", {}).get("Location", "")
    return status == 302 and location.startswith(reverse("admin:login"))


def test_anonymous_visitors_are_sent_to_the_login(client: Client, world: World) -> None:
    for name in ["index", *[f"{item}_changelist" for item in ALL_CHANGELISTS]]:
        path = reverse(f"admin:{name}")
        assert is_sent_to_login(client.get(path), path), path


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_citizens_officers_and_devices_are_kept_out(
    client: Client, world: World, persona: str
) -> None:
    login(client, getattr(world.city, persona))

    for name in ["index", *[f"{item}_changelist" for item in ALL_CHANGELISTS]]:
        path = reverse(f"admin:{name}")
        assert is_sent_to_login(client.get(path), path), path


def test_a_staff_flag_without_an_admin_role_is_not_enough(client: Client, world: World) -> None:
    officer = world.city.officer_s_a
    officer.is_staff = True
    officer.save()
    login(client, officer)

    response = client.get(reverse("admin:index"))

    assert is_sent_to_login(response, reverse("admin:index"))


@pytest.mark.parametrize("persona", ADMINS)
def test_admins_open_the_index_without_any_permission_rows(
    client: Client, world: World, persona: str
) -> None:
    user = getattr(world.city, persona)
    assert not user.user_permissions.exists()
    assert not Permission.objects.filter(group__user=user).exists()
    login(client, user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200


@pytest.mark.parametrize("persona", ADMINS)
@pytest.mark.parametrize("name", SCOPED_CHANGELISTS)
def test_every_admin_opens_the_scoped_lists(
    client: Client, world: World, persona: str, name: str
) -> None:
    login(client, getattr(world.city, persona))

    assert client.get(changelist(name)).status_code == 200


@pytest.mark.parametrize("persona", ["agency_admin_a", "site_admin_s"])
@pytest.mark.parametrize("name", CITY_ONLY_CHANGELISTS)
def test_accounts_tokens_and_the_outbox_are_the_city_admins_alone(
    client: Client, world: World, persona: str, name: str
) -> None:
    login(client, getattr(world.city, persona))

    assert client.get(changelist(name)).status_code == 403


@pytest.mark.parametrize("name", CITY_ONLY_CHANGELISTS)
def test_the_city_admin_opens_accounts_tokens_and_the_outbox(
    client: Client, world: World, name: str
) -> None:
    login(client, world.city.city_admin)

    assert client.get(changelist(name)).status_code == 200


def test_the_index_lists_only_what_the_role_may_see(client: Client, world: World) -> None:
    login(client, world.city.site_admin_s)

    content = client.get(reverse("admin:index")).content.decode()

    assert changelist("catalog_schedulerule") in content
    assert changelist("accounts_user") not in content
    assert changelist("notifications_outboxmessage") not in content


def superuser() -> User:
    """The worker's task results are superusers' alone (Django's permissions)."""
    return User.objects.create_superuser(username="root", email="root@antre.test", password="x")


def test_the_index_names_every_section_in_indonesian(client: Client, world: World) -> None:
    login(client, superuser())

    content = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="id").content.decode()

    # The audit log's app (antre.core) and django-tasks-db's job results.
    assert ">Sistem</a>" in content
    assert ">Tugas latar belakang</a>" in content
    assert ">Hasil tugas latar belakang</a>" in content
    for english_or_odd in ("Tasks Database Backend", "Task Results", ">Inti<"):
        assert english_or_odd not in content


def test_the_tasks_app_page_and_english_use_the_new_names(client: Client, world: World) -> None:
    login(client, superuser())
    client.cookies["django_language"] = "en"

    content = client.get(reverse("admin:app_list", args=["django_tasks_database"])).content.decode()

    assert "Background jobs" in content
    assert "Background job results" in content
    assert "Task Results" not in content


def test_a_demo_style_site_admin_account_works(client: Client, city: City) -> None:
    # What the demo seeds: a staff account with a role and nothing else.
    admin_t = staff("admin-gerai-t", Role.SITE_ADMIN, site=city.site_t)
    login(client, admin_t)

    response = client.get(changelist("catalog_siteservice"))

    assert response.status_code == 200
    assert "Gerai T" in response.content.decode()

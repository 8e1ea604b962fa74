"""The staff login shared by officers, kiosks and boards: Indonesian, back to
``next``, and each kind of account lands on its own page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from antre.accounts.models import Role
from antre.counter.tests.conftest import PASSWORD
from antre.onsite.tests.conftest import Hall
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

LOGIN = "/petugas/masuk/"


def test_the_login_page_is_in_indonesian(client: Client) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Masuk petugas" in content
    assert "Nama pengguna" in content
    assert "Kata sandi" in content
    assert reverse("counter:staff_login") == LOGIN


def test_a_wrong_password_is_explained(client: Client, officer) -> None:
    response = client.post(LOGIN, {"username": officer.username, "password": "salah"})

    assert response.status_code == 200
    assert "Belum berhasil masuk" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_officer_lands_on_the_counter_list(client: Client, officer) -> None:
    response = client.post(LOGIN, {"username": officer.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/petugas/"
    assert client.get("/petugas/")["Location"] == "/loket/"


def test_the_login_goes_back_to_next(client: Client, officer, hall: Hall) -> None:
    console = f"/loket/{hall.counter_1.pk}/"

    response = client.post(
        LOGIN, {"username": officer.username, "password": PASSWORD, "next": console}
    )

    assert response["Location"] == console


def test_next_never_leaves_the_site(client: Client, officer) -> None:
    response = client.post(
        LOGIN,
        {"username": officer.username, "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == "/petugas/"


def test_a_board_device_lands_on_its_board(client: Client, hall: Hall) -> None:
    device = f.StaffFactory(username="papan-mpp", role=Role.BOARD, role__site=hall.site)
    client.force_login(device)

    assert client.get("/petugas/")["Location"] == f"/papan/{hall.site.slug}/"


def test_an_account_without_a_staff_role_is_refused(client: Client) -> None:
    client.force_login(f.CitizenFactory())

    assert client.get("/petugas/").status_code == 403


def test_logout_is_a_post_back_to_the_login(client: Client, officer) -> None:
    client.force_login(officer)

    assert client.get("/petugas/keluar/").status_code == 405
    response = client.post("/petugas/keluar/")

    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session

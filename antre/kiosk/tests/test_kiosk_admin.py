"""Kiosks in the back office: a site admin sets up their own site's kiosks,
the device account must be a kiosk account of that site, and the printer
settings must be complete."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from antre.accounts.models import Role
from antre.core.models import AuditEvent
from antre.onsite.models import Kiosk, PrinterKind
from antre.testing.personas import City, staff

pytestmark = pytest.mark.django_db

ADD = reverse("admin:onsite_kiosk_add")
LIST = reverse("admin:onsite_kiosk_changelist")


def form_data(city: City, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Kiosk pintu utama",
        "site": city.site_s.pk,
        "user": city.kiosk_s.pk,
        "paper_width": 80,
        "printer_kind": PrinterKind.NETWORK,
        "printer_host": "192.168.1.50",
        "printer_port": 9100,
        "printer_path": "",
    }
    data.update(overrides)
    return data


def test_a_site_admin_adds_a_kiosk_for_their_site(client: Client, city: City) -> None:
    client.force_login(city.site_admin_s)

    response = client.post(ADD, form_data(city))

    assert response.status_code == 302, response.content.decode()
    kiosk = Kiosk.objects.get()
    assert (kiosk.site, kiosk.user, kiosk.printer_host) == (
        city.site_s,
        city.kiosk_s,
        "192.168.1.50",
    )
    assert AuditEvent.objects.filter(action="onsite.kiosk.created", site=city.site_s).exists()


def test_only_kiosk_accounts_of_the_admins_sites_are_offered(client: Client, city: City) -> None:
    kiosk_t = staff("kiosk-t", Role.KIOSK, site=city.site_t)
    client.force_login(city.site_admin_s)

    response = client.get(ADD)

    offered = response.context["adminform"].form.fields["user"].queryset
    assert list(offered) == [city.kiosk_s]
    assert kiosk_t not in offered


def test_an_account_that_is_not_the_sites_kiosk_is_refused(client: Client, city: City) -> None:
    client.force_login(city.city_admin)

    response = client.post(ADD, form_data(city, site=city.site_t.pk))

    assert response.status_code == 200
    assert "belum berperan perangkat kiosk di gerai ini" in response.content.decode()
    assert not Kiosk.objects.exists()


def test_a_network_printer_needs_its_address(client: Client, city: City) -> None:
    client.force_login(city.city_admin)

    response = client.post(ADD, form_data(city, printer_host=""))

    assert "Isi alamat printer jaringan." in response.content.decode()
    assert not Kiosk.objects.exists()


def test_a_usb_printer_needs_its_device_file(city: City) -> None:
    kiosk = Kiosk(user=city.kiosk_s, site=city.site_s, name="Kiosk", printer_kind=PrinterKind.FILE)

    with pytest.raises(ValidationError) as error:
        kiosk.full_clean()

    assert "printer_path" in error.value.message_dict


def test_admins_see_only_their_sites_kiosks(client: Client, city: City) -> None:
    Kiosk.objects.create(user=city.kiosk_s, site=city.site_s, name="Kiosk S")
    Kiosk.objects.create(
        user=staff("kiosk-t", Role.KIOSK, site=city.site_t), site=city.site_t, name="Kiosk T"
    )

    client.force_login(city.site_admin_s)
    site_admin_page = client.get(LIST).content.decode()
    client.force_login(city.city_admin)
    city_admin_page = client.get(LIST).content.decode()
    client.force_login(city.agency_admin_a)
    agency_admin = client.get(LIST)

    assert "Kiosk S" in site_admin_page
    assert "Kiosk T" not in site_admin_page
    assert "Kiosk S" in city_admin_page
    assert "Kiosk T" in city_admin_page
    assert agency_admin.status_code == 403

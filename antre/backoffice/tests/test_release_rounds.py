"""The back office's read-only page of fair release rounds: the seed, the
requests and the result, re-verified on view; scoped like everything else."""

import datetime as dt

import pytest
from django.urls import reverse

from antre.testing import factories as f
from antre.waitlist.models import ReleaseRequest, ReleaseRound
from antre.waitlist.release import draw_due_rounds, request_seat, request_window

pytestmark = pytest.mark.django_db

WIB = dt.timezone(dt.timedelta(hours=7))
DAY = dt.date(2026, 7, 2)


@pytest.fixture
def drawn_round(city, frozen_clock):
    service = city.service_a
    service.high_demand = True
    service.booking_opens_days = 30
    service.save()
    site_service = city.site_service(city.site_s, service)
    f.SlotFactory(
        site_service=site_service,
        start=dt.datetime.combine(DAY, dt.time(9), tzinfo=WIB),
        end=dt.datetime.combine(DAY, dt.time(9, 30), tzinfo=WIB),
        capacity=2,
    )
    for _ in range(5):
        request_seat(citizen=f.CitizenFactory(), site_service=site_service, day=DAY)
    frozen_clock.move_to(request_window(site_service, DAY)[1] + dt.timedelta(minutes=1))
    draw_due_rounds()
    return ReleaseRound.objects.get()


def test_an_admin_sees_the_round_its_seed_and_a_passing_recheck(client, city, drawn_round):
    client.force_login(city.agency_admin_a)
    listing = client.get(reverse("admin:waitlist_releaseround_changelist"))
    assert listing.status_code == 200
    page = client.get(reverse("admin:waitlist_releaseround_change", args=[drawn_round.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert drawn_round.seed in content
    assert "Cocok." in content
    for request in ReleaseRequest.objects.all():
        assert request.citizen.nik_masked in content
        assert request.citizen.nik not in content


def test_a_tampered_result_shows_as_not_matching(client, city, drawn_round):
    ReleaseRequest.objects.filter(round=drawn_round).update(rank=1)
    client.force_login(city.city_admin)
    page = client.get(reverse("admin:waitlist_releaseround_change", args=[drawn_round.pk]))
    assert "TIDAK cocok" in page.content.decode()


def test_the_round_page_is_read_only(client, city, drawn_round):
    client.force_login(city.city_admin)
    url = reverse("admin:waitlist_releaseround_change", args=[drawn_round.pk])
    client.post(url, {"seed": "0" * 64})
    drawn_round.refresh_from_db()
    assert drawn_round.seed != "0" * 64
    assert client.get(reverse("admin:waitlist_releaseround_add")).status_code == 403


def test_another_agency_admin_sees_nothing_of_it(client, city, drawn_round):
    client.force_login(city.agency_admin_b)
    listing = client.get(reverse("admin:waitlist_releaseround_changelist"))
    assert drawn_round.seed not in listing.content.decode()
    page = client.get(reverse("admin:waitlist_releaseround_change", args=[drawn_round.pk]))
    assert page.status_code in (302, 404)

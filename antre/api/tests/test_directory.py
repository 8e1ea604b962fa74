"""The public directory: GET /sites, /sites/{site}/services, /availability.

The clock is frozen at Tuesday 2026-06-02 09:05 in Jakarta (WIB, +07:00).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from antre.api.directory import AVAILABILITY_ANSWERS
from antre.booking.models import Slot
from antre.booking.schedule import materialise_slots
from antre.booking.services import create_booking
from antre.catalog.models import Site, SiteService
from antre.core import microcache
from antre.testing import factories as f

WIB = "+07:00"


def local(text: str, zone: str = "Asia/Jakarta") -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))


def availability(client, **params):
    return client.get("/api/v1/availability", params)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    return body


@pytest.fixture
def scheduled(city):
    """Service A at site S: 30-minute slots 09:00-15:00 on weekdays, 10 seats,
    materialised for the service's booking horizon."""
    site_service = city.site_service(city.site_s, city.service_a)
    f.ScheduleRuleFactory(site_service=site_service)
    materialise_slots(site_service=site_service)
    return site_service


# --- /sites -----------------------------------------------------------------


def test_sites_lists_active_sites_in_the_contract_shape(client, city):
    Site.objects.create(slug="tutup", name="A Gerai Tutup", is_active=False)

    response = client.get("/api/v1/sites")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "items": [
            {
                "slug": "gerai-s",
                "name": "Gerai S",
                "address": "Jl. Jend. Ahmad Yani No. 1, Bekasi",
                "timezone": "Asia/Jakarta",
            },
            {
                "slug": "gerai-t",
                "name": "Gerai T",
                "address": "Jl. Jend. Ahmad Yani No. 1, Bekasi",
                "timezone": "Asia/Jakarta",
            },
        ],
        "count": 2,
    }


def test_sites_are_paginated_with_limit_and_offset(client, db):
    for number in range(60):
        f.SiteFactory(slug=f"gerai-{number:02d}", name=f"Gerai {number:02d}", weekday_hours=False)

    first = client.get("/api/v1/sites").json()
    page = client.get("/api/v1/sites?limit=5&offset=10").json()
    beyond = client.get("/api/v1/sites?limit=5&offset=100").json()
    widest = client.get("/api/v1/sites?limit=200").json()

    assert first["count"] == 60
    assert len(first["items"]) == 50  # the default limit
    assert [site["slug"] for site in page["items"]] == [f"gerai-{n}" for n in range(10, 15)]
    assert page["count"] == 60
    assert beyond == {"items": [], "count": 60}
    assert len(widest["items"]) == 60


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=201", "limit=-1", "limit=abc", "offset=-1", "offset=x"]
)
def test_bad_pagination_is_an_invalid_input_problem(client, db, query):
    body = assert_problem(client.get(f"/api/v1/sites?{query}"), 422, "invalid_input")

    assert body["errors"][0]["loc"][0] == "query"


def test_sites_cost_two_queries_however_many(client, db, django_assert_num_queries):
    for number in range(20):
        f.SiteFactory(weekday_hours=False, name=f"Gerai {number}")

    with django_assert_num_queries(2):  # count, page
        client.get("/api/v1/sites")


# --- /sites/{site}/services -------------------------------------------------


def test_services_of_a_site_in_the_contract_shape(client, city):
    response = client.get("/api/v1/sites/gerai-s/services")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "slug": "layanan-a",
                "name": "Layanan A",
                "agency": {"slug": "instansi-a", "name": "Instansi A"},
                "duration_minutes": 15,
                "requirements": ["KTP-el asli", "Fotokopi KK"],
                "walk_in": True,
            },
            {
                "slug": "layanan-b",
                "name": "Layanan B",
                "agency": {"slug": "instansi-b", "name": "Instansi B"},
                "duration_minutes": 15,
                "requirements": ["KTP-el asli", "Fotokopi KK"],
                "walk_in": True,
            },
        ],
        "count": 2,
    }


def test_services_leave_out_inactive_offers_and_inactive_services(client, city):
    SiteService.objects.filter(site=city.site_s, service=city.service_a).update(is_active=False)
    hidden = f.ServiceFactory(slug="lama", is_active=False)
    f.SiteServiceFactory(site=city.site_s, service=hidden)

    body = client.get("/api/v1/sites/gerai-s/services").json()

    assert [item["slug"] for item in body["items"]] == ["layanan-b"]
    assert body["count"] == 1
    # Site T still offers service A.
    slugs = [item["slug"] for item in client.get("/api/v1/sites/gerai-t/services").json()["items"]]
    assert slugs == ["layanan-a", "layanan-b"]


def test_walk_in_is_false_when_the_service_or_the_site_takes_none(client, city):
    city.service_a.walk_in_allowed = False
    city.service_a.save()
    site_service_b = city.site_service(city.site_s, city.service_b)
    site_service_b.walk_in_daily_quota = 0
    site_service_b.save()

    items = client.get("/api/v1/sites/gerai-s/services").json()["items"]

    assert {item["slug"]: item["walk_in"] for item in items} == {
        "layanan-a": False,
        "layanan-b": False,
    }


def test_services_are_paginated(client, city):
    body = client.get("/api/v1/sites/gerai-s/services?limit=1&offset=1").json()

    assert [item["slug"] for item in body["items"]] == ["layanan-b"]
    assert body["count"] == 2


def test_services_of_an_unknown_site_is_not_found(client, city):
    assert_problem(client.get("/api/v1/sites/gerai-x/services"), 404, "not_found")


def test_services_of_an_inactive_site_is_not_found(client, city):
    Site.objects.filter(pk=city.site_s.pk).update(is_active=False)

    assert_problem(client.get("/api/v1/sites/gerai-s/services"), 404, "not_found")


def test_services_cost_three_queries_however_many(client, city, django_assert_num_queries):
    for number in range(15):
        service = f.ServiceFactory(agency=f.AgencyFactory(), name=f"Layanan X{number}")
        f.SiteServiceFactory(site=city.site_s, service=service)

    with django_assert_num_queries(3):  # the site, count, page with service and agency
        response = client.get("/api/v1/sites/gerai-s/services")

    assert response.json()["count"] == 17


# --- /availability ----------------------------------------------------------


def test_availability_in_the_contract_shape_with_site_offsets(client, scheduled):
    response = availability(
        client, site="gerai-s", service="layanan-a", **{"from": "2026-06-02", "to": "2026-06-02"}
    )

    assert response.status_code == 200
    body = response.json()
    assert {"site", "service", "slots"} <= body.keys()
    assert body["site"] == "gerai-s"
    assert body["service"] == "layanan-a"
    first = body["slots"][0]
    assert set(first) == {"id", "start", "end", "capacity", "remaining"}
    # Booking closes 60 minutes before a slot: at 09:05 the first bookable is 10:30.
    assert first["start"] == "2026-06-02T10:30:00+07:00"
    assert first["end"] == "2026-06-02T11:00:00+07:00"
    assert first["capacity"] == 10
    assert first["remaining"] == 10
    assert first["id"] == Slot.objects.get(start=local("2026-06-02T10:30")).pk
    assert body["slots"][-1]["start"] == "2026-06-02T14:30:00+07:00"
    assert len(body["slots"]) == 9
    assert all(slot["start"].endswith(WIB) and slot["end"].endswith(WIB) for slot in body["slots"])


def test_availability_at_a_wita_site_shows_plus_eight(client, db):
    site = f.SiteFactory(slug="mpp-makassar", timezone="Asia/Makassar")
    site_service = f.SiteServiceFactory(site=site, service=f.ServiceFactory(slug="sim"))
    f.ScheduleRuleFactory(site_service=site_service)
    materialise_slots(site_service=site_service)

    body = availability(client, site="mpp-makassar", service="sim", **{"from": "2026-06-03"})
    slots = body.json()["slots"]

    assert slots[0]["start"] == "2026-06-03T09:00:00+08:00"
    assert all(slot["start"].endswith("+08:00") for slot in slots)


def test_availability_today_at_a_wita_site_uses_its_clock(client, db):
    # 09:05 in Jakarta is 10:05 in Makassar; booking closes 60 minutes before a
    # slot, so the first bookable slot there is 11:30 local.
    site = f.SiteFactory(slug="mpp-makassar", timezone="Asia/Makassar")
    site_service = f.SiteServiceFactory(site=site, service=f.ServiceFactory(slug="sim"))
    f.ScheduleRuleFactory(site_service=site_service)
    materialise_slots(site_service=site_service)

    body = availability(client, site="mpp-makassar", service="sim").json()

    assert body["slots"][0]["start"] == "2026-06-02T11:30:00+08:00"


def test_past_closed_and_weekend_slots_are_not_listed(client, scheduled, frozen_clock):
    closed = Slot.objects.get(site_service=scheduled, start=local("2026-06-04T10:00"))
    closed.is_open = False
    closed.save()
    frozen_clock.advance(hours=2)  # 11:05; bookable from 12:05

    body = availability(
        client, site="gerai-s", service="layanan-a", **{"from": "2026-06-01", "to": "2026-06-07"}
    ).json()
    starts = [slot["start"] for slot in body["slots"]]

    assert starts[0] == "2026-06-02T12:30:00+07:00"
    assert "2026-06-04T10:00:00+07:00" not in starts
    assert "2026-06-04T10:30:00+07:00" in starts
    assert not [start for start in starts if start[:10] in {"2026-06-06", "2026-06-07"}]


def test_closure_days_have_no_slots(client, scheduled):
    f.ClosureFactory(site=scheduled.site, start_date=dt.date(2026, 6, 3), reason="Libur")
    materialise_slots(site_service=scheduled)

    body = availability(
        client, site="gerai-s", service="layanan-a", **{"from": "2026-06-03", "to": "2026-06-04"}
    ).json()
    days = {slot["start"][:10] for slot in body["slots"]}

    assert days == {"2026-06-04"}


def test_full_slots_are_listed_with_nothing_remaining(client, scheduled):
    full = Slot.objects.get(site_service=scheduled, start=local("2026-06-03T09:00"))
    Slot.objects.filter(pk=full.pk).update(booked=10)
    Slot.objects.filter(site_service=scheduled, start=local("2026-06-03T09:30")).update(booked=3)

    slots = availability(
        client, site="gerai-s", service="layanan-a", **{"from": "2026-06-03", "to": "2026-06-03"}
    ).json()["slots"]

    assert slots[0] == {
        "id": full.pk,
        "start": "2026-06-03T09:00:00+07:00",
        "end": "2026-06-03T09:30:00+07:00",
        "capacity": 10,
        "remaining": 0,
    }
    assert slots[1]["remaining"] == 7


def test_availability_defaults_to_a_week_from_today_at_the_site(client, scheduled):
    body = availability(client, site="gerai-s", service="layanan-a").json()

    assert body["from"] == "2026-06-02"
    assert body["to"] == "2026-06-08"
    days = sorted({slot["start"][:10] for slot in body["slots"]})
    assert days == ["2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05", "2026-06-08"]


def test_availability_to_defaults_to_six_days_after_from(client, scheduled):
    body = availability(client, site="gerai-s", service="layanan-a", **{"from": "2026-06-10"})

    assert body.json()["to"] == "2026-06-16"


def test_availability_from_defaults_to_today(client, scheduled):
    body = availability(client, site="gerai-s", service="layanan-a", to="2026-06-03")

    assert body.json()["from"] == "2026-06-02"


def test_thirty_one_days_are_allowed(client, scheduled):
    response = availability(
        client, site="gerai-s", service="layanan-a", **{"from": "2026-06-02", "to": "2026-07-02"}
    )

    assert response.status_code == 200
    assert response.json()["slots"][-1]["start"].startswith("2026-07-02")


def test_more_than_thirty_one_days_is_range_too_long(client, scheduled):
    response = availability(
        client, site="gerai-s", service="layanan-a", **{"from": "2026-06-02", "to": "2026-07-03"}
    )

    assert_problem(response, 422, "range_too_long")


def test_to_before_from_is_invalid_range(client, scheduled):
    response = availability(
        client, site="gerai-s", service="layanan-a", **{"from": "2026-06-05", "to": "2026-06-04"}
    )

    assert_problem(response, 422, "invalid_range")


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-6-2"},
        {"from": "02-06-2026"},
        {"from": "2026-02-30"},
        {"to": "1780000000"},
        {"to": "2026-06-02T00:00:00"},
    ],
)
def test_bad_dates_are_invalid_input(client, scheduled, params):
    query = {"site": "gerai-s", "service": "layanan-a"} | params

    body = assert_problem(availability(client, **query), 422, "invalid_input")

    assert [error["loc"] for error in body["errors"]] == [["query", *params]]


def test_missing_site_or_service_is_invalid_input(client, scheduled):
    body = assert_problem(availability(client, service="layanan-a"), 422, "invalid_input")
    assert body["errors"][0]["loc"] == ["query", "site"]

    body = assert_problem(availability(client, site="gerai-s"), 422, "invalid_input")
    assert body["errors"][0]["loc"] == ["query", "service"]


@pytest.mark.parametrize(
    ("site", "service"),
    [("gerai-x", "layanan-a"), ("gerai-s", "layanan-x"), ("gerai-s", "lain")],
)
def test_unknown_site_or_service_or_one_not_offered_is_not_found(client, scheduled, site, service):
    f.ServiceFactory(slug="lain")  # exists, but is offered nowhere

    assert_problem(availability(client, site=site, service=service), 404, "not_found")


def test_inactive_site_service_or_offer_is_not_found(client, scheduled):
    scheduled.is_active = False
    scheduled.save()

    assert_problem(availability(client, site="gerai-s", service="layanan-a"), 404, "not_found")


def test_availability_costs_one_query_however_many_slots(
    client, scheduled, django_assert_num_queries
):
    # The first read finds the site service (antre.catalog.cache), the next
    # ones in this process reuse it and only read the slots.
    with django_assert_num_queries(2):  # site service with site and service, then the slots
        one_day = availability(
            client,
            site="gerai-s",
            service="layanan-a",
            **{"from": "2026-06-03", "to": "2026-06-03"},
        )
    with django_assert_num_queries(1):
        a_month = availability(
            client,
            site="gerai-s",
            service="layanan-a",
            **{"from": "2026-06-02", "to": "2026-07-02"},
        )

    assert len(one_day.json()["slots"]) == 12
    assert len(a_month.json()["slots"]) > 200


def test_availability_sees_a_change_made_in_this_process_at_once(client, scheduled):
    assert availability(client, site="gerai-s", service="layanan-a").status_code == 200
    scheduled.service.is_active = False
    scheduled.service.save()

    assert_problem(availability(client, site="gerai-s", service="layanan-a"), 404, "not_found")

    scheduled.service.is_active = True
    scheduled.service.save()
    assert availability(client, site="gerai-s", service="layanan-a").status_code == 200


def test_availability_reads_the_reserve_and_held_seats_as_before(client, scheduled):
    # The slim read computes remaining with Slot.remaining's own rule.
    start = local("2026-06-03T09:00")
    Slot.objects.filter(site_service=scheduled, start=start).update(
        booked=4, held=2, reserved=3, overbook=1
    )
    Slot.objects.filter(site_service=scheduled, start=local("2026-06-03T09:30")).update(
        booked=9, overbook=2, held=1
    )

    slots = availability(
        client, site="gerai-s", service="layanan-a", **{"from": "2026-06-03", "to": "2026-06-03"}
    ).json()["slots"]

    expected = [
        Slot.objects.get(site_service=scheduled, start=start).remaining,
        Slot.objects.get(site_service=scheduled, start=local("2026-06-03T09:30")).remaining,
    ]
    assert [slot["remaining"] for slot in slots[:2]] == expected == [2, 2]


def test_a_nul_in_a_slug_is_not_found_on_every_database(client, scheduled):
    # PostgreSQL refuses a NUL in a query: answered before asking it.
    response = availability(client, site="gerai-s", service="layanan-a\x00")

    assert_problem(response, 404, "not_found")


# --- the availability micro-cache (antre.core.microcache) -------------------


@pytest.fixture
def answers_kept_a_second(settings, monkeypatch):
    """The production setting (tests run with the cache off), and a
    monotonic clock the test moves."""
    settings.ANTRE_AVAILABILITY_CACHE_MS = 1000
    now = [1000.0]
    monkeypatch.setattr(microcache, "monotonic", lambda: now[0])
    AVAILABILITY_ANSWERS.clear()
    yield now
    AVAILABILITY_ANSWERS.clear()


def test_availability_is_answered_from_memory_for_a_second(
    client, scheduled, answers_kept_a_second, django_assert_num_queries
):
    day = {"site": "gerai-s", "service": "layanan-a", "from": "2026-06-03", "to": "2026-06-03"}
    uncached = availability(client, **day).content  # warms the catalogue cache too
    AVAILABILITY_ANSWERS.clear()
    first = availability(client, **day)
    slot = Slot.objects.filter(site_service=scheduled, start=local("2026-06-03T09:00")).get()
    create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)

    with django_assert_num_queries(0):
        within = availability(client, **day)
    answers_kept_a_second[0] += 1.0
    after = availability(client, **day)

    assert first.content == uncached
    assert within.content == first.content
    assert within["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    seats = {item["id"]: item["remaining"] for item in after.json()["slots"]}
    assert seats[slot.pk] == 9
    # Another question is another answer.
    week = availability(client, site="gerai-s", service="layanan-a")
    assert week.json()["from"] == "2026-06-02"


def test_the_micro_cache_keeps_at_most_its_bound_and_is_off_at_zero(monkeypatch):
    made = []
    ttl = [1.0]
    cache = microcache.MicroCache[int](ttl=lambda: ttl[0], max_entries=2)
    monkeypatch.setattr(microcache, "monotonic", lambda: 50.0)

    for key in ("a", "b", "c", "a"):
        cache.get_or_make(key, lambda key=key: made.append(key) or len(made))
    ttl[0] = 0
    cache.get_or_make("c", lambda: made.append("c-again") or 0)

    # "a" was pushed out by "c" and made again; at 0 every call makes.
    assert made == ["a", "b", "c", "a", "c-again"]

"""GET /api/v1/reports/daily: its shape, its scoping by role, CSV, and the
problems of bad input. The day is the hand-built one of antre/reports/tests."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from antre.api.tests.conftest import assert_problem
from antre.reports.tests.hand_day import HandDay, build_hand_day
from antre.testing.personas import City

DAY = {"from": "2026-06-01", "to": "2026-06-01"}
ITEM_MEMBERS = {
    "date",
    "site",
    "agency",
    "service",
    "bookings",
    "cancellations",
    "no_shows",
    "walk_ins",
    "tickets",
    "waiting_median_min",
    "waiting_p90_min",
    "service_median_min",
    "service_p90_min",
}


@pytest.fixture
def hand_day(city: City) -> HandDay:
    """The day of antre/reports/tests/hand_day.py."""
    return build_hand_day(city)


def places(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(item["site"], item["service"]) for item in body["items"]]


def test_the_city_admin_gets_every_row_with_the_contract_members(
    caller: Any, hand_day: HandDay
) -> None:
    response = caller(hand_day.city.city_admin).get("/reports/daily", **DAY)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert places(body) == [
        ("gerai-s", "layanan-a"),
        ("gerai-s", "layanan-b"),
        ("gerai-t", "layanan-b"),
    ]
    first = body["items"][0]
    assert set(first) == ITEM_MEMBERS
    assert first == {
        "date": "2026-06-01",
        "site": "gerai-s",
        "agency": "instansi-a",
        "service": "layanan-a",
        "bookings": 3,
        "cancellations": 1,
        "no_shows": 2,
        "walk_ins": 4,
        "tickets": 5,
        "waiting_median_min": 14.0,
        "waiting_p90_min": 25.4,
        "service_median_min": 10.0,
        "service_p90_min": 18.0,
    }
    assert body["items"][2]["waiting_median_min"] is None


def test_an_agency_admin_sees_nothing_of_another_agency(caller: Any, hand_day: HandDay) -> None:
    city = hand_day.city
    as_a = caller(city.agency_admin_a)

    body = as_a.get("/reports/daily", **DAY).json()
    assert places(body) == [("gerai-s", "layanan-a")]
    # Asking for B's service or agency is as if it did not exist.
    assert_problem(as_a.get("/reports/daily", service="layanan-b", **DAY), 404, "not_found")
    assert_problem(as_a.get("/reports/daily", agency="instansi-b", **DAY), 404, "not_found")
    assert_problem(as_a.get("/reports/daily", service="no-such", **DAY), 404, "not_found")
    # NUL is in no slug (and PostgreSQL cannot compare text with it): unknown.
    assert_problem(as_a.get("/reports/daily", site="gerai-s\x00", **DAY), 404, "not_found")

    body = caller(city.agency_admin_b).get("/reports/daily", **DAY).json()
    assert places(body) == [("gerai-s", "layanan-b"), ("gerai-t", "layanan-b")]


def test_a_site_admin_sees_their_site_only(caller: Any, hand_day: HandDay) -> None:
    as_s = caller(hand_day.city.site_admin_s)

    body = as_s.get("/reports/daily", **DAY).json()

    assert places(body) == [("gerai-s", "layanan-a"), ("gerai-s", "layanan-b")]
    assert_problem(as_s.get("/reports/daily", site="gerai-t", **DAY), 404, "not_found")


def test_filters_narrow_the_rows(caller: Any, hand_day: HandDay) -> None:
    as_city = caller(hand_day.city.city_admin)

    assert places(as_city.get("/reports/daily", site="gerai-t", **DAY).json()) == [
        ("gerai-t", "layanan-b")
    ]
    assert places(as_city.get("/reports/daily", service="layanan-a", **DAY).json()) == [
        ("gerai-s", "layanan-a")
    ]
    assert as_city.get("/reports/daily", **{"from": "2026-05-01", "to": "2026-05-31"}).json() == {
        "items": [],
        "count": 0,
    }


def test_pages_of_rows(caller: Any, hand_day: HandDay) -> None:
    as_city = caller(hand_day.city.city_admin)

    body = as_city.get("/reports/daily", limit=2, offset=1, **DAY).json()

    assert body["count"] == 3
    assert places(body) == [("gerai-s", "layanan-b"), ("gerai-t", "layanan-b")]


def test_csv_holds_every_row_and_no_personal_data(caller: Any, hand_day: HandDay) -> None:
    city = hand_day.city

    response = caller(city.agency_admin_b).get("/reports/daily", format="csv", limit=1, **DAY)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert set(rows[0]) == ITEM_MEMBERS
    assert [(row["site"], row["service"]) for row in rows] == [
        ("gerai-s", "layanan-b"),
        ("gerai-t", "layanan-b"),
    ]
    assert rows[0]["waiting_median_min"] == "1.5"
    assert rows[1]["waiting_median_min"] == ""
    for citizen in (city.citizen_a, city.citizen_b):
        for personal in (citizen.full_name, citizen.email, citizen.nik):
            assert personal not in text


def test_without_a_token_it_is_401(caller: Any, hand_day: HandDay) -> None:
    assert_problem(caller(None).get("/reports/daily"), 401, "unauthenticated")


@pytest.mark.parametrize("persona", ["citizen_a", "officer_s_a", "kiosk_s", "board_s"])
def test_without_an_admin_role_it_is_403(caller: Any, hand_day: HandDay, persona: str) -> None:
    response = caller(getattr(hand_day.city, persona)).get("/reports/daily", **DAY)

    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-06-02", "to": "2026-06-01"}, "invalid_range"),
        ({"from": "2026-01-01", "to": "2026-06-01"}, "range_too_long"),
        ({"from": "1 June"}, "invalid_input"),
        ({"format": "pdf"}, "invalid_input"),
        ({"limit": 0}, "invalid_input"),
    ],
)
def test_bad_input_is_a_problem(
    caller: Any, hand_day: HandDay, params: dict[str, Any], code: str
) -> None:
    response = caller(hand_day.city.city_admin).get("/reports/daily", **params)

    assert_problem(response, 422, code)


def test_the_range_defaults_to_the_last_seven_days(caller: Any, hand_day: HandDay) -> None:
    # The clock stands at 2 June: 27 May to 2 June covers the hand-built day.
    body = caller(hand_day.city.city_admin).get("/reports/daily").json()

    assert body["count"] == 3


def test_the_operation_is_documented(client: Any, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/reports/daily"]["get"]

    assert operation["security"] == [{"BearerAuth": []}]
    assert {"200", "401", "403", "404", "422"} == set(operation["responses"])
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"site", "agency", "service", "from", "to", "format", "limit", "offset"} <= parameters
    assert "404 `not_found`" in operation["description"]

"""The fair release through the API: `POST /bookings` refuses a high-demand
day while its window runs (409 `request_window_open`), `POST
/waitlist/requests` asks for a seat, `GET /waitlist/requests` shows the result."""

import datetime as dt

import pytest

from antre.api.tests.conftest import assert_problem
from antre.testing import factories as f
from antre.waitlist.release import draw_due_rounds, request_window

pytestmark = pytest.mark.django_db

WIB = dt.timezone(dt.timedelta(hours=7))
DAY = dt.date(2026, 7, 2)


@pytest.fixture
def slot():
    service = f.ServiceFactory(high_demand=True, booking_opens_days=30)
    site_service = f.SiteServiceFactory(service=service)
    return f.SlotFactory(
        site_service=site_service,
        start=dt.datetime.combine(DAY, dt.time(9), tzinfo=WIB),
        end=dt.datetime.combine(DAY, dt.time(9, 30), tzinfo=WIB),
        capacity=1,
    )


def body(slot):
    return {
        "site": slot.site_service.site.slug,
        "service": slot.site_service.service.slug,
        "day": DAY.isoformat(),
    }


def test_booking_a_high_demand_day_first_come_is_a_409_problem(caller, slot):
    api = caller(f.CitizenFactory())
    response = api.post("/bookings", {"slot_id": slot.pk}, key="k1")
    problem = assert_problem(response, 409, "request_window_open")
    assert "3 Juni 2026 00:00" in problem["detail"]


def test_request_a_seat_then_read_the_result(caller, slot, frozen_clock):
    citizen = f.CitizenFactory()
    api = caller(citizen)
    response = api.post("/waitlist/requests", body(slot), key="r1")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["outcome"] == "pending"
    assert created["window_closes"] == "2026-06-03T00:00:00+07:00"

    again = api.post("/waitlist/requests", body(slot), key="r2")
    assert_problem(again, 409, "already_requested")

    frozen_clock.move_to(request_window(slot.site_service, DAY)[1] + dt.timedelta(minutes=1))
    draw_due_rounds()
    listed = api.get("/waitlist/requests").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["outcome"] == "won"
    assert item["via"] == "lottery"
    assert item["rank"] == 1
    assert len(item["seed"]) == 64
    assert item["booking"]


def test_an_ordinary_service_has_no_request_window(caller):
    slot = f.SlotFactory()
    response = caller(f.CitizenFactory()).post(
        "/waitlist/requests",
        {
            "site": slot.site_service.site.slug,
            "service": slot.site_service.service.slug,
            "day": "2026-07-02",
        },
        key="r3",
    )
    assert_problem(response, 422, "no_request_window")


def test_the_new_codes_are_in_the_problem_catalog(client, db):
    # Importing the API loads the waitlist's errors, so the catalog lists them.
    codes = {item["code"] for item in client.get("/api/v1/problems?limit=200").json()["items"]}
    assert {"request_window_open", "already_requested", "request_window_closed"} <= codes


def test_availability_shows_the_request_window(client, slot):
    response = client.get(
        "/api/v1/availability",
        {
            "site": slot.site_service.site.slug,
            "service": slot.site_service.service.slug,
            "from": "2026-07-01",
            "to": "2026-07-03",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["request_windows"] == [
        {"day": "2026-07-02", "open": True, "closes": "2026-06-03T00:00:00+07:00"}
    ]
    assert [item["id"] for item in body["slots"]] == [slot.pk]

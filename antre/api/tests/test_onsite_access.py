"""Who may do what on site, over the API: every On-site endpoint against every
persona of the ``city`` (antre.testing.personas) plus a kiosk, a board and an
officer of site T.

Kiosk endpoints and the board are of a public site: anyone signed in who may
not use them gets 403. Counters and tickets are not public: whoever may not
work or operate them gets 404, exactly as for one that does not exist.
Without credentials everything but the public ticket is 401.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from antre.api.tests.conftest import Caller
from antre.api.tests.onsite_floor import Floor, build_floor

PERSONAS = [
    "anonymous",
    "citizen_a",
    "officer_s_a",
    "agency_admin_a",
    "site_admin_s",
    "city_admin",
    "kiosk_s",
    "board_s",
    "kiosk_t",
    "board_t",
    "officer_t",
]


@dataclass(frozen=True)
class Endpoint:
    name: str
    send: Callable[[Caller, Floor], Any]
    allowed: dict[str, int]
    denied: int


def _checkin(caller: Caller, floor: Floor) -> Any:
    return caller.post("/sites/gerai-s/checkins", {"code": floor.booking().code})


def _walk_in(caller: Caller, floor: Floor) -> Any:
    return caller.post("/sites/gerai-s/tickets", {"service": "layanan-a"})


def _call_next(counter: str) -> Callable[[Caller, Floor], Any]:
    def send(caller: Caller, floor: Floor) -> Any:
        worked = getattr(floor, counter)
        floor.walk_in(floor.city.service_b if counter == "counter_b" else None, site=worked.site)
        return caller.post(f"/counters/{worked.pk}/call-next")

    return send


def _get_counter(caller: Caller, floor: Floor) -> Any:
    return caller.get(f"/counters/{floor.counter_a.pk}")


def _pause_counter(caller: Caller, floor: Floor) -> Any:
    return caller.post(f"/counters/{floor.counter_a.pk}/pause")


def _start_ticket(caller: Caller, floor: Floor) -> Any:
    return caller.post(f"/tickets/{floor.called().pk}/start")


def _transfer_ticket(caller: Caller, floor: Floor) -> Any:
    return caller.post(f"/tickets/{floor.called().pk}/transfer", {"service": "layanan-b"})


def _board(caller: Caller, floor: Floor) -> Any:
    return caller.get("/sites/gerai-s/board")


def _events(caller: Caller, floor: Floor) -> Any:
    return caller.get("/sites/gerai-s/events")


def _public_ticket(caller: Caller, floor: Floor) -> Any:
    return caller.get(f"/tickets/{floor.walk_in().public_id}")


KIOSK = {"kiosk_s": 201, "site_admin_s": 201, "city_admin": 201}
COUNTER_A = {"officer_s_a": 200, "site_admin_s": 200, "city_admin": 200}
SITE_S_STAFF = {"officer_s_a": 200, "site_admin_s": 200, "city_admin": 200}
BOARD = {
    "board_s": 200,
    "kiosk_s": 200,
    "officer_s_a": 200,
    "site_admin_s": 200,
    "city_admin": 200,
}

ENDPOINTS = [
    Endpoint("checkin", _checkin, KIOSK, 403),
    Endpoint("walk_in", _walk_in, KIOSK, 403),
    Endpoint("call_next_a", _call_next("counter_a"), COUNTER_A, 404),
    # Counter 3 serves only agency B's service: not for the officer of agency A.
    Endpoint("call_next_b", _call_next("counter_b"), {"site_admin_s": 200, "city_admin": 200}, 404),
    Endpoint("call_next_t", _call_next("counter_t"), {"officer_t": 200, "city_admin": 200}, 404),
    Endpoint("get_counter", _get_counter, COUNTER_A, 404),
    Endpoint("pause_counter", _pause_counter, COUNTER_A, 404),
    Endpoint("start_ticket", _start_ticket, SITE_S_STAFF, 404),
    Endpoint("transfer_ticket", _transfer_ticket, SITE_S_STAFF, 404),
    Endpoint("board", _board, BOARD, 403),
    # The stream itself is tested over ASGI (test_events.py); here only refusals.
    Endpoint("events", _events, {}, 403),
    Endpoint("public_ticket", _public_ticket, dict.fromkeys(PERSONAS, 200), 200),
]


def expected(endpoint: Endpoint, persona: str) -> int:
    if persona in endpoint.allowed:
        return endpoint.allowed[persona]
    if persona == "anonymous":
        return 401
    return endpoint.denied


CASES = [
    pytest.param(
        endpoint,
        persona,
        id=f"{endpoint.name}-{persona}",
        # A stream that is allowed would stream forever under WSGI.
        marks=[pytest.mark.skip("streams over ASGI only")]
        if endpoint.name == "events" and persona in BOARD
        else [],
    )
    for endpoint in ENDPOINTS
    for persona in PERSONAS
]


@pytest.fixture
def floor(city):
    return build_floor(city)


@pytest.mark.parametrize(("endpoint", "persona"), CASES)
def test_who_may_do_what_on_site(caller, city, floor, endpoint, persona):
    user = None if persona == "anonymous" else getattr(city, persona, None)
    if user is None and persona != "anonymous":
        user = getattr(floor, persona)

    response = endpoint.send(caller(user), floor)

    status = expected(endpoint, persona)
    assert response.status_code == status, (persona, response.content)
    if status >= 400:
        assert response["Content-Type"].startswith("application/problem+json")
        code = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[status]
        assert response.json()["code"] == code

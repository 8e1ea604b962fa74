"""The authorisation matrix of the REST API (issue #9): every operation of
``/api/v1`` against every persona (``antre.testing.personas.PERSONAS``), each
signed in as it really is, with a bearer token; anonymous sends none.

Each ``Probe`` names the personas that succeed and those to whom the object
does not exist (404 ``not_found``, exactly as for one that does not exist);
every other persona is refused: 401 ``unauthenticated`` without a token, 403
with one. ``test_every_operation_is_in_the_matrix`` fails for an operation of
the OpenAPI document (or any other route under /api/v1) that no probe
requests. The last line of the run's summary gives the count of cells
(requests x personas) checked; antre.testing.matrix describes the machinery.

Both directions of scoping are here: the agency admin of A is refused B's
bookings and reports and the reverse; the officer of site S (agency A) gets
nothing of site T nor of agency B's tickets at S; the kiosk and the board of
S get their own site's device endpoints only; citizen B gets 404 for citizen
A's booking code, QR code, calendar file and waiting-list entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from antre.accounts.verification import make_verification_token
from antre.api.app import api
from antre.core.codes import new_code
from antre.onsite import services as onsite
from antre.testing import factories as f
from antre.testing.matrix import (
    EVERYONE,
    SIGNED_IN,
    Answer,
    Probe,
    World,
    all_routes,
    classify,
    drain,
    module_world,
    openapi_route,
    rolled_back,
    route_of,
    summary,
)
from antre.testing.personas import PERSONAS
from antre.waitlist.services import withdraw_entry

API = "/api/v1"

# Who may see a booking of agency A at site S: its owner (citizen A) and the
# staff of its site or agency. Devices see no bookings.
STAFF_OF_A_AT_S = {"officer_s_a", "agency_admin_a", "site_admin_s", "city_admin"}
STAFF_OF_B_AT_T = {"agency_admin_b", "city_admin"}
ADMINS = {"agency_admin_a", "agency_admin_b", "site_admin_s", "city_admin"}
KIOSK_S = {"kiosk_s", "site_admin_s", "city_admin"}
BOARD_S = {"board_s", "kiosk_s", "officer_s_a", "site_admin_s", "city_admin"}
COUNTER_S_A = {"officer_s_a", "site_admin_s", "city_admin"}
STREAM = "an allowed event stream never ends under WSGI: antre/api/tests/test_events.py"


def hidden_from_other_signed_in(*allowed: str) -> dict[str, Any]:
    """``allow`` the named personas; to every other signed-in persona the
    object does not exist."""
    return {"allow": set(allowed), "hide": SIGNED_IN - set(allowed)}


def booking_a(world: World) -> str:
    return world.own.booking_a.code


def booking_path(suffix: str = "") -> Any:
    def path(world: World) -> str:
        return f"/bookings/{booking_a(world)}{suffix}"

    path.__name__ = f"/bookings/{{code of citizen A}}{suffix}"
    return path


def path_of(template: str, **attributes: str) -> Any:
    """A path filled in from the world: ``path_of("/counters/{id}", id="own.counter_s_a.pk")``."""

    def path(world: World) -> str:
        values = {}
        for key, dotted in attributes.items():
            value: Any = world
            for part in dotted.split("."):
                value = getattr(value, part)
            values[key] = value
        return template.format(**values)

    path.__name__ = template
    return path


def finish(ticket: str) -> Any:
    def prepare(world: World) -> None:
        onsite.finish_service(ticket=getattr(world.own, ticket), actor=None)

    return prepare


def start(world: World) -> None:
    onsite.start_service(ticket=world.own.ticket_s_a, actor=None)


def recalled_twice(ticket: str) -> Any:
    # A no-show needs the recalls first (Site.no_show_after_recalls).
    def prepare(world: World) -> None:
        for _time in range(2):
            onsite.recall(ticket=getattr(world.own, ticket), actor=None)

    return prepare


def call_own_ticket(world: World) -> None:
    onsite.call_next(counter=world.own.counter_s_b, actor=None)
    recalled_twice("ticket_own")(world)


def withdraw_own_entry(world: World) -> None:
    withdraw_entry(entry=world.own.waitlist_a, actor=None)


def registration(world: World) -> dict[str, Any]:
    return {
        "email": "warga-baru@example.test",
        "password": "Sandi-Yang-Kuat-2026",
        "full_name": "Warga Baru",
        "nik": f.make_nik(900),
    }


def unverified_token(world: World) -> dict[str, Any]:
    user = f.CitizenFactory.create(email_verified_at=None)
    return {"token": make_verification_token(user)}


PROBES: list[Probe] = [
    # --- documents, problems, the directory: public ------------------------------
    Probe("GET", "/openapi.json", EVERYONE),
    Probe("GET", "/docs", EVERYONE),
    Probe("GET", "/problems", EVERYONE),
    Probe("GET", "/problems/not_found", EVERYONE),
    Probe("GET", "/sites", EVERYONE),
    Probe("GET", "/sites/gerai-s/services", EVERYONE),
    Probe(
        "GET",
        "/availability?site=gerai-s&service=layanan-a&from=2026-06-02&to=2026-06-09",
        EVERYONE,
    ),
    # Nothing is found where there is nothing, whoever asks.
    Probe("GET", "/tidak-ada", (), hide=EVERYONE, label="/{unknown}"),
    Probe("GET", "/", (), hide=EVERYONE, label="/ (root)"),
    # --- accounts --------------------------------------------------------------
    Probe("POST", "/auth/register", EVERYONE, body=registration),
    Probe("POST", "/auth/verify", EVERYONE, body=unverified_token),
    Probe(
        "POST",
        "/auth/token",
        EVERYONE,
        body=lambda world: {"email": world.city.citizen_a.email, "password": "rahasia-Kuat-123"},
    ),
    Probe("GET", "/auth/me", SIGNED_IN),
    Probe("GET", "/auth/challenge", EVERYONE),
    # --- bookings: citizens book; staff and devices may not ----------------------
    Probe(
        "POST",
        "/bookings",
        {"citizen_a", "citizen_b"},
        body=lambda world: {"slot_id": world.own.free_slot_a2.pk},
    ),
    Probe("GET", "/bookings", SIGNED_IN),
    Probe("GET", booking_path(), **hidden_from_other_signed_in("citizen_a", *STAFF_OF_A_AT_S)),
    Probe(
        "GET",
        path_of("/bookings/{code}", code="own.booking_b.code"),
        **hidden_from_other_signed_in("citizen_b", *STAFF_OF_B_AT_T),
    ),
    # Citizen A's booking of agency B's service at S: B's admin and S's, not
    # agency A's officer or admin there.
    Probe(
        "GET",
        path_of("/bookings/{code}", code="own.booking_today_a.code"),
        **hidden_from_other_signed_in("citizen_a", "agency_admin_b", "site_admin_s", "city_admin"),
    ),
    # A code that is no booking: the same 404 as another citizen's.
    Probe(
        "GET", lambda world: f"/bookings/{new_code()}", (), hide=SIGNED_IN, label="/bookings/{new}"
    ),
    # The owner's alone; staff who may see the booking are refused, everyone
    # else is told it does not exist.
    *(
        Probe(
            method,
            booking_path(suffix),
            {"citizen_a"},
            hide=SIGNED_IN - {"citizen_a"} - STAFF_OF_A_AT_S,
            body=body,
        )
        for method, suffix, body in (
            ("POST", "/cancel", None),
            ("POST", "/reschedule", lambda world: {"slot_id": world.own.free_slot_a.pk}),
            ("GET", "/qr.svg", None),
            ("GET", "/qr.png", None),
            ("GET", "/calendar.ics", None),
        )
    ),
    # --- the waiting list: the citizen's own ---------------------------------------
    Probe(
        "POST",
        "/waitlist",
        {"citizen_a", "citizen_b"},
        body=lambda world: {
            "service": "layanan-a2",
            "sites": ["gerai-s"],
            "earliest": "2026-06-03",
            "latest": "2026-06-20",
        },
        prepare=withdraw_own_entry,
    ),
    Probe("GET", "/waitlist", SIGNED_IN),
    # Seat requests of high-demand days (antre.waitlist.release; their own
    # tests build a request window): here who may ask at all, and that an
    # unknown site is no site for anyone.
    Probe(
        "POST",
        "/waitlist/requests",
        (),
        hide=SIGNED_IN,
        body={"site": "gerai-x", "service": "layanan-a", "day": "2026-06-20"},
        label="/waitlist/requests (an unknown site)",
    ),
    Probe("GET", "/waitlist/requests", SIGNED_IN),
    Probe(
        "DELETE",
        path_of("/waitlist/{id}", id="own.waitlist_a.pk"),
        **hidden_from_other_signed_in("citizen_a"),
    ),
    Probe(
        "POST",
        path_of("/waitlist/{id}/accept", id="own.waitlist_a.pk"),
        body=lambda world: {"offer_id": world.own.offer_a.pk},
        **hidden_from_other_signed_in("citizen_a"),
    ),
    # --- the kiosk: devices and admins of its site -----------------------------------
    Probe(
        "POST",
        "/sites/gerai-s/checkins",
        KIOSK_S,
        body=lambda world: {"code": world.own.arriving_b.code},
    ),
    Probe("POST", "/sites/gerai-s/tickets", KIOSK_S, body={"service": "layanan-a"}),
    # Site T's kiosk is not site S's kiosk (nor its site admin's).
    Probe("POST", "/sites/gerai-t/tickets", {"city_admin"}, body={"service": "layanan-a"}),
    # --- counters: whoever works them; to anyone else they do not exist ---------
    Probe(
        "GET",
        path_of("/counters/{id}", id="own.counter_s_a.pk"),
        **hidden_from_other_signed_in(*COUNTER_S_A),
    ),
    # Counter 2 of S serves only agency B: not the officer of agency A's.
    Probe(
        "GET",
        path_of("/counters/{id}", id="own.counter_s_b.pk"),
        **hidden_from_other_signed_in("site_admin_s", "city_admin"),
    ),
    Probe(
        "GET",
        path_of("/counters/{id}", id="own.counter_t.pk"),
        **hidden_from_other_signed_in("city_admin"),
    ),
    Probe(
        "POST",
        path_of("/counters/{id}/call-next", id="own.counter_s_a.pk"),
        prepare=finish("ticket_s_a"),
        **hidden_from_other_signed_in(*COUNTER_S_A),
    ),
    Probe(
        "POST",
        path_of("/counters/{id}/call-next", id="own.counter_t.pk"),
        prepare=finish("ticket_t_b"),
        **hidden_from_other_signed_in("city_admin"),
    ),
    Probe(
        "POST",
        path_of("/counters/{id}/pause", id="own.counter_s_a.pk"),
        **hidden_from_other_signed_in(*COUNTER_S_A),
    ),
    Probe(
        "POST",
        path_of("/counters/{id}/resume", id="own.counter_s_a.pk"),
        **hidden_from_other_signed_in(*COUNTER_S_A),
    ),
    Probe(
        "POST",
        path_of("/counters/{id}/pause", id="own.counter_t.pk"),
        **hidden_from_other_signed_in("city_admin"),
    ),
    # --- tickets: staff of their site (an officer of an agency: its tickets, or
    # those at a counter they work) ---------------------------------------------------
    *(
        Probe(
            "POST",
            path_of(f"/tickets/{{id}}/{step}", id="own.ticket_s_a.pk"),
            prepare=prepare,
            **hidden_from_other_signed_in(*COUNTER_S_A),
        )
        for step, prepare in (
            ("recall", None),
            ("start", None),
            ("finish", start),
            ("no-show", recalled_twice("ticket_s_a")),
        )
    ),
    Probe(
        "POST",
        path_of("/tickets/{id}/transfer", id="own.ticket_s_a.pk"),
        body={"service": "layanan-b"},
        **hidden_from_other_signed_in(*COUNTER_S_A),
    ),
    Probe(
        "POST",
        path_of("/tickets/{id}/recall", id="own.ticket_t_b.pk"),
        **hidden_from_other_signed_in("city_admin"),
    ),
    Probe(
        "POST",
        path_of("/tickets/{id}/transfer", id="own.ticket_t_b.pk"),
        body={"service": "layanan-a"},
        **hidden_from_other_signed_in("city_admin"),
    ),
    # Citizen A's ticket is of agency B's service, waiting at S, at no counter
    # yet: not the officer of agency A's to move.
    Probe(
        "POST",
        path_of("/tickets/{id}/transfer", id="own.ticket_own.pk"),
        body={"service": "layanan-a"},
        **hidden_from_other_signed_in("site_admin_s", "city_admin"),
    ),
    Probe(
        "POST",
        path_of("/tickets/{id}/no-show", id="own.ticket_own.pk"),
        prepare=call_own_ticket,
        **hidden_from_other_signed_in("site_admin_s", "city_admin"),
    ),
    # --- the board and the streams --------------------------------------------------
    Probe("GET", "/sites/gerai-s/board", BOARD_S),
    Probe("GET", "/sites/gerai-t/board", {"city_admin"}),
    Probe(
        "GET",
        "/sites/gerai-s/events",
        BOARD_S,
        skip=dict.fromkeys(BOARD_S, STREAM),
    ),
    Probe("GET", "/sites/gerai-t/events", {"city_admin"}, skip={"city_admin": STREAM}),
    # The long random id behind the ticket's QR is the key; nothing else is.
    Probe("GET", path_of("/tickets/{id}", id="own.ticket_own.public_id"), EVERYONE),
    Probe(
        "GET",
        lambda world: f"/tickets/{world.own.ticket_own.public_id[:-2]}xx",
        (),
        hide=EVERYONE,
        label="/tickets/{unknown public id}",
    ),
    Probe(
        "GET",
        lambda world: f"/tickets/{world.own.ticket_own.public_id[:-2]}xx/events",
        (),
        hide=EVERYONE,
        label="/tickets/{unknown public id}/events",
    ),
    # A finished ticket's stream says so and ends at once.
    Probe(
        "GET",
        path_of("/tickets/{id}/events", id="own.ticket_s_a.public_id"),
        EVERYONE,
        prepare=finish("ticket_s_a"),
    ),
    # --- reports: admins, each within their scope -------------------------------------
    Probe("GET", "/reports/daily", ADMINS),
    Probe("GET", "/reports/daily?format=csv", ADMINS),
    Probe(
        "GET",
        "/reports/daily?agency=instansi-b",
        {"agency_admin_b", "site_admin_s", "city_admin"},
        hide={"agency_admin_a"},
    ),
    Probe(
        "GET",
        "/reports/daily?agency=instansi-a&format=csv",
        {"agency_admin_a", "site_admin_s", "city_admin"},
        hide={"agency_admin_b"},
    ),
    Probe(
        "GET",
        "/reports/daily?site=gerai-t",
        {"agency_admin_a", "agency_admin_b", "city_admin"},
        hide={"site_admin_s"},
    ),
    Probe(
        "GET",
        "/reports/daily?service=layanan-b",
        {"agency_admin_b", "site_admin_s", "city_admin"},
        hide={"agency_admin_a"},
    ),
]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with module_world(django_db_blocker) as built:
        yield built


@pytest.fixture(scope="module")
def client() -> Client:
    """One client for the module: each new one loads the middleware again,
    and WhiteNoise's scan of the static files is most of a request's cost."""
    return Client()


@pytest.fixture(autouse=True)
def no_rate_limits(settings: Any) -> None:
    # The matrix sends hundreds of requests from one address; limits have their own tests.
    settings.ANTRE_RATE_LIMITS_ENABLED = False


def send(client: Client, world: World, probe: Probe, persona: str) -> Any:
    client.cookies.clear()
    headers = {}
    if persona in world.tokens:
        headers["authorization"] = f"Bearer {world.tokens[persona]}"
    path = API + probe.concrete_path(world)
    body = probe.concrete_body(world)
    if probe.method == "GET":
        return client.get(path, headers=headers)
    data = json.dumps(body) if body is not None else ""
    return client.generic(
        probe.method, path, data, content_type="application/json", headers=headers
    )


def check(client: Client, world: World, probe: Probe, persona: str) -> str | None:
    """The request of ``probe`` as ``persona`` in a savepoint rolled back
    afterwards; a description of what is wrong, or ``None``."""
    with rolled_back():
        if probe.prepare is not None:
            probe.prepare(world)
        response = send(client, world, probe, persona)
        drain(response)
    wanted = probe.expected(persona)
    got = classify(response, probe)
    if got is not wanted:
        body = response.content[:300] if not response.streaming else b"(streamed)"
        return f"{persona}: wanted {wanted.value}, got {response.status_code} {body!r}"
    if got is Answer.ALLOW:
        return None
    # Refusals are problem documents with the contract's codes.
    if not response["Content-Type"].startswith("application/problem+json"):
        return f"{persona}: {response.status_code} is not a problem document"
    code = response.json().get("code")
    wanted_code = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}.get(
        response.status_code
    )
    if persona == "anonymous" and got is Answer.DENY and response.status_code != 401:
        return f"{persona}: refused with {response.status_code}, not 401"
    if persona != "anonymous" and response.status_code == 401:
        return f"{persona}: a valid token answered 401"
    if code != wanted_code and code not in {"not_a_citizen", "unknown_path"}:
        return f"{persona}: {response.status_code} with code {code!r}"
    return None


@pytest.mark.parametrize("probe", PROBES, ids=[probe.name() for probe in PROBES])
def test_who_may_call_what(client: Client, world: World, db: None, probe: Probe) -> None:
    problems = [
        problem
        for persona in PERSONAS
        if persona not in probe.skip
        if (problem := check(client, world, probe, persona)) is not None
    ]
    assert not problems, "\n".join(problems)


def api_routes() -> set[tuple[str, str]]:
    """Every (path, method) the API serves: the OpenAPI document's operations
    and the routes under /api/v1 that are no operation (the document itself)."""
    schema = api.get_openapi_schema()
    operations = {
        (path, method.upper()) for path, methods in schema["paths"].items() for method in methods
    }
    documented = {path for path, _method in operations}
    others = {
        (openapi_route(route), "GET")
        for route in all_routes()
        if route.startswith("api/v1/") and openapi_route(route) not in documented
    }
    return operations | others


def probed_routes(world: World) -> set[tuple[str, str]]:
    return {
        (openapi_route(route_of(API + probe.concrete_path(world))), probe.method)
        for probe in PROBES
    }


def test_every_operation_is_in_the_matrix(world: World, db: None) -> None:
    missing = api_routes() - probed_routes(world)
    assert not missing, f"API routes without a row in the matrix: {sorted(missing)}"


def test_another_citizens_booking_looks_like_no_booking(
    client: Client, world: World, db: None
) -> None:
    """Not only the status: the whole answer to citizen B for citizen A's
    code is the answer for a code that was never issued."""
    headers = {"authorization": f"Bearer {world.tokens['citizen_b']}"}
    for suffix in ("", "/qr.svg", "/qr.png", "/calendar.ics"):
        theirs = client.get(f"{API}/bookings/{world.own.booking_a.code}{suffix}", headers=headers)
        nobody = client.get(f"{API}/bookings/{new_code()}{suffix}", headers=headers)
        assert theirs.status_code == nobody.status_code == 404
        strip = {"instance"}
        assert {k: v for k, v in theirs.json().items() if k not in strip} == {
            k: v for k, v in nobody.json().items() if k not in strip
        }


@pytest.mark.parametrize("persona", ["city_admin", "officer_s_a", "kiosk_s"])
def test_staff_take_no_token_with_a_password(
    client: Client, world: World, db: None, persona: str
) -> None:
    """``POST /auth/token`` is the citizens' door; staff and device tokens are
    made in the back office (API.md), so a staff password opens nothing here."""
    client.cookies.clear()
    user = getattr(world.city, persona)
    response = client.post(
        f"{API}/auth/token",
        json.dumps({"email": user.email, "password": "rahasia-Kuat-123"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_report_rows_hold_only_the_admins_scope(client: Client, world: World, db: None) -> None:
    """The daily report as CSV: the city admin's rows hold both agencies and
    both sites (so the test can fail), every other admin's only theirs."""
    rows = {}
    for persona in ("agency_admin_a", "agency_admin_b", "site_admin_s", "city_admin"):
        client.cookies.clear()
        response = client.get(
            f"{API}/reports/daily?format=csv",
            headers={"authorization": f"Bearer {world.tokens[persona]}"},
        )
        assert response.status_code == 200
        drained = b"".join(response.streaming_content) if response.streaming else response.content
        rows[persona] = [row.split(",")[1:3] for row in drained.decode().splitlines()[1:]]
    assert ["gerai-t", "instansi-b"] in rows["city_admin"]
    assert ["gerai-s", "instansi-a"] in rows["city_admin"]
    assert rows["agency_admin_a"]
    assert {agency for _site, agency in rows["agency_admin_a"]} == {"instansi-a"}
    assert rows["agency_admin_b"]
    assert {agency for _site, agency in rows["agency_admin_b"]} == {"instansi-b"}
    assert rows["site_admin_s"]
    assert {site for site, _agency in rows["site_admin_s"]} == {"gerai-s"}


def test_summary(world: World, db: None, capsys: pytest.CaptureFixture[str]) -> None:
    skipped = sum(len(probe.skip) for probe in PROBES)
    cells = len(PROBES) * len(PERSONAS) - skipped
    routes = len(api_routes())
    line = summary("API", PROBES, routes, cells, skipped)
    with capsys.disabled():
        print("\n" + line)
    assert routes <= len(probed_routes(world))

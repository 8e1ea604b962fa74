"""The served OpenAPI document against the API itself, with schemathesis.

Every operation of ``GET /api/v1/openapi.json`` is called with generated
input, both valid and invalid, as the caller it is meant for (a citizen, a
kiosk, an officer, a board, a city admin; the public operations without a
token). Each answer must be documented: no 5xx, a documented status code and
content type, a body of the documented shape, and every error a problem detail
(``application/problem+json`` with ``code``). Half of the valid cases are
pointed at things that exist (a real slot, booking, ticket, counter, waiting
list entry), so the happy paths are checked as well as the 404s.

The event streams (``text/event-stream``) never end on their own, so they are
left to ``test_events.py``, which reads them through a live ASGI server.

Bounded for CI: a few examples per operation (``ANTRE_SCHEMATHESIS_EXAMPLES``
raises it for a deeper run), one database for the whole run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import Case, Response
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from antre.accounts.tokens import create_api_token
from antre.api.problems import PROBLEM_CONTENT_TYPE
from antre.onsite import services as onsite_services
from antre.testing import factories as f
from antre.testing.personas import City, build_city
from antre.waitlist import services as waitlist_services

EXAMPLES = int(os.environ.get("ANTRE_SCHEMATHESIS_EXAMPLES", "12"))
STREAMS = r"/events$"


@dataclass
class World:
    """What exists while the API is called, and a token for each kind of caller."""

    city: City
    tokens: dict[str, str]
    known_path_values: dict[str, Any]
    slot_ids: list[int]
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)


def build_world() -> World:
    city = build_city()
    site_service = city.site_service(city.site_s, city.service_a)
    start = dt.datetime.fromisoformat("2026-06-03T09:00:00+07:00")
    slots = [
        f.SlotFactory.create(
            site_service=site_service,
            start=start + dt.timedelta(minutes=30 * step),
            end=start + dt.timedelta(minutes=30 * (step + 1)),
            capacity=3,
        )
        for step in range(4)
    ]
    other_site_service = city.site_service(city.site_s, city.service_b)
    slots += [
        f.SlotFactory.create(
            site_service=other_site_service,
            start=start + dt.timedelta(minutes=30 * step),
            end=start + dt.timedelta(minutes=30 * (step + 1)),
            capacity=3,
        )
        for step in range(4)
    ]
    booking = f.BookingFactory.create(citizen=city.citizen_a, slot=slots[0], code="7K3M9QXZ4")
    counter = f.CounterFactory.create(site=city.site_s, number=1)
    counter.site_services.set([site_service, city.site_service(city.site_s, city.service_b)])
    ticket = onsite_services.issue_walk_in(
        site=city.site_s, service=city.service_a, actor=None, priority=""
    )
    entry = waitlist_services.join_waitlist(
        citizen=city.citizen_b,
        service=city.service_b,
        sites=[city.site_s],
        earliest=dt.date(2026, 6, 3),
        latest=dt.date(2026, 6, 20),
        auto_book=False,
    )
    tokens = {
        role: create_api_token(user=user, name="schemathesis")[1]
        for role, user in {
            "citizen": city.citizen_a,
            "kiosk": city.kiosk_s,
            "officer": city.officer_s_a,
            "board": city.board_s,
            "city_admin": city.city_admin,
        }.items()
    }
    return World(
        city=city,
        tokens=tokens,
        known_path_values={
            "site": city.site_s.slug,
            "code": booking.code,
            "counter": counter.pk,
            "ticket": ticket.pk,
            "public_id": ticket.public_id,
            "entry_id": entry.pk,
            "problem": "slot_full",
        },
        slot_ids=[slot.pk for slot in slots],
    )


def caller_role(case: Case) -> str | None:
    """Whose token an operation is called with; ``None`` for the public ones."""
    path = case.operation.path
    if not case.operation.definition.raw.get("security"):
        return None
    if path.startswith(("/api/v1/bookings", "/api/v1/waitlist", "/api/v1/auth")):
        return "citizen"
    if path.endswith(("/checkins", "/tickets")):
        return "kiosk"
    if path.endswith("/board"):
        return "board"
    if path.startswith("/api/v1/reports"):
        return "city_admin"
    return "officer"


def aim_at_existing(case: Case, world: World) -> None:
    """Point a valid case's path (and slot) at something that exists, so the
    answer is a success or a rule's refusal rather than a 404."""
    path = case.operation.path
    values = world.known_path_values
    parameters = case.path_parameters or {}
    for name in list(parameters):
        if name == "site":
            parameters[name] = values["site"]
        elif name == "code":
            parameters[name] = values["problem" if path.startswith("/api/v1/problems") else "code"]
        elif name == "id":
            parameters[name] = values["counter" if "/counters/" in path else "ticket"]
        elif name in ("public_id", "entry_id"):
            parameters[name] = values[name]
    if isinstance(case.body, dict) and "slot_id" in case.body:
        case.body["slot_id"] = random.choice(world.slot_ids)


def omits_credentials(case: Case) -> bool:
    """Whether the case negates the headers by leaving out the (required)
    Authorization header: then it is sent without a token and must get a 401."""
    meta = case.meta
    if meta is None:
        return False
    component = meta.components.get(ParameterLocation.HEADER)
    sent = {name.lower() for name in case.headers or {}}
    return (
        component is not None
        and component.mode.is_negative
        and not sent & {"authorization", "idempotency-key"}
    )


def check_valid_input_passes_validation(ctx: Any, response: Response, case: Case) -> bool | None:
    """What the schema calls valid, input validation accepts: it may still be
    refused by a rule (422 ``invalid_nik``, ``outside_booking_window``: rules a
    schema cannot express), but never as 422 ``invalid_input``."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    body = response.json()
    assert body.get("code") != "invalid_input", f"schema-valid input refused: {body}"
    return True


def check_problem_details(ctx: Any, response: Response, case: Case) -> bool | None:
    """Every error is an RFC 9457 problem with a ``code`` (API.md)."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith(PROBLEM_CONTENT_TYPE), (
        f"{response.status_code} answered as {content_type!r}, not {PROBLEM_CONTENT_TYPE}"
    )
    body = response.json()
    for member in ("type", "title", "status", "detail", "code"):
        assert member in body, f"problem without {member!r}: {body}"
    assert body["status"] == response.status_code, body
    return True


@pytest.fixture
def api_schema(db: None, settings: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    # schemathesis' lazy loader renames the test node for its subtests through
    # ``_nodeid``, which pytest 9 no longer has.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # Rate limits have their own tests; here a 429 would hide the operation.
    settings.ANTRE_RATE_LIMITS_ENABLED = False
    # As Django's test client does: a request must not close the connection
    # that holds the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db: None) -> Iterator[World]:
    world = build_world()
    yield world
    # The run's size, for whoever tunes ANTRE_SCHEMATHESIS_EXAMPLES (pytest -s shows it).
    operations = {label for label, _status in world.answers}
    print(
        f"\nschemathesis: {len(operations)} operations, {world.answers.total()} calls, "
        f"statuses {dict(Counter(status for _label, status in world.answers.elements()))}"
    )


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=STREAMS)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case: Case, world: World) -> None:
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and random.random() < 0.5:
        aim_at_existing(case, world)
    role = caller_role(case)
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role else {}
    if omits_credentials(case):
        headers = {}
    response = case.call_and_validate(
        headers=headers,
        additional_checks=[check_problem_details, check_valid_input_passes_validation],
        # Replaced by check_valid_input_passes_validation: the contract
        # answers a broken business rule with 422 and a specific code.
        excluded_checks=[positive_data_acceptance],
    )
    world.answers[(case.operation.label, response.status_code)] += 1


def test_linked_operations_in_sequence(api_schema: Any, world: World) -> None:
    """Stateful: schemathesis links operations through their responses (a
    booking's ``code`` into the paths that take one, a ticket's ``id``, a
    waiting-list entry's ``id``) and runs short sequences of them, with the
    same checks as above on every step."""
    machine = api_schema.exclude(path_regex=STREAMS).as_state_machine()

    class Workflow(machine):  # type: ignore[misc,valid-type]
        def before_call(self, case: Case) -> None:
            # Real slots, so that a booking is made and its code flows on
            # (to cancel, reschedule, the QR code) through the links.
            meta = case.meta
            positive = meta is None or meta.generation.mode.is_positive
            if positive and isinstance(case.body, dict) and "slot_id" in case.body:
                case.body["slot_id"] = random.choice(world.slot_ids)

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            role = caller_role(case)
            if role is None or omits_credentials(case):
                return {}
            return {"headers": {"Authorization": f"Bearer {world.tokens[role]}"}}

        def validate_response(
            self,
            response: Response,
            case: Case,
            additional_checks: list[Any] | None = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response,
                additional_checks=[check_problem_details, check_valid_input_passes_validation],
                excluded_checks=[positive_data_acceptance],
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs,
            )
            world.answers[(f"stateful {case.operation.label}", response.status_code)] += 1

    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert any(label.startswith("stateful") for label, _status in world.answers)

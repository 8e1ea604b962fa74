"""The served OpenAPI document describes the contract (API.md), and the docs
page works offline (bundled Swagger UI, no CDN)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

# API.md, "Directory (public, no auth)": method and path of every row.
DIRECTORY = [
    ("get", "/api/v1/sites"),
    ("get", "/api/v1/sites/{site}/services"),
    ("get", "/api/v1/availability"),
]
# API.md, "Citizens" (the waiting list aside), and GET /auth/me.
CITIZENS = [
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/verify"),
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/auth/me"),
    ("post", "/api/v1/bookings"),
    ("get", "/api/v1/bookings"),
    ("get", "/api/v1/bookings/{code}"),
    ("post", "/api/v1/bookings/{code}/cancel"),
    ("post", "/api/v1/bookings/{code}/reschedule"),
    ("get", "/api/v1/bookings/{code}/qr.svg"),
    ("get", "/api/v1/bookings/{code}/qr.png"),
    ("get", "/api/v1/bookings/{code}/calendar.ics"),
]
ANONYMOUS = {
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/verify"),
    ("post", "/api/v1/auth/token"),
}
PROBLEM_SCHEMAS = {"#/components/schemas/Problem", "#/components/schemas/ValidationProblem"}
# What every operation with a body may answer before its own rules run:
# 400 `invalid_json`, 413 `payload_too_large`.
BODY_STATUSES = {"400", "413", "415"}
# API.md, "On site", and its additions (counter state, pause, resume; the
# ticket's own event stream).
ON_SITE = [
    ("post", "/api/v1/sites/{site}/checkins"),
    ("post", "/api/v1/sites/{site}/tickets"),
    ("post", "/api/v1/counters/{id}/call-next"),
    ("get", "/api/v1/counters/{id}"),
    ("post", "/api/v1/counters/{id}/pause"),
    ("post", "/api/v1/counters/{id}/resume"),
    ("post", "/api/v1/tickets/{id}/recall"),
    ("post", "/api/v1/tickets/{id}/start"),
    ("post", "/api/v1/tickets/{id}/finish"),
    ("post", "/api/v1/tickets/{id}/no-show"),
    ("post", "/api/v1/tickets/{id}/transfer"),
    ("get", "/api/v1/sites/{site}/board"),
    ("get", "/api/v1/sites/{site}/events"),
    ("get", "/api/v1/tickets/{public_id}"),
    ("get", "/api/v1/tickets/{public_id}/events"),
]
ON_SITE_PUBLIC = {
    ("get", "/api/v1/tickets/{public_id}"),
    ("get", "/api/v1/tickets/{public_id}/events"),
}


@pytest.fixture
def schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


@pytest.mark.parametrize(("method", "path"), DIRECTORY)
def test_every_directory_endpoint_of_the_contract_is_in_the_schema(schema, method, path):
    assert method in schema["paths"].get(path, {}), f"{method.upper()} {path} missing"


@pytest.mark.parametrize(("method", "path"), DIRECTORY)
def test_directory_endpoints_are_public(schema, method, path):
    assert "security" not in schema["paths"][path][method]


@pytest.mark.parametrize(("method", "path"), CITIZENS)
def test_every_citizen_endpoint_of_the_contract_is_in_the_schema(schema, method, path):
    assert method in schema["paths"].get(path, {}), f"{method.upper()} {path} missing"


@pytest.mark.parametrize(("method", "path"), CITIZENS)
def test_citizen_endpoints_say_whether_they_need_a_token(schema, method, path):
    operation = schema["paths"][path][method]
    if (method, path) in ANONYMOUS:
        assert "security" not in operation
    else:
        assert operation["security"] == [{"BearerAuth": []}]
        assert "401" in operation["responses"]


@pytest.mark.parametrize(
    ("path", "codes"),
    [
        ("/api/v1/auth/register", {"201", "409", "422", "429"}),
        ("/api/v1/auth/verify", {"200", "422"}),
        ("/api/v1/auth/token", {"200", "401", "422", "429"}),
        ("/api/v1/bookings", {"201", "401", "403", "404", "409", "422", "429"}),
        ("/api/v1/bookings/{code}/cancel", {"200", "401", "403", "404", "409", "422", "429"}),
        ("/api/v1/bookings/{code}/reschedule", {"200", "401", "403", "404", "409", "422", "429"}),
    ],
)
def test_citizen_posts_declare_their_statuses(schema, path, codes):
    # 400 and 413: see test_operations_that_read_a_body_declare_400_and_413.
    assert set(schema["paths"][path]["post"]["responses"]) - BODY_STATUSES == codes


def test_the_booking_errors_and_the_enumeration_choice_are_described(schema):
    booking = schema["paths"]["/api/v1/bookings"]["post"]["description"]
    register = schema["paths"]["/api/v1/auth/register"]["post"]["description"]

    for code in (
        "slot_full",
        "duplicate_booking",
        "outside_booking_window",
        "email_not_verified",
        "slot_closed",
    ):
        assert f"`{code}`" in booking
    assert "409 `email_taken`" in register
    assert "neutral 201" in register


def test_the_booking_schema_has_the_contract_members(schema):
    booking = schema["components"]["schemas"]["BookingOut"]

    assert set(booking["required"]) >= {
        "code",
        "status",
        "site",
        "service",
        "slot",
        "created",
        "qr_url",
        "calendar_url",
    }
    statuses = schema["components"]["schemas"]["BookingStatus"]["enum"]
    assert set(statuses) == {"confirmed", "cancelled", "checked_in", "no_show", "completed"}


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/bookings/{code}/qr.svg", "image/svg+xml"),
        ("/api/v1/bookings/{code}/qr.png", "image/png"),
        ("/api/v1/bookings/{code}/calendar.ics", "text/calendar"),
    ],
)
def test_the_booking_documents_declare_their_media_types(schema, path, media_type):
    responses = schema["paths"][path]["get"]["responses"]

    assert list(responses["200"]["content"]) == [media_type]
    assert {"401", "403", "404", "422"} <= set(responses)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/bookings", "/api/v1/bookings/{code}/cancel", "/api/v1/bookings/{code}/reschedule"],
)
def test_booking_writes_document_the_idempotency_key(schema, path):
    headers = [
        parameter["name"]
        for parameter in schema["paths"][path]["post"].get("parameters", [])
        if parameter["in"] == "header"
    ]

    assert headers == ["Idempotency-Key"]


def test_availability_documents_from_and_to_as_dates(schema):
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/availability"]["get"]["parameters"]
    }

    assert parameters["site"]["required"] is True
    assert parameters["service"]["required"] is True
    for name in ("from", "to"):
        assert parameters[name]["required"] is False
        [date] = [option for option in parameters[name]["schema"]["anyOf"] if option.get("format")]
        assert date["type"] == "string"
        assert date["format"] == "date"
        # The bounds (antre.api.schemas.common.IsoDate): the years 2000-2999.
        assert date["pattern"] == "^2[0-9]{3}-[0-9]{2}-[0-9]{2}$"
        assert "Default" in parameters[name]["description"]
    assert "31 days" in parameters["to"]["description"]


def test_every_operation_declares_422_as_a_problem(schema):
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        assert "422" in responses, f"{method.upper()} {path} does not declare 422"
        content = responses["422"]["content"]
        assert list(content) == ["application/problem+json"], f"{method.upper()} {path}"
        assert content["application/problem+json"]["schema"]["$ref"] in PROBLEM_SCHEMAS


def test_every_error_response_is_a_problem(schema):
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response["content"]
            assert list(content) == ["application/problem+json"], f"{method} {path} {status}"
            assert content["application/problem+json"]["schema"]["$ref"] in PROBLEM_SCHEMAS


def test_lookups_declare_404(schema):
    for path in (
        "/api/v1/sites/{site}/services",
        "/api/v1/availability",
        "/api/v1/bookings/{code}",
    ):
        assert "404" in schema["paths"][path]["get"]["responses"]


def test_problem_schema_has_the_rfc_9457_members(schema):
    problem = schema["components"]["schemas"]["Problem"]

    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    validation = schema["components"]["schemas"]["ValidationProblem"]
    assert "errors" in validation["properties"]


def test_bearer_security_scheme_is_documented(schema):
    scheme = schema["components"]["securitySchemes"]["BearerAuth"]

    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"


def test_description_states_the_conventions(schema):
    description = schema["info"]["description"]

    for convention in (
        "Authorization: Bearer",
        "Idempotency-Key",
        "?limit=",
        "application/problem+json",
        "/api/v1/problems/{code}",
        "+07:00",
        "Retry-After",
    ):
        assert convention in description


def test_docs_page_uses_bundled_assets_only(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert references
    for reference in references:
        assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", reference, re.IGNORECASE), reference
        assert reference.startswith("/static/")
        assert finders.find(reference.removeprefix("/static/")), reference
    assert "cdn" not in html.lower()
    # Swagger UI would fetch a badge from validator.swagger.io without this.
    assert '"validatorUrl": null' in html


@pytest.mark.parametrize(("method", "path"), ON_SITE)
def test_every_on_site_endpoint_of_the_contract_is_in_the_schema(schema, method, path):
    assert method in schema["paths"].get(path, {}), f"{method.upper()} {path} missing"


@pytest.mark.parametrize(("method", "path"), ON_SITE)
def test_on_site_endpoints_take_a_token_or_a_session_except_the_public_ticket(schema, method, path):
    operation = schema["paths"][path][method]
    if (method, path) in ON_SITE_PUBLIC:
        assert "security" not in operation
        assert "401" not in operation["responses"]
    else:
        assert operation["security"] == [{"BearerAuth": []}, {"SessionAuth": []}]
        assert {"401", "404", "422"} <= set(operation["responses"])


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        (
            "post",
            "/api/v1/sites/{site}/checkins",
            {"201", "401", "403", "404", "409", "422", "429"},
        ),
        ("post", "/api/v1/sites/{site}/tickets", {"201", "401", "403", "404", "409", "422"}),
        ("post", "/api/v1/counters/{id}/call-next", {"200", "204", "401", "404", "409", "422"}),
        ("post", "/api/v1/tickets/{id}/recall", {"200", "401", "404", "409", "422"}),
        ("post", "/api/v1/tickets/{id}/transfer", {"200", "401", "404", "409", "422"}),
        ("get", "/api/v1/sites/{site}/board", {"200", "401", "403", "404", "422"}),
        ("get", "/api/v1/tickets/{public_id}", {"200", "404", "422", "429"}),
    ],
)
def test_on_site_operations_declare_their_statuses(schema, method, path, codes):
    # 400 and 413: see test_operations_that_read_a_body_declare_400_and_413.
    assert set(schema["paths"][path][method]["responses"]) - BODY_STATUSES == codes


def test_operations_that_read_a_body_declare_400_and_413(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            has_body = "requestBody" in operation
            for status in BODY_STATUSES:
                assert (status in operation["responses"]) == has_body, (method, path, status)
                if has_body:
                    content = operation["responses"][status]["content"]
                    assert set(content) == {"application/problem+json"}
    assert (
        "`payload_too_large`"
        in schema["paths"]["/api/v1/bookings"]["post"]["responses"]["413"]["description"]
    )


def test_call_next_documents_its_empty_204(schema):
    response = schema["paths"]["/api/v1/counters/{id}/call-next"]["post"]["responses"]["204"]

    assert "content" not in response


def test_on_site_errors_are_described(schema):
    paths = schema["paths"]
    checkin = paths["/api/v1/sites/{site}/checkins"]["post"]["description"]
    walk_in = paths["/api/v1/sites/{site}/tickets"]["post"]["description"]
    recall = paths["/api/v1/tickets/{id}/recall"]["post"]["description"]

    for code in ("unknown_code", "already_checked_in", "too_early", "too_late", "wrong_site"):
        assert f"`{code}`" in checkin
    assert "`cancelled`" in checkin
    assert "`walk_in_quota_exhausted`" in walk_in
    assert "`closed`" in walk_in
    assert "`invalid_transition`" in recall


@pytest.mark.parametrize(
    ("path", "events"),
    [
        (
            "/api/v1/sites/{site}/events",
            {"ticket.called", "ticket.recalled", "ticket.admitted", "board.updated"},
        ),
        (
            "/api/v1/tickets/{public_id}/events",
            {
                "ticket.called",
                "ticket.recalled",
                "ticket.admitted",
                "ticket.changed",
                "ticket.state",
            },
        ),
    ],
)
def test_the_event_streams_are_documented_as_text_event_stream(schema, path, events):
    operation = schema["paths"][path]["get"]
    content = operation["responses"]["200"]["content"]

    assert list(content) == ["text/event-stream"]
    documented = {event["title"] for event in content["text/event-stream"]["schema"]["oneOf"]}
    assert documented == events
    assert "Last-Event-ID" in operation["description"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert "last_event_id" in parameters


def idempotency_headers(operation):
    return [
        parameter
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "header" and parameter["name"].lower() == "idempotency-key"
    ]


def test_every_post_that_creates_something_declares_the_idempotency_key(schema):
    creating = [
        (path, operation)
        for method, path, operation in operations(schema)
        if method == "post" and "201" in operation["responses"]
    ]

    assert {path for path, _operation in creating} >= {
        "/api/v1/auth/register",
        "/api/v1/bookings",
        "/api/v1/waitlist",
        "/api/v1/waitlist/{entry_id}/accept",
        "/api/v1/waitlist/requests",
        "/api/v1/sites/{site}/checkins",
        "/api/v1/sites/{site}/tickets",
    }
    for path, operation in creating:
        headers = idempotency_headers(operation)
        assert len(headers) == 1, path
        assert headers[0]["required"] is False
        assert headers[0]["schema"] == {"type": "string", "maxLength": 200}
        assert "`idempotency_key_reused`" in headers[0]["description"], path


def test_registration_says_when_its_idempotency_key_is_replayed(schema):
    operation = schema["paths"]["/api/v1/auth/register"]["post"]
    header = idempotency_headers(operation)[0]["description"]

    for text in (header, operation["description"]):
        assert "bearer token" in text
        assert "anonymous" in text
        assert "409 `email_taken`" in text


def test_on_site_creations_document_the_idempotency_key(schema):
    for path in ("/api/v1/sites/{site}/checkins", "/api/v1/sites/{site}/tickets"):
        headers = [
            parameter["name"]
            for parameter in schema["paths"][path]["post"].get("parameters", [])
            if parameter["in"] == "header"
        ]
        assert headers == ["Idempotency-Key"], path


def test_the_ticket_schema_has_the_contract_members(schema):
    ticket = schema["components"]["schemas"]["TicketOut"]

    assert set(ticket["required"]) >= {
        "id",
        "public_id",
        "number",
        "service",
        "site",
        "status",
        "priority",
        "booking_code",
        "issued_at",
        "called_at",
        "counter",
        "position",
        "estimated_call_at",
        "enter_now",
    }
    statuses = schema["components"]["schemas"]["TicketStatus"]["enum"]
    assert set(statuses) == {"waiting", "called", "serving", "done", "no_show", "transferred"}


def test_every_reference_in_the_document_resolves(schema):
    def references(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    for reference in references(schema):
        assert reference.startswith("#/components/schemas/"), reference
        assert reference.rsplit("/", 1)[1] in schema["components"]["schemas"], reference


def test_the_session_security_scheme_is_documented(schema):
    scheme = schema["components"]["securitySchemes"]["SessionAuth"]

    assert scheme == {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": scheme["description"],
    }
    assert "CSRF" in scheme["description"]

"""Every error under /api/v1 is an RFC 9457 problem (application/problem+json)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from antre.accounts.tokens import create_api_token
from antre.api.problems import known_problems
from antre.booking.models import Booking
from antre.core.models import IdempotencyRecord
from antre.testing import factories as f

PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body.keys() >= PROBLEM_MEMBERS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"{settings.BASE_URL}/api/v1/problems/{code}"
    assert body["title"]
    assert body["detail"]
    return body


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here", "/api/v1/", "/api/v1", "/api/v1/sites/", "/api/v1/a/b/c?x=1"],
)
def test_unknown_path_is_a_not_found_problem(client, db, path):
    response = client.get(path, follow=True)

    assert_problem(response, 404, "not_found")


def test_unknown_path_is_a_problem_for_every_method(client, db):
    assert_problem(client.delete("/api/v1/nothing-here"), 404, "not_found")
    assert_problem(client.post("/api/v1/nothing-here", {}), 404, "not_found")


def test_pages_outside_the_api_keep_their_own_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/problem+json")


def test_wrong_method_is_a_method_not_allowed_problem_with_allow(client, db):
    response = client.post("/api/v1/sites", {}, content_type="application/json")

    assert_problem(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD"


def test_head_answers_as_get_without_a_body(client, db):
    got = client.get("/api/v1/sites")
    head = client.head("/api/v1/sites")

    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]
    assert head["Content-Length"] == str(len(got.content))


def test_head_of_a_problem_keeps_its_status_and_type(client, db):
    head = client.head("/api/v1/sites?limit=0")

    assert head.status_code == 422
    assert head["Content-Type"].startswith("application/problem+json")
    assert head.content == b""


def test_head_where_there_is_no_get_is_405(client, db):
    token = create_api_token(user=f.CitizenFactory(), name="t")[1]
    head = client.head("/api/v1/auth/register", headers={"authorization": f"Bearer {token}"})

    assert head.status_code == 405
    assert head["Allow"] == "POST"


def test_validation_error_is_invalid_input_with_field_errors(client, db):
    response = client.get("/api/v1/sites?limit=abc&offset=-1")

    body = assert_problem(response, 422, "invalid_input")
    locations = {tuple(error["loc"]) for error in body["errors"]}
    assert locations == {("query", "limit"), ("query", "offset")}
    assert all(error["msg"] and error["type"] for error in body["errors"])


def test_problem_code_does_not_depend_on_the_language(client, db):
    indonesian = client.get("/api/v1/nothing-here").json()
    english = client.get("/api/v1/nothing-here", headers={"accept-language": "en"}).json()

    assert indonesian["code"] == english["code"] == "not_found"


@pytest.mark.urls("antre.api.tests.urls")
class TestRaisedErrors:
    def test_domain_error_keeps_its_code_status_and_title(self, client, db):
        response = client.get("/api/v1/conflict")

        body = assert_problem(response, 409, "slot_full")
        assert body["title"] == "Slot penuh"
        assert body["detail"] == "Slot ini sudah penuh."

    def test_permission_denied_is_a_forbidden_problem(self, client, db):
        assert_problem(client.get("/api/v1/forbidden"), 403, "forbidden")

    def test_unhandled_error_is_an_internal_error_problem_without_internals(self, db, caplog):
        client = Client(raise_request_exception=False)

        with caplog.at_level(logging.ERROR, logger="antre.api"):
            response = client.get("/api/v1/boom")

        body = assert_problem(response, 500, "internal_error")
        assert "secret" not in response.content.decode()
        assert "Traceback" not in response.content.decode()
        assert set(body) == PROBLEM_MEMBERS
        logged = [record for record in caplog.records if record.name == "antre.api"]
        assert logged
        assert logged[0].exc_info is not None
        assert "secret internals" in str(logged[0].exc_info[1])

    def test_unhandled_error_reaches_the_test_client_like_any_django_error(self, client, db):
        # The signal Django's own handler sends is sent too: error reporters
        # and the test client see the exception.
        with pytest.raises(RuntimeError, match="secret internals"):
            client.get("/api/v1/boom")

    def test_body_that_is_not_json_is_an_invalid_json_problem(self, client, db):
        response = client.post("/api/v1/echo", "slot_id=1", content_type="application/json")

        assert_problem(response, 400, "invalid_json")

    def test_json_nested_too_deep_to_parse_is_an_invalid_json_problem(self, client, db):
        response = client.post("/api/v1/echo", "[" * 100_000, content_type="application/json")

        body = assert_problem(response, 400, "invalid_json")
        assert body["title"] == "Badan permintaan bukan JSON"

    @pytest.mark.parametrize(
        "content_type",
        [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/xml",
            "multipart/form-data; boundary=x",
            "",
        ],
    )
    def test_json_sent_as_another_media_type_is_a_415_problem(self, client, db, content_type):
        response = client.generic(
            "POST", "/api/v1/echo", b'{"slot_id": 7}', content_type=content_type
        )

        assert_problem(response, 415, "unsupported_media_type")

    @pytest.mark.parametrize(
        "content_type",
        ["application/json; charset=utf-8", "Application/JSON", "application/problem+json"],
    )
    def test_json_media_types_with_parameters_or_a_json_suffix_pass(self, client, db, content_type):
        response = client.generic(
            "POST", "/api/v1/echo", b'{"slot_id": 7}', content_type=content_type
        )

        assert response.status_code == 200, response.content

    def test_json_body_of_the_wrong_shape_is_invalid_input(self, client, db):
        response = client.post("/api/v1/echo", {"slot_id": "many"}, content_type="application/json")

        body = assert_problem(response, 422, "invalid_input")
        assert body["errors"][0]["loc"] == ["body", "payload", "slot_id"]

    def test_valid_body_passes(self, client, db):
        response = client.post("/api/v1/echo", {"slot_id": 7}, content_type="application/json")

        assert response.status_code == 200
        assert response.json() == {"slot_id": 7}

    def test_throttled_is_rate_limited_with_retry_after(self, client, db):
        cache.clear()
        assert client.get("/api/v1/throttled").status_code == 200

        response = client.get("/api/v1/throttled")

        assert_problem(response, 429, "rate_limited")
        assert int(response["Retry-After"]) >= 1

    def test_missing_credentials_is_unauthenticated_with_bearer_challenge(self, client, db):
        response = client.get("/api/v1/whoami")

        assert_problem(response, 401, "unauthenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_problem_type_uri_describes_the_code(client, db):
    problem = client.get("/api/v1/nothing-here").json()
    path = problem["type"].removeprefix(settings.BASE_URL)

    response = client.get(path)

    assert response.status_code == 200
    assert response.json()["code"] == "not_found"
    assert response.json()["status"] == 404


def test_problem_catalogue_lists_api_and_domain_codes(client, db):
    codes = {entry["code"] for entry in client.get("/api/v1/problems?limit=200").json()["items"]}

    assert {"invalid_input", "not_found", "unauthenticated", "rate_limited"} <= codes
    assert {"range_too_long", "invalid_range"} <= codes


def test_unknown_problem_code_is_not_found(client, db):
    assert_problem(client.get("/api/v1/problems/no_such_code"), 404, "not_found")


# --- whatever the method, an unknown path is a 404 problem ------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/bookings/", "/api/v1/waitlist/51/", "/api/v1/"]
)
def test_an_unsafe_method_on_an_unknown_path_is_a_not_found_problem_not_a_csrf_page(
    db, method, path
):
    # A client that checks CSRF as browsers meet it: no cookie, no token.
    browser = Client(enforce_csrf_checks=True)

    response = getattr(browser, method)(path, "{}", content_type="application/json")

    assert_problem(response, 404, "not_found")


def test_a_signed_in_page_posting_to_an_unknown_path_gets_the_404_problem(db):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(f.CitizenFactory())

    response = browser.post("/api/v1/nope", "{}", content_type="application/json")

    assert_problem(response, 404, "not_found")


# --- a body too large to read ------------------------------------------------------


def too_large_json() -> bytes:
    """About 3 MB of valid JSON: more than Django's default 2.5 MB limit
    (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    body = json.dumps({"slot_id": 1, "token": "x" * 3_000_000}).encode()
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return body


@pytest.mark.parametrize("key", [None, "k-413"])
def test_a_body_over_the_upload_limit_is_payload_too_large_and_changes_nothing(db, key):
    slot = f.SlotFactory()
    token = create_api_token(user=f.CitizenFactory(), name="t")[1]
    headers = {"authorization": f"Bearer {token}"}
    if key is not None:
        headers["idempotency-key"] = key

    response = Client().post(
        "/api/v1/bookings", too_large_json(), content_type="application/json", headers=headers
    )

    body = assert_problem(response, 413, "payload_too_large")
    assert set(body) == PROBLEM_MEMBERS
    assert not Booking.objects.exists()
    assert not IdempotencyRecord.objects.exists()
    slot.refresh_from_db()
    assert slot.booked == 0


def test_an_anonymous_body_over_the_upload_limit_is_payload_too_large(db):
    response = Client().post(
        "/api/v1/auth/verify", too_large_json(), content_type="application/json"
    )

    assert_problem(response, 413, "payload_too_large")


def test_the_upload_limit_is_the_setting(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    small = client.post("/api/v1/auth/verify", {"token": "x" * 50}, content_type="application/json")
    large = client.post(
        "/api/v1/auth/verify", {"token": "x" * 200}, content_type="application/json"
    )

    assert_problem(small, 422, "invalid_token")
    assert_problem(large, 413, "payload_too_large")


# --- every code the API can answer with is described ---------------------------------

ANTRE = Path(__file__).resolve().parents[2]
# A DomainError subclass's code (antre/*/errors.py and the like).
CLASS_CODE = re.compile(r'^\s+code(?:: ClassVar\[str\])? = "([a-z_]+)"$', re.MULTILINE)
# The API layer's own codes (antre.api.problems).
KIND_CODE = re.compile(r'ProblemKind\(\s*"([a-z_]+)"')
# A problem built by hand.
RESPONSE_CODE = re.compile(r'problem_response\((?:[^()]|\([^()]*\))*?\bcode="([a-z_]+)"', re.DOTALL)


def emitted_codes() -> set[str]:
    """Every problem code written in antre's source, tests aside."""
    codes: set[str] = set()
    for source in ANTRE.rglob("*.py"):
        if "tests" in source.parts or "migrations" in source.parts:
            continue
        text = source.read_text()
        for pattern in (CLASS_CODE, KIND_CODE, RESPONSE_CODE):
            codes.update(pattern.findall(text))
    return codes


def test_the_source_scan_finds_the_codes_of_every_kind():
    codes = emitted_codes()

    assert {"slot_full", "offer_expired", "csrf_failed", "service_unavailable"} <= codes
    assert {"not_found", "payload_too_large", "http_error"} <= codes
    assert {"idempotency_key_reused", "invalid_idempotency_key"} <= codes
    assert len(codes) > 60


def test_every_problem_code_antre_can_answer_with_resolves(client, db):
    catalogued = {kind.code for kind in known_problems()}
    listed = {entry["code"] for entry in client.get("/api/v1/problems?limit=200").json()["items"]}

    for code in sorted(emitted_codes() | catalogued):
        response = client.get(f"/api/v1/problems/{code}")
        assert response.status_code == 200, code
        body = response.json()
        assert body["code"] == code
        assert body["type"] == f"{settings.BASE_URL}/api/v1/problems/{code}"
        assert body["title"], code
        assert body["detail"], code
        assert code in listed, code


@pytest.mark.parametrize(
    ("code", "status", "english"),
    [
        ("idempotency_key_reused", 422, "Idempotency key already used"),
        ("invalid_idempotency_key", 422, "Invalid idempotency key"),
        ("payload_too_large", 413, "Request too large"),
    ],
)
def test_the_api_layers_own_codes_are_described_in_both_languages(
    client, db, code, status, english
):
    indonesian = client.get(f"/api/v1/problems/{code}").json()
    translated = client.get(f"/api/v1/problems/{code}", headers={"accept-language": "en"}).json()

    assert indonesian["status"] == translated["status"] == status
    assert translated["title"] == english
    assert indonesian["title"] != english
    assert indonesian["detail"] != translated["detail"]


def test_the_problem_catalogue_is_a_paginated_list(client, db):
    first = client.get("/api/v1/problems?limit=5").json()
    rest = client.get("/api/v1/problems?limit=200&offset=5").json()

    assert len(first["items"]) == 5
    assert first["count"] == rest["count"] == 5 + len(rest["items"])
    codes = [entry["code"] for entry in first["items"] + rest["items"]]
    assert codes == sorted(codes)
    assert_problem(client.get("/api/v1/problems?limit=0"), 422, "invalid_input")

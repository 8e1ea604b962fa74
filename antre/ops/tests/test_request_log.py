"""One JSON line per request with its id; the id comes back in X-Request-ID; no NIK in logs."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
import structlog

from antre.ops.logging import logging_config


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the console handler writes with ANTRE_LOG_FORMAT=json, captured."""
    formatter_config = dict(logging_config(log_format="json", level="INFO")["formatters"]["json"])
    formatter_class = formatter_config.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_class(**formatter_config))
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert client.get("/healthz")["X-Request-ID"] != response["X-Request-ID"]


def test_an_upstream_request_id_is_kept_and_a_malformed_one_replaced(client):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-7f3a9c.42")
    assert kept["X-Request-ID"] == "nginx-7f3a9c.42"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID='bad id"\n{"event": "forged"}')
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])


@pytest.mark.django_db
def test_one_json_line_per_request_with_id_method_path_status_and_duration(client, json_log):
    response = client.get("/?nik=3275010101900001&q=x", HTTP_X_REQUEST_ID="req-123")
    assert response.status_code == 200
    request_lines = [line for line in lines(json_log) if line.get("request_id") == "req-123"]
    finished = [line for line in request_lines if line["event"] == "request_finished"]
    assert len(finished) == 1
    line = finished[0]
    assert line["method"] == "GET"
    assert line["path"] == "/"  # never the query string
    assert line["status"] == 200
    assert line["route"] == "citizen:home"
    assert line["level"] == "info"
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["timestamp"].endswith("Z")
    assert "request_started" not in {entry["event"] for entry in request_lines}
    assert "3275010101900001" not in json_log.getvalue()


def test_nik_shaped_numbers_are_masked_in_every_line(json_log):
    logging.getLogger("antre.test").warning(
        "lookup for %s failed", "3275010101900001", extra={"ignored": True}
    )
    try:
        raise ValueError("NIK 3275010101900001 is not registered")
    except ValueError:
        logging.getLogger("antre.test").exception("with a traceback")
    text = json_log.getvalue()
    assert "3275010101900001" not in text
    first, second = lines(json_log)
    assert first["event"] == "lookup for 327501********01 failed"
    assert first["logger"] == "antre.test"
    assert "327501********01" in second["exception"]
    # A longer number (a phone number, an order id) is left alone.
    logging.getLogger("antre.test").warning("order 32750101019000011")
    assert lines(json_log)[-1]["event"] == "order 32750101019000011"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("NIK 3275010101900001.", "NIK 327501********01."),
        ("call +6281398765432 now", "call +62813******32 now"),
        ("call 0813 9876 5432", "call 0813******32"),
        ("call 0813-98-76-54-32", "call 0813******32"),
        ("call 62 813 98 76 54 32", "call 62 813******32"),
        # Five separators and two digits are enough for the phone pattern:
        # the quick pre-check must not wave it through.
        ("0813     32", "0813******32"),
        ("order 32750101019000011, request 9f08123456789abc", None),
        ("GET /api/v1/sites 200 0.53", None),
    ],
)
def test_masking_keeps_what_the_patterns_mask_and_leaves_the_rest_alone(text, masked):
    from antre.ops.logging import mask_text

    assert mask_text(text) == (text if masked is None else masked)


def test_masking_reaches_nested_and_non_string_values(json_log):
    structlog.get_logger("antre.test").warning(
        "lookup", citizen={"nik": "3275010101900001", "tries": 2}, phones=["081398765432"]
    )
    line = lines(json_log)[-1]
    assert line["citizen"] == {"nik": "327501********01", "tries": 2}
    assert line["phones"] == ["0813******32"]


@pytest.mark.django_db
def test_a_failed_request_logs_request_failed_and_no_request_finished(client, json_log, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client.raise_request_exception = False
    from unittest import mock

    with mock.patch("antre.citizen.views.home.render", side_effect=RuntimeError("boom")):
        response = client.get("/?nik=3275010101900001", HTTP_X_REQUEST_ID="req-500")
    assert response.status_code == 500
    request_lines = [line for line in lines(json_log) if line.get("request_id") == "req-500"]
    events = [line["event"] for line in request_lines]
    assert events.count("request_failed") == 1
    assert "request_finished" not in events
    failed = next(line for line in request_lines if line["event"] == "request_failed")
    assert (failed["method"], failed["path"], failed["status"]) == ("GET", "/", 500)
    assert "RuntimeError: boom" in failed["exception"]


def test_a_request_line_at_debug_level_says_request_started(client, json_log):
    request_logger = logging.getLogger("django_structlog")
    previous = request_logger.level
    request_logger.setLevel(logging.DEBUG)
    try:
        client.get("/api/v1/nope?nik=3275010101900001", HTTP_X_REQUEST_ID="req-dbg")
    finally:
        request_logger.setLevel(previous)
    request_lines = [line for line in lines(json_log) if line.get("request_id") == "req-dbg"]
    started = [line for line in request_lines if line["event"] == "request_started"]
    assert len(started) == 1
    assert (started[0]["method"], started[0]["path"]) == ("GET", "/api/v1/nope")
    finished = [line for line in request_lines if line["event"] == "request_finished"]
    assert finished[0]["route"] == "api:unknown-path"
    assert finished[0]["status"] == 404
    assert finished[0]["level"] == "warning"
    assert "3275010101900001" not in json_log.getvalue()


@pytest.mark.django_db
def test_the_request_line_names_the_session_user_and_anonymous_api_calls_stay_cookieless(
    client, json_log
):
    from antre.testing import factories as f

    anonymous = client.get("/api/v1/nope", HTTP_X_REQUEST_ID="req-anon")
    assert "Cookie" not in anonymous.get("Vary", "")
    assert "Set-Cookie" not in anonymous.headers
    user = f.CitizenFactory()
    client.force_login(user)
    client.get("/api/v1/nope", HTTP_X_REQUEST_ID="req-user")
    by_id = {
        line["request_id"]: line for line in lines(json_log) if line["event"] == "request_finished"
    }
    assert by_id["req-anon"]["user_id"] is None
    assert str(by_id["req-user"]["user_id"]) == str(user.pk)


@pytest.mark.django_db
def test_the_request_line_names_the_user_of_a_bearer_token(client, json_log):
    from antre.accounts.tokens import create_api_token
    from antre.testing import factories as f

    user = f.CitizenFactory()
    raw = create_api_token(user=user, name="app")[1]
    client.get("/api/v1/bookings", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_X_REQUEST_ID="req-b")
    client.get("/api/v1/bookings", HTTP_AUTHORIZATION="Bearer wrong", HTTP_X_REQUEST_ID="req-w")
    by_id = {
        line["request_id"]: line for line in lines(json_log) if line["event"] == "request_finished"
    }
    assert by_id["req-b"]["status"] == 200
    assert str(by_id["req-b"]["user_id"]) == str(user.pk)
    assert by_id["req-w"]["status"] == 401
    assert by_id["req-w"]["user_id"] is None

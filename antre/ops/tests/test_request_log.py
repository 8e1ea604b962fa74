"""One JSON line per request with its id; the id comes back in X-Request-ID; no NIK in logs."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

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

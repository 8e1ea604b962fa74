"""A request body sent without Content-Length (chunked) reaches Django."""

from __future__ import annotations

import io
import json
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from antre.ops.wsgi import get_application, sized_bodies


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def environ_for(body: bytes, *, chunked: bool, path: str = "/") -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "wsgi.input": CountingStream(body),
    }
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(len(body))
    setup_testing_defaults(environ)
    return environ


def seen_by_the_app(environ: dict[str, Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ, body=environ["wsgi.input"].read())
        return []

    sized_bodies(app)(environ, lambda *args: None)
    return seen


def test_a_chunked_body_is_handed_on_with_its_length() -> None:
    seen = seen_by_the_app(environ_for(b'{"slot_id": 7}', chunked=True))

    assert seen["CONTENT_LENGTH"] == "14"
    assert seen["body"] == b'{"slot_id": 7}'


def test_a_chunked_body_too_large_is_read_one_byte_past_the_limit(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    environ = environ_for(b"x" * 1_000_000, chunked=True)
    stream = environ["wsgi.input"]

    seen = seen_by_the_app(environ)

    assert stream.taken == 1001
    assert seen["CONTENT_LENGTH"] == "1001"


def test_a_body_with_its_length_is_left_alone() -> None:
    environ = environ_for(b'{"slot_id": 7}', chunked=False)
    stream = environ["wsgi.input"]

    seen = seen_by_the_app(environ)

    assert seen["wsgi.input"] is stream
    assert stream.taken == 14


def call(environ: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    status: list[str] = []
    chunks = get_application()(environ, lambda line, headers, *rest: status.append(line))
    return status[0], json.loads(b"".join(chunks))


@pytest.mark.django_db
def test_a_chunked_json_post_is_read_by_the_api() -> None:
    body = json.dumps({"token": "bukan-token"}).encode()

    status, answer = call(environ_for(body, chunked=True, path="/api/v1/auth/verify"))

    # The token was read (and refused), not found missing.
    assert status.startswith("422")
    assert answer["code"] == "invalid_token"


@pytest.mark.django_db
def test_a_chunked_body_over_the_limit_is_a_413_problem(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"token": "x" * 5000}).encode()

    status, answer = call(environ_for(body, chunked=True, path="/api/v1/auth/verify"))

    assert status.startswith("413")
    assert answer["code"] == "payload_too_large"

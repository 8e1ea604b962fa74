"""Django's WSGI application, with a body sent without ``Content-Length``.

A client may send its body ``Transfer-Encoding: chunked`` (a streaming HTTP
client, some gateways). The server (granian, or a2wsgi under ASGI) decodes
the chunks, but the environ then has no ``CONTENT_LENGTH``, and Django reads
a body only as long as that says: it saw none, and a valid JSON POST was
answered 422 "missing". Such a body is read here, at most one byte over
``DATA_UPLOAD_MAX_MEMORY_SIZE``, and handed on with its length, so that
Django reads it, or refuses one too large as it refuses any other (413
``payload_too_large``) without this reading the rest.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

READ_SIZE = 64 * 1024


def _unsized_body(environ: dict[str, Any]) -> bool:
    return not environ.get("CONTENT_LENGTH") and "chunked" in (
        environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    )


def _read_up_to(stream: Any, limit: int | None) -> bytes:
    """The stream's bytes, stopping once more than ``limit`` are read."""
    buffer = bytearray()
    while limit is None or len(buffer) <= limit:
        want = READ_SIZE if limit is None else min(READ_SIZE, limit + 1 - len(buffer))
        chunk = stream.read(want)
        if not chunk:
            break
        buffer += chunk
    return bytes(buffer)


def sized_bodies(app: WSGIApp) -> WSGIApp:
    """``app``, given every request body with its length (see the module)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if _unsized_body(environ):
            body = _read_up_to(environ["wsgi.input"], settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return application


def get_application() -> WSGIApp:
    """Django's WSGI application as antre serves it."""
    return sized_bodies(get_wsgi_application())

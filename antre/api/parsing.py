"""A request's JSON body, parsed once.

The idempotency middleware parses the body before the operation runs (its
fingerprint is of the body's canonical JSON, ``antre.api.idempotency``); the
operation's parser (``BodyParser``, the API's) then takes that parsed value
instead of parsing the same bytes again. A body the middleware could not
parse is left to the parser, which refuses it as ninja's does (400
``invalid_json``). A body sent as anything but JSON (``Content-Type``
``application/json`` or another ``+json`` type) is refused before it is
read as JSON, whatever it holds (415 ``unsupported_media_type``).
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

_PARSED = "_antre_parsed_body"


class UnsupportedMediaType(Exception):
    """The body was sent as another media type than JSON."""


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or a structured ``+json`` type (RFC 6839), the
    parameters (``charset``) already split off, as Django does."""
    kind = content_type.strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def parse_json_body(request: HttpRequest) -> tuple[bool, Any]:
    """``(True, value)`` for a body that is JSON, kept for the operation's
    parser; ``(False, None)`` for one that is not. Reads the body: raises
    ``RequestDataTooBig`` for one over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    body = request.body
    try:
        # As ninja's parser: json.loads detects UTF-8, -16 and -32.
        value = json.loads(body)
    except (ValueError, RecursionError):
        return False, None
    setattr(request, _PARSED, value)
    return True, value


def canonical_json(value: Any) -> bytes | None:
    """``value`` as compact JSON with sorted keys: equal for equal JSON
    however it was written (whitespace, key order, escapes). ``None`` for
    what cannot be written so (nesting too deep)."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        return None


class BodyParser(Parser):
    """ninja's JSON parser, which takes the body's value already parsed in
    this request (``parse_json_body``) rather than parsing it again. The value
    is shared, not copied: validation reads it and changes nothing."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if not is_json_media_type(request.content_type or ""):
            raise UnsupportedMediaType()
        parsed = getattr(request, _PARSED, _PARSED)
        if parsed is not _PARSED:
            return cast(DictStrAny, parsed)
        return super().parse_body(request)

"""Answers rendered by an operation itself, byte for byte as ninja would
render what the operation returns: for an answer that must exist before the
operation returns (recorded with its Idempotency-Key inside a transaction,
or kept in a cache)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from pydantic import BaseModel


def render_json(request: HttpRequest, out: BaseModel, *, by_alias: bool = False) -> bytes:
    """``out`` as the operation's JSON body (``by_alias`` as the operation's)."""
    from antre.api.app import api  # the app imports every operation's module

    return api.renderer.render(request, out.model_dump(by_alias=by_alias), response_status=200)


def json_response(
    request: HttpRequest, out: BaseModel, *, status: int, by_alias: bool = False
) -> HttpResponse:
    return HttpResponse(
        render_json(request, out, by_alias=by_alias), status=status, content_type=content_type()
    )


def content_type() -> str:
    from antre.api.app import api

    return api.get_content_type()


def no_content() -> HttpResponse:
    """A 204: no body, so no Content-Type either (Django's HttpResponse would
    say text/html)."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response

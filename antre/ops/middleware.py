"""The outermost middleware: request id, timing, request metrics, health probes.

It comes first in MIDDLEWARE so that its clock covers every other middleware,
and so that ``/healthz`` and ``/readyz`` are answered before the host check,
sessions, CSRF and the request log: a load balancer probing by IP address
every few seconds needs none of them.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from antre.ops import views

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# An id from upstream (nginx's $request_id, a client's own) is kept when it
# looks like an id; anything else is replaced, so that no header can smuggle
# text into the logs.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

PROBES: dict[str, Callable[[HttpRequest], HttpResponseBase]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
}

SyncGetResponse = Callable[[HttpRequest], HttpResponseBase]
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


def request_id_for(request: HttpRequest) -> str:
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if VALID_REQUEST_ID.fullmatch(given):
        return str(given)
    return uuid.uuid4().hex


def route_label(request: HttpRequest) -> str:
    """The URL pattern's name (``citizen:home``), never the raw path, so that
    the metrics' label values stay few."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    if request.path_info in PROBES:
        return request.path_info.lstrip("/")
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class ObservabilityMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: SyncGetResponse | AsyncGetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        started = self.begin(request)
        probe = PROBES.get(request.path_info)
        if probe is not None:
            response = probe(request)
        else:
            response = cast(SyncGetResponse, self.get_response)(request)
        return self.finish(request, response, started)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        started = self.begin(request)
        probe = PROBES.get(request.path_info)
        if probe is not None:
            response = await sync_to_async(probe)(request)
        else:
            response = await cast(AsyncGetResponse, self.get_response)(request)
        return self.finish(request, response, started)

    @staticmethod
    def begin(request: HttpRequest) -> float:
        request_id = request_id_for(request)
        # django-structlog reads the id from here (DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID).
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        request.started_at = started  # type: ignore[attr-defined]
        return started

    @staticmethod
    def finish(
        request: HttpRequest, response: HttpResponseBase, started: float
    ) -> HttpResponseBase:
        from antre.ops import metrics

        response[REQUEST_ID_HEADER] = request.META["HTTP_X_REQUEST_ID"]
        metrics.observe_request(
            route=route_label(request),
            method=request.method if request.method in METHODS else "other",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response

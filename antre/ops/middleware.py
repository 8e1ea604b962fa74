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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, cast

import structlog
from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware as DjangoCSPMiddleware
from django.utils.csp import CSP, build_policy
from django.utils.functional import SimpleLazyObject, empty
from django_structlog.app_settings import app_settings as structlog_settings
from django_structlog.middlewares.request import (
    RequestMiddleware,
    async_streaming_content_wrapper,
    sync_streaming_content_wrapper,
)

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
    the metrics' label values stay few. Computed once per request: the
    request line (RequestLogMiddleware) and the metrics both use it."""
    label: str | None = getattr(request, "route_label", None)
    if label is None:
        label = _route_label(request)
        request.route_label = label  # type: ignore[attr-defined]
    return label


def _route_label(request: HttpRequest) -> str:
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


# The request line ------------------------------------------------------------

# django-structlog's own logger, so that the line's ``logger`` field stays
# ``django_structlog.middlewares.request``.
request_logger = structlog.stdlib.get_logger("django_structlog.middlewares.request")


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's RequestMiddleware with antre's request line built in.

    The line (``request_finished``: method, path without the query, route,
    status, duration; ``request_id`` and ``user_id`` from the context) is the
    one antre.ops.logging's signal receivers used to build out of
    django-structlog's, without the round trip through its signals, its
    ``request.headers`` and full-path formatting that the receivers threw
    away, or a ``request_started`` event built and dropped at INFO; and
    without loading the user of a request that has no session (see
    ``bind_user_id``). The failure path (``request_failed``, from
    ``got_request_exception``), the user-id binding of every other request
    (which keeps ``session.accessed`` honest), the streaming wrappers and the
    async path are django-structlog's own.
    """

    def prepare(self, request: HttpRequest) -> None:
        # ObservabilityMiddleware, outermost, chose the id (an upstream
        # well-formed one kept) and wrote it to META, which is where
        # DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID made django-structlog read it.
        request_id = request.META.get("HTTP_X_REQUEST_ID") or str(uuid.uuid4())
        structlog.contextvars.bind_contextvars(request_id=request_id)
        if structlog_settings.TRUST_UPSTREAM_CORRELATION_ID:
            correlation_id = request.META.get("HTTP_X_CORRELATION_ID")
            if correlation_id:
                structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        self.bind_user_id(request)
        if structlog_settings.IP_LOGGING_ENABLED:
            self.bind_ip(request)
        level = structlog_settings.STATUS_START_LOG_LEVEL
        if request_logger.isEnabledFor(level):
            request_logger.log(
                level,
                "request_started",
                user_agent=request.META.get("HTTP_USER_AGENT"),
                method=request.method,
                path=request.path,
            )

    @staticmethod
    def bind_user_id(request: HttpRequest) -> None:
        bearer = request.__dict__.get("_antre_bearer_user")
        if bearer is not None and structlog_settings.USER_ID_FIELD:
            # An API call authenticated by its token (antre.api.auth): that
            # user, not the session's (API calls carry none).
            structlog.contextvars.bind_contextvars(user_id=bearer.pk)
            return
        user = request.__dict__.get("user")
        if (
            structlog_settings.USER_ID_FIELD
            and type(user) is SimpleLazyObject  # type() does not evaluate it; isinstance would
            and user._wrapped is empty
            and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        ):
            # Nobody has asked for the user yet and the request carries no
            # session: AuthenticationMiddleware's lazy user can only be
            # AnonymousUser (Django's login() and logout() replace
            # request.user rather than fill the empty session behind it),
            # whose id is None. django-structlog would load it, flag the
            # session as read, then undo that and wrap the user again: the
            # same line at the end, at the cost of a user lookup per request.
            structlog.contextvars.bind_contextvars(user_id=None)
            return
        RequestMiddleware.bind_user_id(request)

    def handle_response(self, request: HttpRequest, response: Any) -> None:
        if hasattr(request, "_raised_exception"):
            # request_failed is already logged; django-structlog clears up.
            super().handle_response(request, response)
            return
        self.bind_user_id(request)
        fields: dict[str, Any] = {
            "method": request.method,
            "path": request.path,  # never the query string: it may hold personal data
            "route": route_label(request),
            "status": response.status_code,
        }
        started = getattr(request, "started_at", None)
        if started is not None:
            fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
        level = self._log_level_for_status_code(response.status_code)
        request_logger.log(level, "request_finished", **fields)
        if isinstance(response, StreamingHttpResponse):
            context = structlog.contextvars.get_contextvars()
            if response.is_async:
                response.streaming_content = async_streaming_content_wrapper(
                    cast(AsyncIterator[bytes], response.streaming_content), context
                )
            else:
                response.streaming_content = sync_streaming_content_wrapper(
                    cast(Iterator[bytes], response.streaming_content), context
                )
        structlog.contextvars.clear_contextvars()


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's CommonMiddleware, without a second URL resolution on a 404
    from a view that the first one found."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        # Django redirects to path + "/" only when the path itself resolves
        # to nothing. A request that reached a view (resolver_match set, by
        # the same resolver and urlconf Django's check would use) resolved,
        # so the answer is "no": every API 404 (the /api/v1/ catch-all
        # answers any path) and every Http404 raised by a view. Unresolved
        # paths still get Django's check.
        if getattr(request, "resolver_match", None) is not None:
            return False
        return super().should_redirect_with_slash(request)


# Under it, config/urls.py mounts the API alone, whose last pattern
# (antre.api.app) answers every path left: nothing under it renders a page.
API_PREFIX = "/api/v1/"


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's MessageMiddleware, with no message storage for the API.

    No API operation adds or reads messages (they are for pages), and an
    API answer is JSON that never shows them, so the storage (a cookie and a
    session store built per request) would stay untouched: Django's
    ``process_response`` saves nothing when nothing was added or read, and
    it skips a request without storage. Pending messages therefore wait for
    the next page exactly as before. Code under the API that tried to add one
    would fail loudly (MessageFailure), not lose it silently.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(API_PREFIX):
            return
        super().process_request(request)


class ContentSecurityPolicyMiddleware(DjangoCSPMiddleware):
    """Django's CSP middleware, rendering the policy once per configuration
    rather than once per response.

    A policy is a function of its configuration and the request's nonce; a
    response whose nonce nobody asked for (every API answer, most pages'
    HTML without inline scripts) gets the policy without one, which is the
    same string every time. Configurations are compared by identity and
    kept referenced (so that an id is never reused): settings (and
    override_settings) replace them, never change them in place.
    """

    def __init__(self, get_response: Any) -> None:
        super().__init__(get_response)
        self.policies: dict[str, tuple[Any, str]] = {}

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        nonce = getattr(request, "_csp_nonce", None)
        sentinel = object()
        if (enforced := getattr(response, "_csp_config", sentinel)) is sentinel:
            enforced = settings.SECURE_CSP
        if (report_only := getattr(response, "_csp_ro_config", sentinel)) is sentinel:
            report_only = settings.SECURE_CSP_REPORT_ONLY
        for header, config in (
            (CSP.HEADER_ENFORCE, enforced),
            (CSP.HEADER_REPORT_ONLY, report_only),
        ):
            # As Django: a header the view set stays; an empty config adds none.
            if config and header not in response:
                response.headers[str(header)] = self.policy(header, config, nonce)
        return response

    def policy(self, header: str, config: Any, nonce: Any) -> str:
        if nonce:  # a LazyNonce is true once generated: this response's own
            return build_policy(config, nonce)
        cached = self.policies.get(header)
        if cached is not None and cached[0] is config:
            return cached[1]
        policy = build_policy(config, nonce)
        self.policies[header] = (config, policy)
        return policy

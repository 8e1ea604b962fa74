"""``/healthz``, ``/readyz`` and ``/metrics``: for load balancers, monitors and Prometheus.

Errors are RFC 9457 problems like the API's, with ``type`` ``about:blank``
(their meaning is their HTTP status) and a ``code``; these endpoints are for
operators, so their words are English.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from antre.ops import metrics as _metrics  # noqa: F401 - the antre_ metrics exist from the first scrape
from antre.ops.checks import run_checks
from antre.ops.collectors import DatabaseCollector, SiteNames

# Headers a reverse proxy adds: a request carrying one came from outside,
# even though the proxy connects from 127.0.0.1.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def problem(*, status: int, title: str, code: str, detail: str, **extra: Any) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return HttpResponse(
        json.dumps(body), status=status, content_type="application/problem+json; charset=utf-8"
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers. Touches nothing else: a database outage must not
    make a supervisor restart every app server."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """The database and the cache answer and a worker beat recently; else a
    503 problem naming what failed."""
    results = run_checks()
    checks = {result.name: {"ok": result.ok, "detail": result.detail} for result in results}
    failed = [result.name for result in results if not result.ok]
    if failed:
        return problem(
            status=503,
            title="Service Unavailable",
            code="not_ready",
            detail=f"Not ready: {', '.join(failed)}.",
            checks=checks,
        )
    return JsonResponse({"status": "ok", "checks": checks})


def is_local(request: HttpRequest) -> bool:
    """From this machine, and not relayed by a reverse proxy on it."""
    if any(header in request.META for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def has_metrics_token(request: HttpRequest) -> bool:
    token: str = settings.ANTRE_METRICS_TOKEN
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


class _DefaultRegistry(Collector):
    """This process's own metrics (one process: tests, ``runserver``)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format: from this machine, or with ``Authorization:
    Bearer $ANTRE_METRICS_TOKEN``."""
    if not (is_local(request) or has_metrics_token(request)):
        return problem(
            status=403,
            title="Forbidden",
            code="forbidden",
            detail="Metrics are served to this machine or with the bearer token only.",
        )
    registry = CollectorRegistry(auto_describe=False)
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    counted: Collector = (
        MultiProcessCollector(None, path=directory) if directory else _DefaultRegistry()
    )
    registry.register(SiteNames(counted))
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

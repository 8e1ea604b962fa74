"""The database is unreachable: answer 503 "try again shortly", never a 500.

An ``OperationalError`` or ``InterfaceError`` from the database driver means
the server is down, restarting, unreachable or refused the connection (or a
transient failure such as a deadlock): nothing the client did, and nothing a
retry in a few seconds would not fix. The API answers a 503 problem
(``service_unavailable``, with ``Retry-After``), pages an Indonesian 503 page
that needs no database, and ``/readyz`` already says 503 so that a load
balancer stops sending traffic. Django drops a connection that failed
(``CONN_HEALTH_CHECKS``; the pool checks its own), so the first request after
the database returns gets a fresh one.

Two ways in: ninja's exception handlers (``install_outage_handlers``) for
errors inside an API operation, and ``handler500`` (``server_error``) for
everything else: page views and middleware (sessions, idempotency keys).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from antre.core.errors import DomainError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
OUTAGE_ERRORS = (OperationalError, InterfaceError)
API_PREFIX = "/api/"


class ServiceUnavailable(DomainError):
    code = "service_unavailable"
    status = 503
    title = _("Layanan sedang tidak tersedia")
    default_detail = _(
        "Layanan sedang mengalami gangguan sementara. Silakan coba lagi setelah "
        "waktu di header Retry-After, dengan Idempotency-Key yang sama."
    )
    retry_after = RETRY_AFTER_SECONDS


class StorageFull(DomainError):
    """The database's disk (or SQLite's ``max_page_count``) is full. Not a
    blip that a retry in seconds fixes: an operator must free space, so it is
    a 507 of its own rather than the 503 of an outage. The transaction was
    rolled back, so a retry once there is room is safe."""

    code = "storage_full"
    status = 507
    title = _("Penyimpanan server penuh")
    default_detail = _(
        "Server tidak dapat menyimpan data karena penyimpanannya penuh. Tidak ada yang "
        "berubah; petugas sudah diberi tahu. Silakan coba lagi nanti."
    )


# SQLite's SQLITE_FULL message, and PostgreSQL's disk_full SQLSTATE.
_SQLITE_FULL_MESSAGE = "database or disk is full"
_POSTGRES_DISK_FULL = "53100"


def is_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS)


def is_storage_full(error: BaseException | None) -> bool:
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    return _SQLITE_FULL_MESSAGE in str(error) or (
        getattr(cause, "sqlstate", None) == _POSTGRES_DISK_FULL
    )


def api_unavailable(error: BaseException | None = None) -> HttpResponse:
    from antre.api.problems import domain_error_response

    if is_storage_full(error):
        return domain_error_response(StorageFull())
    return domain_error_response(ServiceUnavailable())


def page_unavailable(request: HttpRequest) -> HttpResponse:
    # No base template: its header asks who is signed in, which needs the database.
    body = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}, request=request)
    return HttpResponse(
        body,
        status=503,
        content_type="text/html; charset=utf-8",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def unavailable_response(request: HttpRequest, error: BaseException | None = None) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return api_unavailable(error)
    return page_unavailable(request)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """``handler500``: Django calls it while handling the uncaught exception,
    so ``sys.exc_info()`` names it. An outage is a 503; anything else is the
    usual 500 (a problem under /api/, Django's page elsewhere)."""
    error = sys.exc_info()[1]
    if is_storage_full(error):
        logger.error("Storage full in %s %s: %r", request.method, request.path, error)
    if is_outage(error):
        return unavailable_response(request, error)
    if request.path_info.startswith(API_PREFIX):
        from antre.api.problems import INTERNAL_ERROR, kind_response

        return kind_response(INTERNAL_ERROR)
    return defaults.server_error(request)


def _on_outage(request: HttpRequest, error: Exception) -> HttpResponse:
    if is_storage_full(error):
        # Someone must free space: say so louder than a passing outage.
        logger.error("Storage full in %s %s: %r", request.method, request.path, error)
    else:
        logger.warning("Database unavailable in %s %s: %r", request.method, request.path, error)
    return api_unavailable(error)


def install_outage_handlers(api: Any) -> None:
    """On a NinjaAPI: a database outage inside an operation is a 503 problem
    (ninja picks the most specific handler along the exception's MRO, so
    these win over the catch-all 500)."""
    for error_class in OUTAGE_ERRORS:
        api.add_exception_handler(error_class, _on_outage)

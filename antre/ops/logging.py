"""Logs: one line per event, JSON for machines or plain text for a person.

Every line of a request carries its ``request_id`` (bound by
django-structlog's middleware from the id ObservabilityMiddleware chose).
The request line itself (``request_finished``) holds method, path (never the
query string), route, status, duration and user id; request bodies are never
logged, and anything that looks like a NIK (16 digits) or an Indonesian
mobile number is masked in every line, as ``antre.accounts.nik.mask`` and
``antre.accounts.privacy.mask_phone`` show them: the region (the operator)
and the last two digits (UU PDP 27/2022: logs are kept longer and read by
more people than the database).

Errors are mailed to ``ADMINS`` through the outbox (AdminErrorEmailHandler).
This module is imported by config/settings.py: it must not touch models or
settings at import time.
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback
from typing import Any

import structlog
from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.log import AdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter
from structlog.types import EventDict, Processor

logger = logging.getLogger(__name__)

StrOrPromise = str | Promise

# 16 digits not inside a longer number: the shape of a NIK (and of little else
# that antre logs). Keeps what antre.accounts.nik.mask keeps.
NIK_PATTERN = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{2})(?!\d)")


# An Indonesian mobile number, +62 8… or 08… and at least 9 more digits,
# spaces and hyphens allowed; not inside a longer word or number (request ids
# are hex). Keeps the operator prefix and the last two digits, as
# antre.accounts.privacy.mask_phone does.
PHONE_PATTERN = re.compile(r"(?<![\w+])(\+?62|0)([ -]?8\d{2})[\d -]{5,12}(\d{2})(?![\w])")


# What either pattern needs at the least: 16 digits in a row (a NIK), or the
# "8" and two digits of a mobile number right after its "0" or "62". Text
# without it (most values: event names, paths, levels, ids) is returned as is
# after one scan instead of two substitutions.
MAYBE_PERSONAL = re.compile(r"\d{16}|[02][ -]?8\d\d")


def mask_text(text: str) -> str:
    if MAYBE_PERSONAL.search(text) is None:
        return text
    text = NIK_PATTERN.sub(r"\1********\2", text)
    return PHONE_PATTERN.sub(r"\1\2******\3", text)


def _mask(value: Any) -> Any:
    kind = type(value)
    # The usual values first; a subclass of str (a lazy translation already
    # rendered, a SafeString) goes the isinstance way below.
    if kind is str:
        return mask_text(value)
    if kind is int or kind is float or kind is bool or value is None:
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(item) for item in value]
    return value


def mask_personal_data(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """A structlog processor: mask NIK-shaped numbers and mobile numbers in
    every value (keys are antre's own names)."""
    return {key: _mask(value) for key, value in event_dict.items()}


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure_structlog() -> None:
    """structlog hands its events to the standard library's handlers, so that
    one formatter renders structlog's and Django's records alike.

    No line shows the caller's file and line, thread, process or task, so
    the standard library is told not to look them up for every record (its
    documented optimisations, logging HOWTO "Optimization"): the request line
    of every request is built without a walk up the stack."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.logAsyncioTasks = False  # type: ignore[attr-defined] # 3.12+, not in typeshed yet
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: ``log_format`` is ``json`` or ``plain``."""
    final: list[Processor] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        structlog.processors.format_exc_info,
        mask_personal_data,
    ]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [*final, structlog.processors.JSONRenderer(ensure_ascii=False)],
                "foreign_pre_chain": _shared_processors(),
            },
            "plain": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [*final, structlog.dev.ConsoleRenderer(colors=False)],
                "foreign_pre_chain": _shared_processors(),
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format},
            "mail_admins": {
                "class": "antre.ops.logging.AdminErrorEmailHandler",
                "level": "ERROR",
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # django-structlog's request line already says every 4xx and 5xx;
            # Django's own line about them only feeds the admins' e-mail.
            "django.request": {"handlers": ["mail_admins"], "level": "ERROR", "propagate": False},
            "antre.api": {"handlers": ["mail_admins"]},
            "django_structlog": {"level": "INFO"},
        },
    }


# The request_failed line -----------------------------------------------------


def _request_fields(request: HttpRequest) -> dict[str, Any]:
    return {"method": request.method, "path": request.path}


def _on_request_failed(
    sender: Any, request: HttpRequest, log_kwargs: dict[str, Any], **kwargs: Any
) -> None:
    log_kwargs.pop("request", None)
    log_kwargs.pop("code", None)
    log_kwargs.update(_request_fields(request))
    log_kwargs["status"] = 500


def connect_request_log_signals() -> None:
    """The ``request_failed`` line (an exception escaped the view): its fields.
    The ``request_started`` and ``request_finished`` lines are built by
    antre.ops.middleware.RequestLogMiddleware itself."""
    from django_structlog import signals

    signals.bind_extra_request_failed_metadata.connect(
        _on_request_failed, dispatch_uid="ops-failed"
    )


# Errors to the admins ----------------------------------------------------------


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the admins' e-mail, the debug page) show no form values:
    a registration form holds a NIK, a name and a phone number."""

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)


class AdminErrorEmailHandler(AdminEmailHandler):
    """Django's AdminEmailHandler, sent through the outbox and throttled.

    Through the outbox, so that a report survives an SMTP outage and is
    retried like any message; straight to SMTP (Django's way) when the
    database cannot take the row (it may be what failed) or when the code
    that logged is inside a transaction that may still roll back.

    One report per request (the API logs its error and Django logs the 500),
    and one per kind of error every ``ANTRE_ADMIN_MAIL_INTERVAL`` seconds: an
    outage that fails every request must not bury the admins under mail.
    Plain text only; NIK-shaped numbers masked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["include_html"] = False
        super().__init__(*args, **kwargs)

    def emit(self, record: logging.LogRecord) -> None:
        if not settings.ADMINS:
            return
        try:
            if not self.first_report(record):
                return
        except Exception as error:
            # No cache: better a duplicate than a lost report.
            logger.warning("admin error reports are not throttled: %r", error)
        try:
            super().emit(record)
        except Exception:
            self.handleError(record)

    @staticmethod
    def fingerprint(record: logging.LogRecord) -> str:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = traceback.extract_tb(error.__traceback__)
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
            kind = f"{type(error).__module__}.{type(error).__qualname__}@{where}"
        else:
            kind = record.getMessage()
        return hashlib.sha256(f"{record.name}|{kind}".encode()).hexdigest()[:32]

    def first_report(self, record: logging.LogRecord) -> bool:
        from django.core.cache import cache

        # Django's own 500 line carries the request; the API's comes while
        # django-structlog still has the request id bound.
        request = getattr(record, "request", None)
        request_id = getattr(request, "request_id", None) or (
            structlog.contextvars.get_contextvars().get("request_id")
        )
        if request_id and not cache.add(f"antre:admin-mail:request:{request_id}", 1, 3600):
            return False
        key = f"antre:admin-mail:{self.fingerprint(record)}"
        return bool(cache.add(key, 1, settings.ANTRE_ADMIN_MAIL_INTERVAL))

    def send_mail(
        self, subject: StrOrPromise, message: StrOrPromise, *args: Any, **kwargs: Any
    ) -> None:
        subject, message = mask_text(str(subject)), mask_text(str(message))
        try:
            self.queue_in_outbox(subject, message)
        except Exception as error:
            logger.warning("admin error report sent directly, not through the outbox: %r", error)
            super().send_mail(subject, message)

    @staticmethod
    def queue_in_outbox(subject: str, message: str) -> None:
        from django.db import connection, transaction

        from antre.notifications.rendering import RenderedEmail
        from antre.notifications.services import queue_message

        if connection.in_atomic_block:
            raise RuntimeError("the caller's transaction may still roll back")
        rendered = RenderedEmail(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}"[:300],
            body_text=message,
            body_html="",
        )
        with transaction.atomic():
            for address in settings.ADMINS:
                queue_message(kind="admin_error", recipient=address, rendered=rendered)

"""Readiness checks: can this app server do its work right now?

Each check is cheap (one query or one cache round trip), never raises, and
says in a few words what failed; the full error goes to the log, not to the
(public) answer. Operator-facing, so English and not translated.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from antre.ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def _ping_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_database() -> CheckResult:
    try:
        _ping_database()
    except Exception as error:
        logger.warning("readiness: database unreachable: %r", error)
        return CheckResult("database", False, f"unreachable ({type(error).__name__})")
    return CheckResult("database", True, "reachable")


def check_cache() -> CheckResult:
    key = "antre:readyz"
    token = secrets.token_hex(8)
    try:
        cache.set(key, token, timeout=10)
        answered = cache.get(key)
    except Exception as error:
        logger.warning("readiness: cache unreachable: %r", error)
        return CheckResult("cache", False, f"unreachable ({type(error).__name__})")
    if answered != token:
        # Another app server may have written in between; a second try settles it.
        try:
            cache.set(key, token, timeout=10)
            answered = cache.get(key)
        except Exception as error:
            return CheckResult("cache", False, f"unreachable ({type(error).__name__})")
        if answered != token:
            return CheckResult("cache", False, "did not return what was stored")
    return CheckResult("cache", True, "reachable")


def check_worker() -> CheckResult:
    """A worker beat within ``ANTRE_WORKER_STALE_SECONDS`` (real time)."""
    limit = dt.timedelta(seconds=settings.ANTRE_WORKER_STALE_SECONDS)
    try:
        latest = (
            WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        )
    except Exception as error:
        logger.warning("readiness: worker heartbeat unreadable: %r", error)
        return CheckResult("worker", False, f"heartbeat unreadable ({type(error).__name__})")
    if latest is None:
        return CheckResult("worker", False, "no worker has reported")
    age = timezone.now() - latest
    if age > limit:
        return CheckResult("worker", False, f"last heartbeat {age.total_seconds():.0f} s ago")
    return CheckResult("worker", True, f"last heartbeat {max(age.total_seconds(), 0):.0f} s ago")


def run_checks() -> list[CheckResult]:
    return [check_database(), check_cache(), check_worker()]

"""Periodic jobs run by the worker's tick.

Each job is a plain idempotent function registered with an interval. A tick
claims every due job with a guarded UPDATE on its ``PeriodicJob`` row, so with
several workers each due run happens once; a crash mid-run only means the job
runs again at its next due time, which its idempotency makes harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.module_loading import autodiscover_modules

from antre.core import clock
from antre.core.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    interval: dt.timedelta
    function: Callable[[], object]


_registry: dict[str, Job] = {}


def periodic(*, every: dt.timedelta) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register a function (no arguments) to run every ``every``."""

    def register(function: Callable[[], object]) -> Callable[[], object]:
        name = f"{function.__module__}.{function.__qualname__}"
        _registry[name] = Job(name=name, interval=every, function=function)
        return function

    return register


def registered_jobs() -> dict[str, Job]:
    autodiscover_modules("periodic_jobs")
    return dict(_registry)


def claim(job: Job) -> bool:
    """Move the job's next due time forward if it is due now; True if this caller won."""
    now = clock.now()
    try:
        with transaction.atomic():
            PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    except IntegrityError:
        pass  # another worker made the row first
    claimed = PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=now + job.interval, last_started_at=now
    )
    return claimed == 1


def run_due_jobs() -> list[str]:
    """Run every job that is due and that this worker claimed; return their names."""
    ran = []
    for job in registered_jobs().values():
        if not claim(job):
            continue
        error = ""
        try:
            job.function()
        except Exception as exc:
            logger.exception("periodic job %s failed", job.name)
            error = repr(exc)
        PeriodicJob.objects.filter(name=job.name).update(
            last_finished_at=clock.now(), last_error=error
        )
        ran.append(job.name)
    return ran

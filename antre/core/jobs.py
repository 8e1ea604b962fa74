"""What django-tasks-db leaves to us: retries, recovery, heartbeats, pruning.

**Retries.** A task that raised is put back to READY with ``run_after`` =
now + backoff (``ANTRE_TASK_RETRY_SECONDS``, doubling, capped at an hour,
plus jitter) until it has been tried ``ANTRE_TASK_MAX_ATTEMPTS`` times; then
it stays FAILED with its last traceback. The attempts are the row's
``worker_ids``: django-tasks-db appends the claiming worker to it on every
claim, so a row counts its own attempts, including ones whose worker died.
A task that raises ``PermanentFailure`` is not retried. Tasks are idempotent
(STYLE.md rule 5), which is what makes running them again safe.

**Recovery.** A worker killed mid-task (OOM, SIGKILL, a lost machine)
leaves the row RUNNING for ever. Each worker's heartbeat thread sweeps: a
task RUNNING for longer than ``ANTRE_TASK_LEASE_SECONDS`` whose worker has
not beaten within ``ANTRE_WORKER_STALE_SECONDS`` goes back to READY (or to
FAILED when it has used up its attempts). A slow task on a live worker is
never taken from it.

**Time.** django-tasks-db writes real time (``timezone.now``) into
``started_at`` and compares ``run_after`` with it; this module does the same
rather than use ``antre.core.clock``, so that a demo clock set with
``ANTRE_CLOCK`` cannot make a live worker look dead or a retry wait days.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from antre.core import clock
from antre.core.models import IdempotencyRecord
from antre.ops.models import WorkerHeartbeat

logger = logging.getLogger("antre.worker")

LONGEST_RETRY = dt.timedelta(hours=1)


class PermanentFailure(Exception):
    """Raised by a task that must not be retried (its input can never work)."""


class WorkerLost(Exception):
    """Recorded on a task whose worker died while running it, once it has no attempts left."""


def worker_id() -> str:
    """Unique across the pool: host, process, and a random part for reused pids."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: the base, doubling,
    capped at an hour, plus up to 10% jitter so that tasks that failed
    together (the mail server was down) do not all come back together."""
    base = dt.timedelta(seconds=settings.ANTRE_TASK_RETRY_SECONDS)
    delay = min(base * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    jitter_ms = secrets.randbelow(int(delay / dt.timedelta(milliseconds=1)) // 10 + 1)
    return delay + dt.timedelta(milliseconds=jitter_ms)


def is_permanent(exception_class_path: str) -> bool:
    try:
        error_class = import_string(exception_class_path)
    except ImportError:
        return False
    return isinstance(error_class, type) and issubclass(error_class, PermanentFailure)


def schedule_retry(task_id: Any) -> bool:
    """Put a FAILED task back in the queue if it has attempts left; True if it was.

    Guarded on FAILED, so a second call (or a task that was already retried)
    changes nothing."""
    row = (
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.FAILED)
        .values("worker_ids", "exception_class_path", "task_path")
        .first()
    )
    if row is None:
        return False
    attempts = len(row["worker_ids"])
    if is_permanent(row["exception_class_path"]):
        logger.error("task %s (%s) failed permanently", task_id, row["task_path"])
        return False
    if attempts >= settings.ANTRE_TASK_MAX_ATTEMPTS:
        logger.error(
            "task %s (%s) failed for good after %s attempts: %s",
            task_id,
            row["task_path"],
            attempts,
            row["exception_class_path"],
        )
        return False
    delay = retry_delay(attempts)
    retried = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now() + delay, finished_at=None
    )
    if retried:
        logger.warning(
            "task %s (%s) attempt %s failed (%s); retrying in %s",
            task_id,
            row["task_path"],
            attempts,
            row["exception_class_path"],
            delay,
        )
    return retried == 1


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The ``task_finished`` receiver: retry what failed in a database worker.

    Other backends (the immediate one of the tests) have no row to put back."""
    db_result = getattr(task_result, "db_result", None)
    if not isinstance(db_result, DBTaskResult) or task_result.status != TaskResultStatus.FAILED:
        return
    try:
        schedule_retry(db_result.pk)
    except Exception:
        # Never let bookkeeping kill the worker loop; the task stays FAILED.
        logger.exception("could not schedule a retry of task %s", db_result.pk)


def install_retries() -> None:
    from django.tasks.signals import task_finished

    task_finished.connect(on_task_finished, dispatch_uid="antre-task-retries")


def beat(worker: str, *, started_at: dt.datetime) -> None:
    """Say that ``worker`` is alive (one row per worker)."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker).update(seen_at=now)
    if updated:
        return
    try:
        with transaction.atomic():
            WorkerHeartbeat.objects.create(
                worker_id=worker,
                hostname=socket.gethostname()[:255],
                pid=os.getpid(),
                started_at=started_at,
                seen_at=now,
            )
    except IntegrityError:
        WorkerHeartbeat.objects.filter(worker_id=worker).update(seen_at=now)


def stop_beating(worker: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker).delete()


def live_workers(now: dt.datetime) -> set[str]:
    since = now - dt.timedelta(seconds=settings.ANTRE_WORKER_STALE_SECONDS)
    return set(
        WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("worker_id", flat=True)
    )


@dataclass(frozen=True)
class Recovery:
    requeued: int = 0
    failed: int = 0


def recover_orphaned_tasks(*, limit: int = 500) -> Recovery:
    """Re-enqueue tasks left RUNNING by a worker that died (see the module docstring).

    Each row is changed with an UPDATE guarded on its status and ``started_at``,
    so two sweeping workers, or a sweep racing a worker that just finished,
    change it at most once."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.ANTRE_TASK_LEASE_SECONDS)
    candidates = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
        .order_by()
        .values_list("pk", "worker_ids", "started_at", "task_path")[:limit]
    )
    if not candidates:
        return Recovery()
    alive = live_workers(now)
    requeued = failed = 0
    for task_id, worker_ids, started_at, task_path in candidates:
        owner = worker_ids[-1] if worker_ids else ""
        if owner in alive:
            continue
        ours = DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        if len(worker_ids) >= settings.ANTRE_TASK_MAX_ATTEMPTS:
            failed += ours.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"The worker {owner} stopped while running this task, "
                f"on attempt {len(worker_ids)} of {settings.ANTRE_TASK_MAX_ATTEMPTS}.",
            )
            logger.error("task %s (%s) lost its worker on its last attempt", task_id, task_path)
        else:
            changed = ours.update(status=TaskResultStatus.READY, run_after=now)
            requeued += changed
            if changed:
                logger.warning(
                    "task %s (%s) recovered from the stopped worker %s", task_id, task_path, owner
                )
    return Recovery(requeued=requeued, failed=failed)


def prune_finished_tasks() -> int:
    """Delete successful and failed task rows older than ``ANTRE_TASK_RETENTION_DAYS``
    (django-tasks-db keeps them for ever); and heartbeats of workers gone a day."""
    now = timezone.now()
    cutoff = now - dt.timedelta(days=settings.ANTRE_TASK_RETENTION_DAYS)
    deleted, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff
    ).delete()
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return deleted


def prune_idempotency_records() -> int:
    """Delete ``Idempotency-Key`` answers past their retention; the middleware
    already treats them as absent."""
    cutoff = clock.now() - IdempotencyRecord.RETENTION
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

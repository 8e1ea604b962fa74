from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running ``antre worker``, touched every few seconds.

    ``/readyz`` asks whether any worker beat recently; the task sweeper
    (antre.core.jobs) re-enqueues a RUNNING task only when the worker that
    claimed it has stopped beating. Times are real time, like django-tasks-db's
    own ``started_at``, so that ``ANTRE_CLOCK`` cannot make a live worker look
    dead. A worker that stops cleanly deletes its row; one that was killed
    leaves it to go stale and be pruned.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "worker heartbeat"
        verbose_name_plural = "worker heartbeats"

    def __str__(self) -> str:
        return self.worker_id

"""Periodic jobs of the ops app (discovered by antre.core.periodic)."""

from __future__ import annotations

import datetime as dt

from antre.core.jobs import prune_finished_tasks, prune_idempotency_records
from antre.core.periodic import periodic


@periodic(every=dt.timedelta(hours=1))
def prune_task_results() -> None:
    """Finished task rows and dead workers' heartbeats do not pile up."""
    prune_finished_tasks()


@periodic(every=dt.timedelta(hours=1))
def prune_idempotency_keys() -> None:
    """Answers to Idempotency-Keys are kept 24 h, not for ever."""
    prune_idempotency_records()

"""``antre worker``: the job worker (django-tasks-db's loop) plus three threads:

- the periodic tick (antre.core.periodic), every ``--tick`` seconds;
- the announcer (antre.booking.announce), every ``ANTRE_ANNOUNCE_INTERVAL_MS``:
  the audit row, confirmation e-mail and waiting-list follow-up of new bookings;
- the heartbeat, every ``ANTRE_WORKER_HEARTBEAT_SECONDS``: it says this
  worker is alive (``/readyz``, the sweeper of other workers) and, every
  half lease, re-enqueues tasks whose worker died (antre.core.jobs).

Failed tasks are retried with backoff (antre.core.jobs.install_retries).
SIGTERM or SIGINT lets the running task finish; a second one interrupts it
(it is then retried). Run any number of workers: PostgreSQL hands each task
to one of them (``SELECT … FOR UPDATE SKIP LOCKED``); SQLite, to one at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from antre.booking.announce import announce_pending
from antre.core import jobs
from antre.core.periodic import run_due_jobs

logger = logging.getLogger("antre.worker")


class Ticker(threading.Thread):
    """Runs due periodic jobs every ``interval`` seconds until stopped."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="antre-tick", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                ran = run_due_jobs()
                if ran:
                    logger.info("periodic jobs ran: %s", ", ".join(ran))
            except Exception:
                logger.exception("periodic tick failed")
            finally:
                close_old_connections()
            self.stopped.wait(self.interval)


class Announcer(threading.Thread):
    """Announces new bookings every ``interval`` seconds until stopped."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="antre-announce", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            announced = 0
            try:
                close_old_connections()
                announced = announce_pending()
                if announced:
                    logger.info("bookings announced: %d", announced)
            except Exception:
                logger.exception("announcing bookings failed")
            finally:
                close_old_connections()
            if not announced:  # more may be waiting: go on at once
                self.stopped.wait(self.interval)


class Heartbeat(threading.Thread):
    """Beats every ``interval`` seconds and sweeps for orphaned tasks every ``sweep_every``.

    Its own thread, so that a long task or a slow periodic job never makes a
    live worker look dead."""

    def __init__(self, worker_id: str, *, interval: float, sweep_every: float) -> None:
        super().__init__(name="antre-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.sweep_every = sweep_every
        self.started_at = timezone.now()
        self.stopped = threading.Event()
        self.last_sweep = -float("inf")

    def beat_once(self, monotonic_now: float) -> None:
        jobs.beat(self.worker_id, started_at=self.started_at)
        if monotonic_now - self.last_sweep >= self.sweep_every:
            self.last_sweep = monotonic_now
            jobs.recover_orphaned_tasks()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                close_old_connections()
                self.beat_once(time.monotonic())
            except Exception:
                logger.exception("worker heartbeat failed")
            finally:
                close_old_connections()


class Command(BaseCommand):
    help = "Run the background job worker and the periodic jobs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between polls.")
        parser.add_argument("--tick", type=float, default=30.0, help="Seconds between ticks.")
        parser.add_argument("--no-tick", action="store_true", help="Run tasks only.")

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        worker_id = jobs.worker_id()
        jobs.install_retries()
        heartbeat = Heartbeat(
            worker_id,
            interval=settings.ANTRE_WORKER_HEARTBEAT_SECONDS,
            sweep_every=max(settings.ANTRE_TASK_LEASE_SECONDS / 2, 1),
        )
        # Beat and sweep once before taking any task: the first claim must
        # already belong to a worker the others can see alive.
        heartbeat.beat_once(time.monotonic())
        close_old_connections()
        heartbeat.start()
        ticker = None
        if not options["no_tick"]:
            ticker = Ticker(options["tick"])
            ticker.start()
        announcer = Announcer(settings.ANTRE_ANNOUNCE_INTERVAL_MS / 1000)
        announcer.start()
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"antre worker {worker.worker_id} started")
        try:
            worker.run()
        finally:
            heartbeat.stopped.set()
            announcer.stopped.set()
            if ticker is not None:
                ticker.stopped.set()
            try:
                jobs.stop_beating(worker_id)
            except Exception:
                logger.exception("could not remove the heartbeat of %s", worker_id)
            logger.info("antre worker %s stopped", worker_id)

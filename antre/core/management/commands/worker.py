"""``antre worker``: the job worker (django-tasks-db's loop) plus the periodic tick."""

from __future__ import annotations

import logging
import os
import socket
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

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


class Command(BaseCommand):
    help = "Run the background job worker and the periodic jobs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between polls.")
        parser.add_argument("--tick", type=float, default=30.0, help="Seconds between ticks.")
        parser.add_argument("--no-tick", action="store_true", help="Run tasks only.")

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        ticker = None
        if not options["no_tick"]:
            ticker = Ticker(options["tick"])
            ticker.start()
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}",
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"antre worker {worker.worker_id} started")
        try:
            worker.run()
        finally:
            if ticker is not None:
                ticker.stopped.set()

"""``antre serve``: the web server as it runs in production.

granian serves ``config.asgi:application``: event streams on Django's async
handler, every other request on Django's WSGI app in a bounded pool of
threads per worker process (see config/asgi.py). ``--interface wsgi`` serves
plain WSGI instead (no event streams; the measured ceiling for
request/response, ../shared/STACK.md). Workers x threads is bounded because
each thread may hold a database connection.

The worker processes count requests into files under
``PROMETHEUS_MULTIPROC_DIR`` (set by config/settings.py for this command),
which ``/metrics`` adds up; the files of the previous run are removed first.
"""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def prepare_metrics_directory() -> Path:
    """Empty the multiprocess metrics directory of the previous run's files.

    Only ``*.db`` files go: the variable might point somewhere shared."""
    directory = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR", settings.METRICS_DIR))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    values = sys.modules.get("prometheus_client.values")
    if values is not None and values.ValueClass is values.MutexValue:
        # prometheus-client was imported before the variable was set: each
        # process would count in its own memory (see antre/ops/metrics.py).
        raise CommandError(
            "prometheus_client was imported before PROMETHEUS_MULTIPROC_DIR was set."
        )
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)
    return directory


class Command(BaseCommand):
    help = "Serve antre over HTTP with granian."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument(
            "--threads", type=int, default=settings.WEB_THREADS, help="Threads per worker."
        )
        parser.add_argument("--interface", choices=["asgi", "wsgi"], default="asgi")

    def handle(self, *args: Any, **options: Any) -> None:
        from granian.constants import Interfaces
        from granian.server import Server

        prepare_metrics_directory()
        if options["port"] != settings.PORT and not os.environ.get("ANTRE_BASE_URL"):
            # The links antre writes (problem types, QR and calendar URLs)
            # follow the port served, as they follow PORT; the workers are
            # forked from this process, settings and all.
            settings.PORT = options["port"]
            settings.BASE_URL = f"http://127.0.0.1:{options['port']}"
            settings.CSRF_TRUSTED_ORIGINS = [*settings.CSRF_TRUSTED_ORIGINS, settings.BASE_URL]

        if options["interface"] == "wsgi":
            target, interface, blocking = (
                "config.wsgi:application",
                Interfaces.WSGI,
                options["threads"],
            )
        else:
            target, interface, blocking = "config.asgi:application", Interfaces.ASGI, None
        server = Server(
            target,
            address=options["host"],
            port=options["port"],
            interface=interface,
            workers=options["workers"],
            blocking_threads=blocking,
            backlog=2048,
        )
        server.serve()

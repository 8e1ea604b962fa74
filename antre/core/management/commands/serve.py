"""``antre serve``: the web server as it runs in production.

granian serves Django over WSGI with a bounded pool of blocking threads per
worker process: the measured best for request/response on two cores
(../shared/STACK.md: 2 workers x 4 threads). Workers x threads is bounded
because each thread may hold a database connection.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve antre over HTTP with granian (WSGI workers with bounded threads)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument(
            "--threads", type=int, default=settings.WEB_THREADS, help="Blocking threads per worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from granian.constants import Interfaces
        from granian.server import Server

        server = Server(
            "config.wsgi:application",
            address=options["host"],
            port=options["port"],
            interface=Interfaces.WSGI,
            workers=options["workers"],
            blocking_threads=options["threads"],
            backlog=2048,
        )
        server.serve()

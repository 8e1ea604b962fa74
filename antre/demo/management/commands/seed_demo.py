"""``antre seed_demo``: load the demo city (``make demo``; ``antre run`` calls it
with ``--only-if-empty`` on every start)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from antre.catalog.models import Site
from antre.demo.seed import describe, seed_demo_city


class Command(BaseCommand):
    help = (
        "Load the demo city (a Bekasi-like city: sites, agencies, services, counters, "
        "staff and citizen logins), import national holidays and materialise slots. "
        "Safe to run again: it only adds or corrects what is missing or different."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--only-if-empty",
            action="store_true",
            help="Do nothing when the database already has a site (what `antre run` uses).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["only_if_empty"] and Site.objects.exists():
            self.stdout.write("The database already has sites; the demo city was not loaded.")
            return
        started = time.monotonic()
        summary = seed_demo_city()
        elapsed = time.monotonic() - started
        for line in describe(summary):
            self.stdout.write(line)
        self.stdout.write(f"Seeded in {elapsed:.1f} s.")

# ruff: noqa: N999 (the file name is the command name, ``antre loadtest-citizens``)
"""``antre loadtest-citizens --count N --out FILE [--password P] [--force]``.

Creates N verified test citizens (``is_test_account``), each with an API
token, and writes ``email,token`` CSV (with that header line) to FILE: the
tokens exist nowhere else. Numbering continues after the highest existing
test citizen, so running it again adds more instead of failing.

Refuses a production-looking database (not SQLite and ``ANTRE_DEBUG`` off)
unless ``--force``: test accounts in a city's real database are noise in every
report.
"""

from __future__ import annotations

import csv
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from antre.accounts.loadtest import create_loadtest_citizens

DEFAULT_PASSWORD = "Uji-Beban-Antre-2026"  # noqa: S105 (test accounts; printed by the command)
MAX_COUNT = 1_000_000


class Command(BaseCommand):
    help = "Create verified test citizens with API tokens for load tests."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="How many citizens.")
        parser.add_argument(
            "--out", type=Path, required=True, help="CSV file for email,token (overwritten)."
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"The password all of them share (default {DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even on a non-SQLite database with ANTRE_DEBUG off.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["count"]
        out: Path = options["out"]
        if not 1 <= count <= MAX_COUNT:
            raise CommandError(f"--count must be between 1 and {MAX_COUNT}.")
        if not settings.DEBUG and not settings.DATABASE_IS_SQLITE and not options["force"]:
            raise CommandError(
                "This database is not SQLite and ANTRE_DEBUG is off: it looks like production. "
                "Test citizens would show up in its reports. Use --force if you mean it."
            )
        # Open the file first, so that a bad path fails before anything is created.
        try:
            handle = out.open("w", newline="", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}.") from None
        started = time.perf_counter()
        with handle:
            citizens = create_loadtest_citizens(count=count, password=options["password"])
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["email", "token"])
            writer.writerows([citizen.email, citizen.token] for citizen in citizens)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Created {len(citizens)} test citizens ({citizens[0].email} to "
            f"{citizens[-1].email}) in {elapsed:.1f} s; password {options['password']!r}; "
            f"tokens in {out}."
        )

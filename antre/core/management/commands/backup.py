"""``antre backup [--out FILE]``: a consistent copy of the database, while it runs.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the
live database page by page under its own locks, so the server and the worker
keep running; the copy is checked with ``PRAGMA integrity_check`` before it is
moved into place. PostgreSQL: ``pg_dump --format=custom`` (one consistent
snapshot), with the connection taken from ``DATABASE_URL`` and the password
passed in the environment, never on the command line.

Without ``--out`` the file goes to ``$ANTRE_DATA_DIR/backups/`` named by the
time. A backup holds personal data (UU PDP 27/2022): keep it encrypted and
delete it on the schedule in docs/deploy.md.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def database_settings() -> dict[str, Any]:
    # connections[...].settings_dict, not settings.DATABASES: under the test
    # runner it names the test database.
    return dict(connections["default"].settings_dict)


def postgres_environment(database: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for pg_dump/pg_restore: no secret in ``ps`` output."""
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if database.get(key):
            environment[variable] = str(database[key])
    return environment


def _regexp(pattern: str, value: object) -> bool:
    return value is not None and re.search(pattern, str(value)) is not None


def sqlite_integrity(path: Path) -> str:
    """``ok``, or what is wrong with the SQLite database at ``path``.

    The check also evaluates CHECK constraints, some of which use the REGEXP
    function that Django adds to its own connections."""
    try:
        with sqlite3.connect(path) as check:
            check.create_function("REGEXP", 2, _regexp, deterministic=True)
            return str(check.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.DatabaseError as error:
        return str(error)


class Command(BaseCommand):
    help = "Back up the database to a file (SQLite: online backup; PostgreSQL: pg_dump -Fc)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", type=Path, default=None, help="The file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        database = database_settings()
        is_sqlite = connections["default"].vendor == "sqlite"
        out: Path | None = options["out"]
        if out is None:
            stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            suffix = "sqlite3" if is_sqlite else "dump"
            out = settings.DATA_DIR / "backups" / f"antre-{stamp}.{suffix}"
        out = out.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        try:
            if is_sqlite:
                self.backup_sqlite(Path(database["NAME"]), partial)
            else:
                self.backup_postgres(database, partial)
            partial.chmod(0o600)
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"Backup written to {out} ({out.stat().st_size} bytes).")

    def backup_sqlite(self, source: Path, target: Path) -> None:
        if not source.exists():
            raise CommandError(f"There is no database at {source}.")
        target.unlink(missing_ok=True)
        with sqlite3.connect(source, timeout=30) as live, sqlite3.connect(target) as copy:
            # Pages in steps, so that writers wait at most one step.
            live.backup(copy, pages=1024)
        result = sqlite_integrity(target)
        if result != "ok":
            raise CommandError(f"The copy failed its integrity check: {result}")

    def backup_postgres(self, database: dict[str, Any], target: Path) -> None:
        command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(target)]
        try:
            subprocess.run(  # noqa: S603 - fixed program, arguments from our settings
                command, env=postgres_environment(database), check=True
            )
        except FileNotFoundError:
            raise CommandError(
                "pg_dump is not installed (apt install postgresql-client)."
            ) from None
        except subprocess.CalledProcessError as error:
            raise CommandError(f"pg_dump failed with status {error.returncode}.") from None

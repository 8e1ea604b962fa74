"""``antre restore FILE``: put a backup made by ``antre backup`` back.

Stop ``antre serve`` and ``antre worker`` first: the command refuses while a
worker heartbeat is fresh (``--force`` overrides), and a running web server
would go on from state that no longer exists.

SQLite: the backup is checked (``PRAGMA integrity_check``), the current
database is kept beside it as ``antre.sqlite3.before-restore-<time>``, and the
backup is copied in with the online backup API, which replaces the pages
under SQLite's own locks (a plain file copy would be wrong with a WAL file
beside the database). PostgreSQL: ``pg_restore --clean --if-exists`` into
``DATABASE_URL``'s database, in one transaction. Run ``antre migrate``
afterwards when the backup comes from an older release.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections
from django.utils import timezone

from antre.core.management.commands.backup import (
    database_settings,
    postgres_environment,
    sqlite_integrity,
)


def has_tables(path: Path) -> bool:
    """A database with something in it (Django's checks may leave an empty file)."""
    if not path.exists():
        return False
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as database:
        return bool(database.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])


class Command(BaseCommand):
    help = "Restore the database from a backup file (stop the server and the worker first)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="A file written by antre backup.")
        parser.add_argument(
            "--force", action="store_true", help="Restore even though a worker seems to run."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"].resolve()
        if not source.is_file():
            raise CommandError(f"There is no file at {source}.")
        database = database_settings()
        is_sqlite = connections["default"].vendor == "sqlite"
        # Asking a SQLite database that is not there yet would create it.
        if not options["force"] and not (is_sqlite and not has_tables(Path(database["NAME"]))):
            self.refuse_while_a_worker_runs()
        connections.close_all()
        if is_sqlite:
            self.restore_sqlite(source, Path(database["NAME"]))
        else:
            self.restore_postgres(source, database)
        self.stdout.write(f"Restored {source}.")

    def refuse_while_a_worker_runs(self) -> None:
        from antre.ops.models import WorkerHeartbeat

        since = timezone.now() - dt.timedelta(seconds=settings.ANTRE_WORKER_STALE_SECONDS)
        try:
            running = list(
                WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list(
                    "worker_id", flat=True
                )
            )
        except DatabaseError:
            return  # a fresh or broken database: nothing runs on it
        if running:
            raise CommandError(
                f"Workers are running ({', '.join(running)}): stop antre worker and "
                "antre serve first, or pass --force."
            )

    def restore_sqlite(self, source: Path, target: Path) -> None:
        result = sqlite_integrity(source)
        if result != "ok":
            raise CommandError(f"{source} failed its integrity check: {result}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if has_tables(target):
            stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            with sqlite3.connect(target, timeout=30) as current, sqlite3.connect(kept) as copy:
                current.backup(copy)
            kept.chmod(0o600)
            self.stdout.write(f"The database as it was is kept in {kept}.")
        with sqlite3.connect(source) as backup, sqlite3.connect(target, timeout=30) as live:
            backup.backup(live)
        result = sqlite_integrity(target)
        if result != "ok":
            raise CommandError(f"The restored database failed its integrity check: {result}")

    def restore_postgres(self, source: Path, database: dict[str, Any]) -> None:
        command = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(database["NAME"]),
            str(source),
        ]
        try:
            subprocess.run(  # noqa: S603 - fixed program, arguments from our settings
                command, env=postgres_environment(database), check=True
            )
        except FileNotFoundError:
            raise CommandError(
                "pg_restore is not installed (apt install postgresql-client)."
            ) from None
        except subprocess.CalledProcessError as error:
            raise CommandError(f"pg_restore failed with status {error.returncode}.") from None

"""``antre backup`` and ``antre restore``: a copy taken while the database is
in use comes back whole in a fresh data dir."""

import os
import sqlite3
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from antre.core import jobs
from antre.core.management.commands.backup import sqlite_integrity
from antre.core.management.commands.restore import has_tables
from antre.testing import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

on_sqlite = pytest.mark.skipif(not settings.DATABASE_IS_SQLITE, reason="SQLite")
on_postgres = pytest.mark.skipif(settings.DATABASE_IS_SQLITE, reason="PostgreSQL")


def clean_environment(**variables: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ANTRE_CLOCK", "ANTRE_CLOCK_ANCHOR"}
    }
    env.update(variables)
    return env


def antre(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "antre", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def some_bookings() -> set[str]:
    slot = f.SlotFactory.create(capacity=10)
    return {f.BookingFactory.create(slot=slot).code for _ in range(3)}


@on_sqlite
def test_a_sqlite_backup_restores_into_a_fresh_data_dir(tmp_path):
    codes = some_bookings()
    backup = tmp_path / "antre-backup.sqlite3"
    call_command("backup", out=backup)
    assert backup.stat().st_mode & 0o777 == 0o600  # personal data: owner only

    fresh = tmp_path / "fresh-data"
    restored = antre("restore", str(backup), env=clean_environment(ANTRE_DATA_DIR=str(fresh)))
    assert restored.returncode == 0, restored.stderr
    database = fresh / "antre.sqlite3"
    assert sqlite_integrity(database) == "ok"  # PRAGMA integrity_check
    with sqlite3.connect(database) as copy:
        found = {code for (code,) in copy.execute("SELECT code FROM booking_booking")}
    assert found == codes
    # A whole database: every migration is there.
    check = antre("migrate", "--check", env=clean_environment(ANTRE_DATA_DIR=str(fresh)))
    assert check.returncode == 0, check.stdout + check.stderr


@on_sqlite
def test_restoring_over_a_database_keeps_the_old_one_aside(tmp_path):
    first = some_bookings()
    backup = tmp_path / "one.sqlite3"
    call_command("backup", out=backup)
    data_dir = tmp_path / "data"
    env = clean_environment(ANTRE_DATA_DIR=str(data_dir))
    assert antre("restore", str(backup), env=env).returncode == 0
    assert antre("restore", str(backup), env=env).returncode == 0
    kept = list(data_dir.glob("antre.sqlite3.before-restore-*"))
    assert len(kept) == 1
    with sqlite3.connect(kept[0]) as old:
        assert {code for (code,) in old.execute("SELECT code FROM booking_booking")} == first


def test_restore_refuses_while_a_worker_is_running(tmp_path):
    backup = tmp_path / "backup.sqlite3"
    backup.write_bytes(b"")
    jobs.beat("worker-on-duty", started_at=timezone.now())
    with pytest.raises(CommandError, match="worker-on-duty"):
        call_command("restore", str(backup))


@on_sqlite
def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    data_dir = tmp_path / "data"
    result = antre("restore", str(damaged), env=clean_environment(ANTRE_DATA_DIR=str(data_dir)))
    assert result.returncode != 0
    assert "failed its integrity check" in result.stderr
    assert not has_tables(data_dir / "antre.sqlite3")
    assert not list(data_dir.glob("*.before-restore-*"))


@on_postgres
def test_a_postgres_backup_restores_into_a_fresh_database(tmp_path):
    import psycopg

    codes = some_bookings()
    backup = tmp_path / "antre.dump"
    call_command("backup", out=backup)
    assert backup.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    given = urlsplit(os.environ["DATABASE_URL"])
    name = f"antre_restore_test_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(given._replace(path="/postgres", query=""))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = urlunsplit(given._replace(path=f"/{name}", query=""))
        env = clean_environment(ANTRE_DATA_DIR=str(tmp_path / "data"), DATABASE_URL=url)
        restored = antre("restore", str(backup), env=env)
        assert restored.returncode == 0, restored.stderr
        with psycopg.connect(url) as copy:
            found = {code for (code,) in copy.execute("SELECT code FROM booking_booking")}
        assert found == codes
        assert antre("migrate", "--check", env=env).returncode == 0
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

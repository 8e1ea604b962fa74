"""A real ``antre worker`` killed mid-task: another worker finishes the task, once.

Runs against a file SQLite database in a fresh data dir, or, when
DATABASE_URL points at PostgreSQL, against a fresh database on that server.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.slow

TASK_TABLE = "django_tasks_database_dbtaskresult"


class Database:
    """The subprocesses' database, read directly by the test."""

    def __init__(self, data_dir: Path) -> None:
        given = os.environ.get("DATABASE_URL", "")
        self.postgres = given.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urlsplit(given)
            self.name = f"antre_worker_test_{uuid.uuid4().hex[:8]}"
            self.admin_url = urlunsplit(parts._replace(path="/postgres", query=""))
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        else:
            self.path = data_dir / "antre.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def create(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def task(self, task_id: str) -> tuple[str, list[str]]:
        query = f"SELECT status, worker_ids FROM {TASK_TABLE} WHERE id = %s"  # noqa: S608
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as connection:
                status, worker_ids = connection.execute(query, (task_id,)).fetchone()
            return status, worker_ids
        with sqlite3.connect(self.path) as connection:
            # django stores UUIDs in SQLite as 32 hex digits.
            row = connection.execute(query.replace("%s", "?"), (uuid.UUID(task_id).hex,)).fetchone()
        return row[0], json.loads(row[1])


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[tuple[dict[str, str], Database]]:
    database = Database(tmp_path)
    database.create()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "ANTRE_CLOCK", "ANTRE_CLOCK_ANCHOR"}
    }
    env.update(
        ANTRE_DATA_DIR=str(tmp_path),
        DATABASE_URL=database.url,
        ANTRE_WORKER_HEARTBEAT_SECONDS="1",
        ANTRE_WORKER_STALE_SECONDS="3",
        ANTRE_TASK_LEASE_SECONDS="2",
        ANTRE_LOG_FORMAT="plain",
    )
    subprocess.run(
        [sys.executable, "-m", "antre", "migrate", "-v0"], env=env, check=True, timeout=300
    )
    try:
        yield env, database
    finally:
        database.drop()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "antre", "worker", "--no-tick", "--interval", "0.2"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_a_task_whose_worker_was_killed_is_done_once_by_another_worker(environment, tmp_path):
    env, database = environment
    workdir = tmp_path / "work"
    workdir.mkdir()
    enqueue = (
        "from antre.core.tests.worker_tasks import slow_effect;"
        f"print(slow_effect.enqueue({str(workdir)!r}, 'booking-42').id)"
    )
    task_id = (
        subprocess.run(
            [sys.executable, "-m", "antre", "shell", "-c", enqueue],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    starts = workdir / "starts.log"
    log = tmp_path / "workers.log"
    first = start_worker(env, log)
    second = None
    try:
        wait_until(starts.exists, timeout=90, what="the first worker to start the task")
        assert database.task(task_id)[0] == "RUNNING"
        os.killpg(first.pid, signal.SIGKILL)  # mid-task, no chance to clean up
        first.wait(timeout=10)
        (workdir / "release").touch()
        assert database.task(task_id)[0] == "RUNNING"  # left behind

        second = start_worker(env, log)
        wait_until(
            lambda: database.task(task_id)[0] == "SUCCESSFUL",
            timeout=90,
            what="the second worker to finish the task",
        )
        _status, worker_ids = database.task(task_id)
        assert len(worker_ids) == 2
        assert worker_ids[0] != worker_ids[1]
        assert len(starts.read_text().splitlines()) == 2  # run twice...
        assert (workdir / "effects.log").read_text().splitlines() == ["booking-42"]  # ...done once
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    output = log.read_text()
    assert "recovered from the stopped worker" in output, output

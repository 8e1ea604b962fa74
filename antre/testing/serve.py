"""Real ``antre serve`` processes for tests, on the test's own database.

In-process servers (``asgi_live_server``) share the test's memory; production
faults (two app servers, a killed server, a database outage) need separate
processes. These run ``python -m antre serve`` against the database that
pytest-django made for the test (use ``transactional_db``, so that what the
test writes is committed and visible to them), with the test's secret key
(API tokens made by the test are accepted) and its frozen instant as
``ANTRE_CLOCK`` (the servers' clock starts there and runs on).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

LOOPBACK = "127.0.0.1"
# Variables of the test process that must not leak into a server's.
PRIVATE = frozenset(
    {
        "DATABASE_URL",
        "REDIS_URL",
        "PROMETHEUS_MULTIPROC_DIR",
        "ANTRE_CLOCK",
        "ANTRE_CLOCK_ANCHOR",
        "ANTRE_EVENTS",
        "EMAIL_URL",
        "PYTEST_CURRENT_TEST",
    }
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def current_database_url(*, host: str | None = None, port: int | None = None) -> str:
    """The URL of the database this test runs on, a PostgreSQL one optionally
    through another host and port (a ``TcpProxy``)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = quote(params["USER"] or "", safe="")
    password = quote(params["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return (
        f"postgres://{credentials}{host or params['HOST'] or LOOPBACK}:"
        f"{port or params['PORT'] or 5432}/{params['NAME']}"
    )


def server_environment(data_dir: Path, *, now: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in PRIVATE}
    env.update(
        ANTRE_DATA_DIR=str(data_dir),
        DATABASE_URL=current_database_url(),
        SECRET_KEY=settings.SECRET_KEY,
        ANTRE_CLOCK=now,
        ANTRE_LOG_FORMAT="plain",
        # Every test request comes from 127.0.0.1.
        ANTRE_RATE_LIMITS="0",
        **extra,
    )
    return env


def collect_static(env: dict[str, str]) -> None:
    """Production pages need the static manifest (``antre serve`` does not build it)."""
    subprocess.run(
        [sys.executable, "-m", "antre", "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
        timeout=300,
    )


class ServeProcess:
    """``antre serve`` on a free port of the loopback, in its own process group."""

    def __init__(
        self, env: dict[str, str], log: Path, *, workers: int = 1, port: int | None = None
    ) -> None:
        self.env = env
        self.log = log
        self.workers = workers
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, *, timeout: float = 120.0) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [
                sys.executable,
                "-m",
                "antre",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return
            except (OSError, urllib.error.URLError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise AssertionError(f"antre serve did not start:\n{self.output()}") from None
                time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no cleanup."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def __enter__(self) -> ServeProcess:
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

"""`make run` as a new user meets it: a fresh data dir, one command, the demo
city served, the directory API answering, and a clean stop on SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.slow
def test_run_serves_the_demo_city_and_stops_cleanly(tmp_path: Path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "ANTRE_CLOCK_ANCHOR"}
    }
    env.update(
        ANTRE_DATA_DIR=str(tmp_path), PORT=str(port), ANTRE_CLOCK="2026-06-02T09:05:00+07:00"
    )
    log = (tmp_path / "run.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "antre", "run", "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        body = wait_for(f"http://127.0.0.1:{port}/api/v1/sites", time.monotonic() + 180)
        sites = json.loads(body)
        assert sites["count"] >= 5
        home = wait_for(f"http://127.0.0.1:{port}/", time.monotonic() + 10).decode()
        assert "MPP" in home
        # A POST with a body through the real server (granian + the ASGI
        # router): in-process tests use another server and cannot see how
        # granian hands over request bodies.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            data=json.dumps({"email": "warga@antre.test", "password": "wrong"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310 - loopback
        assert refused.value.code == 401
        assert json.loads(refused.value.read())["code"] == "invalid_credentials"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    log.seek(0)
    output = log.read()
    assert f"http://127.0.0.1:{port}/" in output
    assert "admin" in output
    assert "antre stopped." in output
    assert (tmp_path / "antre.sqlite3").exists()

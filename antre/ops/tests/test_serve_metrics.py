"""``antre serve`` with two worker processes: /metrics adds up what each counted."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        return response.read().decode()


def healthz_count(text: str) -> float:
    pattern = r'^antre_http_requests_total\{[^}]*route="healthz"[^}]*status="200"[^}]*\} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, text, flags=re.MULTILINE))


def test_two_worker_processes_are_counted_together(tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR"}
    }
    env.update(ANTRE_DATA_DIR=str(tmp_path), ANTRE_LOG_FORMAT="json")
    subprocess.run(
        [sys.executable, "-m", "antre", "migrate", "-v0"], env=env, check=True, timeout=300
    )
    # A previous run's file, unreadable as a metrics file: serve must clear it.
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999.db").write_bytes(b"not a metrics file")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "antre", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    log.seek(0)
                    raise AssertionError(log.read()) from None
                time.sleep(0.3)
        before = healthz_count(get(f"{base}/metrics"))
        for _ in range(40):
            get(f"{base}/healthz")
        text = get(f"{base}/metrics")
        assert healthz_count(text) == before + 40
        assert "antre_outbox_pending 0.0" in text
        assert not (metrics_dir / "counter_99999.db").exists()
        assert list(metrics_dir.glob("*.db"))
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    log.seek(0)
    output = log.read()
    request_lines = [
        json.loads(line) for line in output.splitlines() if '"request_finished"' in line
    ]
    assert {line["path"] for line in request_lines} == {"/metrics"}  # probes are not logged
    assert all(line["request_id"] for line in request_lines)

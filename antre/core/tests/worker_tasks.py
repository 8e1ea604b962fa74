"""Tasks for the worker tests; real tasks, imported by a real ``antre worker``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.tasks import task

from antre.core.jobs import PermanentFailure


@task()
def slow_effect(workdir: str, key: str) -> str:
    """Note each start, wait until ``release`` exists, then write the effect once.

    Idempotent like every antre task: the effect is keyed, and a second run
    finds it there."""
    directory = Path(workdir)
    with (directory / "starts.log").open("a") as log:
        log.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + 60
    while not (directory / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    effects = directory / "effects.log"
    done = effects.read_text().splitlines() if effects.exists() else []
    if key not in done:
        with effects.open("a") as file:
            file.write(f"{key}\n")
    return key


@task()
def fail_until(workdir: str, attempts: int) -> int:
    """Fail until it has been run ``attempts`` times."""
    runs = Path(workdir) / "runs.log"
    with runs.open("a") as log:
        log.write("run\n")
    count = len(runs.read_text().splitlines())
    if count < attempts:
        raise ConnectionError(f"SMTP down (run {count})")
    return count


@task()
def hopeless() -> None:
    raise PermanentFailure("this input can never work")

"""``antre run`` (what ``make run`` calls): prepare the database and start the
web server and the job worker together, in one process group.

First start migrates, collects static files and seeds the demo city; every
start prints the URL and the demo logins. SIGINT or SIGTERM stops both
children cleanly; if either dies, the other is stopped and the exit status is
non-zero, so a supervisor sees the failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from antre.core import clock


class Command(BaseCommand):
    help = "Migrate, seed the demo city on first start, and run the web server and worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--no-demo", action="store_true", help="Do not seed the demo city.")
        parser.add_argument("--workers", type=int, default=None, help="Web worker processes.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Fix the clock's anchor now so that both children start from the same instant.
        clock.now()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"]:
            call_command("seed_demo", only_if_empty=True)
        self.stdout.write(self.banner())

        executable = [sys.executable, "-m", "antre"]
        serve = [*executable, "serve", "--port", str(settings.PORT)]
        if options["workers"]:
            serve += ["--workers", str(options["workers"])]
        children = {
            "web server": subprocess.Popen(serve),  # noqa: S603 - our own interpreter and module
            "worker": subprocess.Popen([*executable, "worker"]),  # noqa: S603
        }
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"The {name} stopped with status {child.returncode}.")
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.2)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("antre stopped.")
        if exit_code:
            sys.exit(exit_code)

    def banner(self) -> str:
        from antre.demo.seed import DEMO_PASSWORD, demo_logins

        lines = [
            "",
            f"antre is running at {settings.BASE_URL}/",
            f"  back office: {settings.BASE_URL}/backoffice/",
            f"  API docs:    {settings.BASE_URL}/api/v1/docs",
            f"  data dir:    {settings.DATA_DIR}",
        ]
        if os.environ.get("ANTRE_CLOCK"):
            lines.append(f"  clock:       starts at {os.environ['ANTRE_CLOCK']} (ANTRE_CLOCK)")
        if not settings.EMAIL_URL:
            lines.append(f"  e-mail:      written to {settings.DATA_DIR / 'mail'} and shown here")
        logins = demo_logins()
        if logins:
            lines.append(f"Demo logins (password: {DEMO_PASSWORD}):")
            lines += [f"  {role:<14} {', '.join(names)}" for role, names in logins.items()]
        lines.append("Press Ctrl+C to stop.")
        return "\n".join(lines) + "\n"

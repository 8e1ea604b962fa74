"""The on-site hall of antre/onsite/tests (site ``mpp``: services A ``ktp``
and B ``skck``, five walk-ins a day each, a room for three) with its kiosk.
The clock is frozen at Tuesday 2 June 2026 09:05 WIB (the root conftest)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.test import Client

from antre.accounts.models import Role, User
from antre.onsite.models import Kiosk, PrinterKind
from antre.onsite.tests import conftest as onsite_conftest
from antre.onsite.tests.conftest import Hall
from antre.testing import factories as f

PASSWORD = "rahasia-Kuat-123"
BASE_URL = "https://antre.bekasikota.go.id"

hall = onsite_conftest.hall  # the fixture, shared with the on-site tests


@pytest.fixture(autouse=True)
def base_url(settings) -> str:
    """Where citizens book and where the tickets' QR codes point."""
    settings.BASE_URL = BASE_URL
    return BASE_URL


def at(time: str, day: str = "2026-06-02") -> str:
    """An instant in Bekasi as ISO text, for ``hall.booking``."""
    return f"{day}T{time}:00+07:00"


@pytest.fixture
def kiosk_user(hall: Hall) -> User:
    return f.StaffFactory(
        username="kiosk-mpp", is_staff=False, role=Role.KIOSK, role__site=hall.site
    )


@pytest.fixture
def kiosk(hall: Hall, kiosk_user: User) -> Kiosk:
    return Kiosk.objects.create(
        user=kiosk_user, site=hall.site, name="Kiosk pintu utama", printer_kind=PrinterKind.BROWSER
    )


@pytest.fixture
def kiosk_client(client: Client, kiosk: Kiosk) -> Client:
    client.force_login(kiosk.user)
    return client


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class FakeNetworkPrinter:
    """A raw TCP "printer" on 127.0.0.1 that keeps every byte it receives,
    one bytes object per connection (per printed ticket)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port: int = self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self.server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
                self.jobs.append(b"".join(chunks))

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """The jobs, once ``count`` have arrived (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.jobs

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.server.close()


@pytest.fixture
def network_printer() -> Iterator[FakeNetworkPrinter]:
    printer = FakeNetworkPrinter()
    yield printer
    printer.close()

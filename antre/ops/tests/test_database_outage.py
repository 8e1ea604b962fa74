"""The database goes away: 503 "try again shortly" everywhere, never a 500,
and everything works again when it comes back.

The first tests raise the driver's error inside one request (any database).
The last one serves a real ``antre serve`` whose connection to PostgreSQL
runs through a ``TcpProxy`` that the test cuts and restores; the machine's
PostgreSQL keeps running.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.utils import timezone

from antre.accounts.tokens import create_api_token
from antre.booking.models import Booking
from antre.catalog.models import Site
from antre.ops.models import WorkerHeartbeat
from antre.testing import factories as f
from antre.testing.serve import (
    ServeProcess,
    collect_static,
    current_database_url,
    server_environment,
)
from antre.testing.tcpproxy import TcpProxy

NOW = "2026-06-02T09:05:00+07:00"
PAGE_TITLE = "Layanan sedang tidak tersedia"


def assert_unavailable_problem(status: int, headers: Any, body: bytes) -> None:
    assert status == 503
    assert headers["Content-Type"].startswith("application/problem+json")
    assert int(headers["Retry-After"]) > 0
    problem = json.loads(body)
    assert problem["code"] == "service_unavailable"
    assert problem["status"] == 503
    assert problem["type"].endswith("/api/v1/problems/service_unavailable")
    assert "Traceback" not in body.decode()


def assert_unavailable_page(status: int, headers: Any, body: bytes) -> None:
    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert int(headers["Retry-After"]) > 0
    text = body.decode()
    assert PAGE_TITLE in text
    assert 'lang="id"' in text
    assert "Traceback" not in text


# --- inside one request -----------------------------------------------------------------


@pytest.fixture
def failing_sites(monkeypatch):
    """Every read of the sites fails as if the database had gone away."""

    def fail(error_class: type[Exception]) -> None:
        def broken(*args: Any, **kwargs: Any) -> Any:
            raise error_class("server closed the connection unexpectedly")

        monkeypatch.setattr(type(Site.objects.all()), "_fetch_all", broken)

    return fail


@pytest.mark.parametrize("error_class", [OperationalError, InterfaceError])
def test_an_api_request_during_an_outage_is_a_503_problem(city, failing_sites, error_class):
    failing_sites(error_class)
    response = Client(raise_request_exception=False).get("/api/v1/sites")
    assert_unavailable_problem(response.status_code, response, response.content)


def test_a_page_during_an_outage_is_the_indonesian_503_page(city, failing_sites):
    failing_sites(OperationalError)
    response = Client(raise_request_exception=False).get("/")
    assert_unavailable_page(response.status_code, response, response.content)


def test_an_outage_in_a_middleware_is_a_503_too(city, monkeypatch):
    """Sessions are read before any view: under /api/ a problem, elsewhere the page."""
    from django.contrib.sessions.backends.db import SessionStore

    def broken(self: SessionStore) -> dict[str, Any]:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(SessionStore, "load", broken)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32

    page = client.get("/")
    assert_unavailable_page(page.status_code, page, page.content)
    api = client.get("/api/v1/bookings")
    assert_unavailable_problem(api.status_code, api, api.content)


def test_service_unavailable_is_a_documented_problem_code(city):
    response = Client().get("/api/v1/problems/service_unavailable")
    assert response.status_code == 200
    assert response.json()["status"] == 503


def test_other_errors_stay_500(city, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(type(Site.objects.all()), "_fetch_all", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500


# --- a real server, PostgreSQL cut off and back -----------------------------------------


def fetch(
    url: str, *, headers: dict[str, str] | None = None, body: dict[str, Any] | None = None
) -> tuple[int, Any, bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        url,
        data=data,
        headers={**(headers or {}), **({"Content-Type": "application/json"} if data else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for_status(url: str, status: int, *, timeout: float) -> float:
    """Seconds until ``url`` answers ``status``."""
    started = time.monotonic()
    while True:
        answered = fetch(url)[0]
        if answered == status:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{url} still answers {answered}, not {status}")
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.skipif(
    settings.DATABASE_IS_SQLITE,
    reason="An unreachable database server is a PostgreSQL fault (SQLite is a file).",
)
@pytest.mark.parametrize("pool", ["persistent", "pool"])
def test_a_server_answers_503_while_postgresql_is_cut_off_and_recovers(
    transactional_db, city, tmp_path: Path, pool: str
):
    host = settings.DATABASES["default"]["HOST"] or "127.0.0.1"
    port = int(settings.DATABASES["default"]["PORT"] or 5432)
    token = create_api_token(user=city.citizen_a, name="test")[1]
    citizen = {"Authorization": f"Bearer {token}"}
    tz = zoneinfo.ZoneInfo(city.site_s.timezone)
    slot = f.SlotFactory.create(
        site_service=city.site_service(city.site_s, city.service_a),
        start=dt.datetime(2026, 6, 3, 10, 0, tzinfo=tz),
        end=dt.datetime(2026, 6, 3, 10, 30, tzinfo=tz),
        capacity=5,
    )
    booking = {"slot_id": slot.pk}
    retried = {**citizen, "Idempotency-Key": "outage-retry"}
    WorkerHeartbeat.objects.create(
        worker_id="test-worker",
        hostname="test",
        pid=1,
        started_at=timezone.now(),
        seen_at=timezone.now(),
    )
    with TcpProxy((host, port)) as proxy:
        env = server_environment(tmp_path, now=NOW, ANTRE_WORKER_STALE_SECONDS="3600")
        env["DATABASE_URL"] = current_database_url(port=proxy.port)
        if pool == "pool":
            env["ANTRE_DB_POOL_SIZE"] = "4"
        collect_static(env)
        server = ServeProcess(env, tmp_path / "serve.log")
        try:
            server.start()
            assert fetch(f"{server.url}/readyz")[0] == 200
            assert fetch(f"{server.url}/api/v1/sites")[0] == 200
            assert fetch(f"{server.url}/api/v1/bookings", headers=citizen)[0] == 200
            assert fetch(f"{server.url}/")[0] == 200

            proxy.stop()

            status, _headers, body = fetch(f"{server.url}/readyz")
            assert status == 503
            assert json.loads(body)["checks"]["database"]["ok"] is False
            assert fetch(f"{server.url}/healthz")[0] == 200  # the process itself is fine
            assert_unavailable_problem(*fetch(f"{server.url}/api/v1/sites"))
            assert_unavailable_problem(*fetch(f"{server.url}/api/v1/bookings", headers=citizen))
            assert_unavailable_page(*fetch(f"{server.url}/"))
            assert_unavailable_problem(
                *fetch(f"{server.url}/api/v1/bookings", headers=retried, body=booking)
            )

            proxy.start()

            recovered = wait_for_status(f"{server.url}/readyz", 200, timeout=30)
            assert fetch(f"{server.url}/api/v1/sites")[0] == 200
            assert fetch(f"{server.url}/api/v1/bookings", headers=citizen)[0] == 200
            assert fetch(f"{server.url}/")[0] == 200
            # The 503 was not recorded against the key: the retry books, once.
            status, _headers, body = fetch(
                f"{server.url}/api/v1/bookings", headers=retried, body=booking
            )
            assert status == 201, body
            assert Booking.objects.filter(slot=slot).count() == 1
            print(f"{pool}: ready again {recovered:.2f} s after the database came back")
        finally:
            server.stop()

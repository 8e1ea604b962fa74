"""Live events across app servers (antre/ops/fanout.py).

A call made through one app server reaches a board connected to another
within a second, by PostgreSQL NOTIFY (or Redis pub/sub), not by polling;
a board that reconnects gets what it missed from the table.

The clock is frozen at Tuesday 2026-06-02 09:05 WIB (the servers' clock
starts there).
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction

from antre.accounts.tokens import create_api_token
from antre.api import events as streams
from antre.api.tests.onsite_floor import build_floor
from antre.onsite import services
from antre.ops import fanout
from antre.testing.asgi import open_event_stream
from antre.testing.serve import ServeProcess, server_environment

NOW = "2026-06-02T09:05:00+07:00"
SITE_EVENTS = "/api/v1/sites/gerai-s/events"

needs_postgres = pytest.mark.skipif(
    settings.DATABASE_IS_SQLITE,
    reason=(
        "Several app servers share one database only on PostgreSQL; on SQLite one server "
        "runs and streams poll (ANTRE_EVENTS=poll). Run with DATABASE_URL=postgres://..."
    ),
)


def bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"}


def post(url: str, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, data=b"{}", headers={**headers, "Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        assert response.status == 200
        return json.loads(response.read())


# --- the sender -----------------------------------------------------------------------


@needs_postgres
def test_an_event_is_notified_at_commit_and_never_for_a_rollback(transactional_db, city):
    import psycopg

    floor = build_floor(city)
    with psycopg.connect(autocommit=True, **fanout.postgres_params()) as listener:
        listener.execute(f"LISTEN {fanout.POSTGRES_CHANNEL}")

        class RolledBack(Exception):
            pass

        def walk_in_then_fail() -> None:
            with transaction.atomic():
                floor.walk_in()
                raise RolledBack

        with pytest.raises(RolledBack):
            walk_in_then_fail()
        assert list(listener.notifies(timeout=0.5)) == []

        ticket = floor.walk_in()
        heard = [notify.payload for notify in listener.notifies(timeout=1.0)]

    assert heard
    assert {payload.split(":")[0] for payload in heard} == {str(ticket.site_id)}
    assert connection.vendor == "postgresql"


# --- the receiver, in one process ---------------------------------------------------------


@pytest.mark.parametrize("backend", ["postgres", "redis"])
def test_a_stream_is_woken_by_the_notification_not_by_polling(
    backend, asgi_live_server, city, monkeypatch, settings
):
    if backend == "postgres" and settings.DATABASE_IS_SQLITE:
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL; SQLite streams poll (ANTRE_EVENTS=poll).")
    if backend == "redis" and not settings.REDIS_URL:
        pytest.skip("ANTRE_EVENTS=redis needs REDIS_URL.")
    settings.ANTRE_EVENTS = backend
    # Polling alone would take half a minute: only a wake-up is in time.
    monkeypatch.setattr(streams, "POLL_SECONDS", 30.0)
    monkeypatch.setattr(streams, "SAFETY_POLL_SECONDS", 30.0)
    floor = build_floor(city)
    floor.walk_in()

    with open_event_stream(
        asgi_live_server.url, SITE_EVENTS, headers=bearer(city.board_s)
    ) as stream:
        stream.until("board.updated")
        time.sleep(0.5)  # the process's listener connects
        started = time.monotonic()
        called = services.call_next(counter=floor.counter_a, actor=None)
        event = stream.until("ticket.called", timeout=2.0)
        latency = time.monotonic() - started

    assert called is not None
    assert event.json()["number"] == called.number
    assert latency < 2.0


@needs_postgres
def test_a_stream_outlives_its_listener_being_cut_off(
    asgi_live_server, city, monkeypatch, settings
):
    """The listener's connection is killed: it reconnects, and the streams
    read what landed meanwhile, still without polling."""
    import psycopg

    settings.ANTRE_EVENTS = "postgres"
    monkeypatch.setattr(streams, "POLL_SECONDS", 30.0)
    monkeypatch.setattr(streams, "SAFETY_POLL_SECONDS", 30.0)
    floor = build_floor(city)
    floor.walk_in()
    floor.walk_in()

    def listeners() -> list[int]:
        with psycopg.connect(autocommit=True, **fanout.postgres_params()) as admin:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
                "AND datname = current_database() AND pid <> pg_backend_pid()",
                [fanout.LISTENER_NAME],
            ).fetchall()
        return [pid for (pid,) in rows]

    def wait_for_listener(other_than: list[int]) -> list[int]:
        deadline = time.monotonic() + 10
        while not (found := [pid for pid in listeners() if pid not in other_than]):
            assert time.monotonic() < deadline, "the listener did not connect"
            time.sleep(0.1)
        return found

    with open_event_stream(
        asgi_live_server.url, SITE_EVENTS, headers=bearer(city.board_s)
    ) as stream:
        stream.until("board.updated")
        first_listener = wait_for_listener([])
        assert len(first_listener) == 1  # one per process, not one per stream
        with psycopg.connect(autocommit=True, **fanout.postgres_params()) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", first_listener)
        # Lands while the listener is gone or reconnecting.
        called = services.call_next(counter=floor.counter_a, actor=None)
        assert stream.until("ticket.called", timeout=5.0).json()["number"] == called.number

        wait_for_listener(first_listener)
        started = time.monotonic()
        again = services.call_next(counter=floor.counter_ab, actor=None)
        assert stream.until("ticket.called", timeout=2.0).json()["number"] == again.number
        assert time.monotonic() - started < 2.0


# --- two real app servers -----------------------------------------------------------------


@pytest.mark.slow
@needs_postgres
def test_a_call_through_one_server_reaches_a_board_on_another_within_a_second(
    transactional_db, city, tmp_path: Path
):
    floor = build_floor(city)
    for _ in range(3):
        floor.walk_in()
    board = bearer(city.board_s)
    officer = bearer(city.officer_s_a)
    env = server_environment(tmp_path, now=NOW, ANTRE_EVENTS="postgres")
    server_a = ServeProcess(env, tmp_path / "a.log")
    server_b = ServeProcess(env, tmp_path / "b.log")
    try:
        server_a.start()
        server_b.start()
        with open_event_stream(server_a.url, SITE_EVENTS, headers=board) as stream:
            stream.until("board.updated", timeout=10)
            # Warm up B (its first request loads the API) and A's listener.
            first = post(f"{server_b.url}/api/v1/counters/{floor.counter_a.pk}/call-next", officer)
            seen = stream.until("ticket.called", timeout=10)
            assert seen.json()["number"] == first["number"]

            started = time.monotonic()
            second = post(
                f"{server_b.url}/api/v1/counters/{floor.counter_ab.pk}/call-next", officer
            )
            answered = time.monotonic()
            event = stream.until("ticket.called", timeout=1.0)
            arrived = time.monotonic()
            assert event.json()["number"] == second["number"]
            assert event.json()["counter"] == floor.counter_ab.number
            last_seen = event.id
        print(
            f"call via B answered in {answered - started:.3f} s; "
            f"on A's stream {arrived - answered:.3f} s later"
        )
        assert last_seen is not None

        # Missed while disconnected, all through B: a recall, the first
        # ticket served (which frees counter 1), and a third call there.
        post(f"{server_b.url}/api/v1/tickets/{second['id']}/recall", officer)
        post(f"{server_b.url}/api/v1/tickets/{first['id']}/start", officer)
        post(f"{server_b.url}/api/v1/tickets/{first['id']}/finish", officer)
        third = post(f"{server_b.url}/api/v1/counters/{floor.counter_a.pk}/call-next", officer)

        with open_event_stream(
            server_a.url, SITE_EVENTS, headers={**board, "Last-Event-ID": last_seen}
        ) as again:
            replayed = [again.next_event(timeout=10) for _ in range(3)]
    finally:
        server_a.stop()
        server_b.stop()

    assert [event.event for event in replayed] == [
        "ticket.recalled",
        "ticket.called",
        "board.updated",
    ]
    assert replayed[0].json()["number"] == second["number"]
    assert replayed[1].json()["number"] == third["number"]
    ids = [int(event.id or 0) for event in replayed]
    assert ids == sorted(ids)
    assert ids[0] > int(last_seen)

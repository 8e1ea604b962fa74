"""/healthz answers without the database; /readyz names what is not ready."""

import datetime as dt
import json

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from antre.core import jobs
from antre.ops import checks
from antre.ops.models import WorkerHeartbeat


@pytest.fixture
def live_worker(db):
    jobs.beat("worker-test-1", started_at=timezone.now())


def problem_of(response) -> dict:
    assert response["Content-Type"].startswith("application/problem+json")
    body = json.loads(response.content)
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert body["status"] == response.status_code
    return body


def test_healthz_answers_without_touching_the_database(client):
    # No db fixture: a query would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_the_probes_answer_a_load_balancer_that_asks_by_ip_address(db, live_worker):
    probe = Client(HTTP_HOST="10.0.0.7:8000")
    assert probe.get("/healthz").status_code == 200
    assert probe.get("/readyz").status_code == 200
    # Everything else still checks the host.
    assert probe.get("/").status_code == 400


def test_readyz_is_ok_with_database_cache_and_a_live_worker(client, live_worker):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database",
        "cache",
        "worker",
    }


def test_readyz_is_a_503_problem_when_the_database_is_down(client, live_worker, monkeypatch):
    def refuse() -> None:
        raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: refused')

    monkeypatch.setattr(checks, "_ping_database", refuse)
    monkeypatch.setattr(
        WorkerHeartbeat.objects, "order_by", lambda *args: (_ for _ in ()).throw(OperationalError())
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    body = problem_of(response)
    assert body["code"] == "not_ready"
    assert "database" in body["detail"]
    assert body["checks"]["database"] == {"ok": False, "detail": "unreachable (OperationalError)"}
    assert body["checks"]["cache"]["ok"] is True
    # Neither a traceback nor the server's address leaks out.
    assert "Traceback" not in response.content.decode()
    assert "10.0.0.5" not in response.content.decode()


def test_readyz_fails_when_the_cache_is_down(client, live_worker, settings):
    # A Redis nobody listens on: a real connection refused.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = problem_of(response)
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["detail"] == "Not ready: cache."


def test_readyz_fails_without_a_worker_or_with_a_stale_one(client, db, settings):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert problem_of(response)["checks"]["worker"] == {
        "ok": False,
        "detail": "no worker has reported",
    }
    long_ago = timezone.now() - dt.timedelta(seconds=settings.ANTRE_WORKER_STALE_SECONDS + 5)
    WorkerHeartbeat.objects.create(
        worker_id="gone", hostname="h", pid=1, started_at=long_ago, seen_at=long_ago
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "last heartbeat" in problem_of(response)["checks"]["worker"]["detail"]

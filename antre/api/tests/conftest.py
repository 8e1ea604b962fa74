"""Fixtures of the citizen API tests: callers with bearer tokens, slots at
known local times of the ``city`` personas.

The clock is frozen at Tuesday 2026-06-02 09:05 in Jakarta (WIB, +07:00).
Services book from 30 days ahead until 60 minutes before a slot and may be
cancelled or moved until 120 minutes before it.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from antre.accounts.models import User
from antre.accounts.tokens import create_api_token
from antre.booking.models import Slot
from antre.catalog.models import Service, Site
from antre.testing import factories as f
from antre.testing.personas import City


def local(text: str, zone: str = "Asia/Jakarta") -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))


# What pydantic would otherwise coerce into an id of a request body
# (antre.api.schemas.common.BodyId): true (as 1), "17976", 17976.0.
LAX_IDS: dict[str, Any] = {
    "boolean": lambda pk: True,
    "string": str,
    "float": float,
}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    return body


@dataclass
class Caller:
    """Requests under /api/v1 as one user (or, with no token, as nobody)."""

    client: Client
    token: str | None

    def headers(self, key: str | None = None) -> dict[str, str]:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        if key is not None:
            headers["idempotency-key"] = key
        return headers

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers())

    def post(self, path: str, body: dict[str, Any] | None = None, *, key: str | None = None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers(key),
        )


@pytest.fixture
def caller(client: Client, db: None) -> Any:
    """``caller(user)``: a ``Caller`` with a fresh token of ``user``; ``caller(None)``
    sends no token."""

    def make(user: User | None) -> Caller:
        if user is None:
            return Caller(client, None)
        return Caller(client, create_api_token(user=user, name="test")[1])

    return make


@pytest.fixture
def slot(city: City) -> Any:
    """``slot(site, service, "2026-06-03T09:30", capacity=10)``: a 30-minute
    slot at that local time of the site."""

    def make(site: Site, service: Service, start: str, **fields: Any) -> Slot:
        begins = local(start, site.timezone)
        return f.SlotFactory.create(
            site_service=city.site_service(site, service),
            start=begins,
            end=begins + dt.timedelta(minutes=30),
            **fields,
        )

    return make

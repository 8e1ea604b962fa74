"""Issue 9.5 where no other test holds it: Argon2 hashes passwords outside the
test run, and every page that accepts a POST refuses one without a CSRF token
(the API is exempt and checks CSRF itself on session requests,
antre/api/session.py). Reset links: antre/accounts/tests/test_password_reset.py;
headers: test_security_headers.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from antre.testing.personas import City

REPOSITORY = Path(__file__).resolve().parents[3]
PROBES = {"/healthz", "/readyz", "/metrics"}

PROBE = """
import json
from config import settings as s
print(json.dumps({"hashers": s.PASSWORD_HASHERS, "reset": s.PASSWORD_RESET_TIMEOUT}))
"""


def test_argon2_is_the_first_hasher_and_reset_links_last_an_hour(tmp_path: Path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANTRE_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_"))
    }
    environment["ANTRE_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["hashers"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert loaded["reset"] == 60 * 60


def routes(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + route)
        else:
            yield prefix + route, pattern


def concrete(route: str) -> str | None:
    """A path for ``route`` with every parameter filled in; ``None`` for a
    regular-expression route (the admin's app index, static files)."""
    if route.startswith("^") or "(?P" in route:
        return None
    filled = re.sub(r"<int:[^>]+>", "1", route)
    filled = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", filled)
    return "/" + re.sub(r"<[^>]+>", "x", filled)


@pytest.mark.django_db
def test_every_page_refuses_a_post_without_a_csrf_token(city: City) -> None:
    exempt = []
    accepted = []
    checked = 0
    for persona in (city.citizen_a, city.city_admin, city.officer_s_a):
        client = Client(enforce_csrf_checks=True)
        client.force_login(persona)
        for route, pattern in routes(get_resolver().url_patterns):
            if getattr(pattern.callback, "csrf_exempt", False):
                exempt.append(route)
                continue
            path = concrete(route)
            if path is None:
                continue
            response = client.post(path, {"password": "x", "nik": "3275010101900007"})
            if response.status_code != 403:
                accepted.append((persona.username, path, response.status_code))
            checked += 1
    # The probes are answered by the first middleware, GET only, before any session.
    assert {path for _persona, path, _status in accepted} <= PROBES, accepted
    assert all(status == 405 for _persona, _path, status in accepted)
    # Only the REST API is exempt: it takes tokens, and checks CSRF on sessions itself.
    assert exempt
    assert all(route.startswith("api/v1/") for route in exempt)
    assert checked > 100

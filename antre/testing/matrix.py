"""The machinery of the authorisation matrix (issue #9): who may request what.

A ``Probe`` is one request (a method and a concrete path of one route) with
the personas (``antre.testing.personas.PERSONAS``) it must succeed for and
those to whom the object must not exist; everyone else must be refused. The
matrix modules (antre/api/tests/test_authorization_matrix.py for the API,
antre/backoffice/tests/test_page_matrix.py for every page) list probes, and
check that every route the resolver knows has at least one, so that a new
endpoint without a row fails.

The answer classes:

* ``ALLOW``: 2xx, or a redirect that is not to a login page nor the back
  office's "no such object" redirect;
* ``DENY``: 401, 403, or a redirect to a login page (the citizens', the
  staff's or the back office's);
* ``HIDE``: 404, or (``Probe.hidden_redirect``) the back office's redirect to
  its index that Django's admin answers for an object that does not exist.

Anything else (409, 422, 500) fits no class and fails the cell: a probe is
written so that its allowed personas get a plain success.

Each probe runs once per persona inside a savepoint that is rolled back, so
that a cancel or a call does not change what the next persona sees; the city
itself is built once per module (``module_world``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpResponseBase, StreamingHttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from antre.core import clock
from antre.testing.personas import (
    PERSONAS,
    City,
    Holdings,
    api_tokens,
    build_city,
    build_holdings,
    session_cookies,
)

# The project-wide frozen instant (conftest.DEFAULT_NOW): the module's city is
# built before any test's own frozen clock starts.
WORLD_NOW = "2026-06-02T09:05:00+07:00"

LOGIN_PATHS = ("/akun/masuk/", "/petugas/masuk/", "/backoffice/login/")


class Answer(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"
    HIDE = "hide"


@dataclass
class World:
    """The module's city, what its personas own, and how each signs in."""

    city: City
    own: Holdings
    tokens: dict[str, str]
    sessions: dict[str, str]


type PathOf = str | Callable[[World], str]
type BodyOf = dict[str, Any] | Callable[[World], dict[str, Any]] | None


@dataclass(frozen=True)
class Probe:
    """One request and who gets which answer. ``allow`` and ``hide`` name
    personas; every other persona must get ``DENY``. ``prepare`` runs in the
    persona's savepoint before the request (e.g. to start a ticket before
    finishing it)."""

    method: str
    path: PathOf
    allow: Iterable[str]
    hide: Iterable[str] = ()
    body: BodyOf = None
    prepare: Callable[[World], object] | None = None
    # Personas whose cell is not requested here, with the reason (streams
    # that an allowed caller would hold open forever under WSGI).
    skip: dict[str, str] = field(default_factory=dict)
    label: str = ""
    # The status that means "no such thing" where it is not 404: a filter
    # form's 400 for a site outside the person's scope, as for an unknown one.
    hidden_status: int = 404
    # WSGI environ of the request (``REMOTE_ADDR``).
    extra: dict[str, str] = field(default_factory=dict)
    # Where a redirect means "no such object": Django admin's index.
    hidden_redirect: str | None = None
    # Statuses that are an answer, not a refusal (readiness: 503 "not ready").
    ok_statuses: frozenset[int] = frozenset()
    # Signing out ends on a login page: that is where it is meant to go.
    login_is_target: bool = False

    def __post_init__(self) -> None:
        allow, hide = frozenset(self.allow), frozenset(self.hide)
        unknown = (allow | hide | set(self.skip)) - set(PERSONAS)
        assert not unknown, f"unknown personas {sorted(unknown)} in {self.label or self.path}"
        assert not allow & hide, f"both allowed and hidden: {sorted(allow & hide)}"
        object.__setattr__(self, "allow", allow)
        object.__setattr__(self, "hide", hide)

    def expected(self, persona: str) -> Answer:
        if persona in self.allow:
            return Answer.ALLOW
        if persona in self.hide:
            return Answer.HIDE
        return Answer.DENY

    def concrete_path(self, world: World) -> str:
        return self.path(world) if callable(self.path) else self.path

    def concrete_body(self, world: World) -> dict[str, Any] | None:
        return self.body(world) if callable(self.body) else self.body

    def name(self) -> str:
        if self.label:
            return f"{self.method} {self.label}"
        return f"{self.method} {self.path if isinstance(self.path, str) else self.path.__name__}"


def everyone_but(*personas: str) -> frozenset[str]:
    return frozenset(PERSONAS) - set(personas)


EVERYONE = frozenset(PERSONAS)
SIGNED_IN = everyone_but("anonymous")


def classify(response: HttpResponseBase, probe: Probe) -> Answer | None:
    status = response.status_code
    if status in probe.ok_statuses:
        return Answer.ALLOW
    if status == probe.hidden_status:
        return Answer.HIDE
    if status in (401, 403):
        return Answer.DENY
    if status == 404:
        return Answer.HIDE
    if 300 <= status < 400:
        location = response.get("Location", "")
        path = location.split("?", 1)[0]
        if probe.hidden_redirect is not None and path == probe.hidden_redirect:
            return Answer.HIDE
        if path.startswith(LOGIN_PATHS) and not probe.login_is_target:
            return Answer.DENY
        return Answer.ALLOW
    if 200 <= status < 300:
        return Answer.ALLOW
    return None


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def drain(response: HttpResponseBase) -> None:
    """Read a streamed body (a CSV export) while its queries can still run."""
    if isinstance(response, StreamingHttpResponse) and not response.is_async:
        b"".join(response.streaming_content)  # type: ignore[arg-type]


@contextmanager
def module_world(django_db_blocker: Any) -> Iterator[World]:
    """The city, its holdings and its personas' credentials, built once inside
    a transaction that is rolled back when the module is done; each test's own
    transaction nests inside it as a savepoint."""
    with django_db_blocker.unblock(), clock.freeze(WORLD_NOW), rolled_back():
        city = build_city()
        world = World(
            city=city,
            own=build_holdings(city),
            tokens=api_tokens(city),
            sessions=session_cookies(city),
        )
        yield world


def _join(prefix: str, pattern: str) -> str:
    # As django.urls.resolvers.URLResolver._join_route spells a match's route.
    return prefix + pattern.removeprefix("^") if prefix else pattern


def all_routes() -> list[str]:
    """Every route of the project's URLconf, spelled as ``ResolverMatch.route``."""

    def walk(patterns: Iterable[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = _join(prefix, str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    return sorted(set(walk(get_resolver().url_patterns, "")))


def route_of(path: str) -> str:
    return resolve(path.split("?", 1)[0]).route


_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def openapi_route(route: str) -> str:
    """``api/v1/bookings/<code>`` as the OpenAPI document spells it."""
    return "/" + _PARAMETER.sub(r"{\1}", route)


def summary(kind: str, probes: list[Probe], routes: int, cells: int, skipped: int) -> str:
    return (
        f"{kind} authorisation matrix: {len(probes)} requests over {routes} routes "
        f"x {len(PERSONAS)} personas = {cells} cells checked ({skipped} left to ASGI tests)"
    )

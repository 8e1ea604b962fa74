"""Project-wide pytest fixtures: the frozen clock, personas, and the test services
(an SMTP server on the loopback, Debian's Chromium through Playwright)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from antre.core import clock
from antre.testing import browser as browser_module
from antre.testing.asgi import AsgiLiveServer
from antre.testing.personas import City, build_city
from antre.testing.smtp import SMTPTestServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.fixtures import Settings
    from pytest_django.live_server_helper import LiveServer

# A Tuesday morning in Bekasi: inside opening hours, not a holiday.
DEFAULT_NOW = "2026-06-02T09:05:00+07:00"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "console_errors_allowed: a browser test that expects console errors on its pages",
    )


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[clock.FrozenClock]:
    """Every test runs on a frozen clock; move it with ``frozen_clock.advance``."""
    with clock.freeze(DEFAULT_NOW) as frozen:
        yield frozen


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with empty caches: rate-limit windows and used
    challenges of one test must not reach into the next, nor must the
    catalogue one test read (its rows are rolled back, and their primary
    keys and slugs come back in the next test, which may never save them)."""
    from django.core.cache import cache

    from antre.catalog import cache as catalog_cache

    cache.clear()
    catalog_cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language: a request in English (the
    test client runs it in this thread, and the locale middleware leaves its
    language active) must not turn the next test's texts English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def city(db: None) -> City:
    return build_city()


@pytest.fixture
def smtp_server(settings: Settings) -> Iterator[SMTPTestServer]:
    """A real SMTP server on 127.0.0.1 that Django's default mailer sends to.

    ``smtp_server.messages`` holds what arrived; ``stop()``/``start()`` take
    the server down and bring it back on the same port.
    """
    with SMTPTestServer() as server:
        settings.MAILERS = {"default": server.mailer_settings()}
        yield server


@pytest.fixture
def asgi_live_server(transactional_db: None) -> Iterator[AsgiLiveServer]:
    """``config.asgi:application`` served by uvicorn in a thread of this process
    (``asgi_live_server.url``), for what WSGI cannot serve: event streams.
    It shares the frozen clock and sees what the test commits."""
    with AsgiLiveServer() as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, launched once per test session.

    Skips when /usr/bin/chromium is missing, except under CI, where the
    launch fails instead so that a missing install step cannot hide.
    """
    reason = browser_module.missing_browser_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in the test thread, which
    # makes Django refuse ORM calls made by the test itself ("you cannot call
    # this from an async context"). The test thread never awaits anything.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = browser_module.launch(playwright)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _open_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, *, phone: bool
) -> Iterator[Page]:
    page = browser_module.new_page(browser, base_url=live_server.url, phone=phone)
    problems = browser_module.watch_console(page)
    yield page
    page.context.close()
    if problems and not request.node.get_closest_marker("console_errors_allowed"):
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A desktop-sized page (1280x800) in its own browser context, with
    ``page.goto("/")`` relative to the live server. Console errors fail the test."""
    yield from _open_page(request, browser, live_server, phone=False)


@pytest.fixture
def phone_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """Like ``page``, on a 360x740 touch screen."""
    yield from _open_page(request, browser, live_server, phone=True)


@pytest.fixture
def axe_check() -> Callable[..., None]:
    """``axe_check(page)`` fails the test on any WCAG 2.1 A/AA violation."""
    return browser_module.assert_accessible


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """``screenshot(page, name)`` saves test-artifacts/screenshots/<name>.png."""
    return browser_module.save_screenshot

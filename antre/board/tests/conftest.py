"""The on-site hall of antre/onsite/tests, the devices and officer of its site,
and browser pages served by the ASGI live server (the board and the live
ticket page follow event streams, which the WSGI ``live_server`` cannot
serve)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page

from antre.accounts.models import Role, User
from antre.onsite.tests import conftest as onsite_conftest
from antre.onsite.tests.conftest import Hall
from antre.testing import browser as browser_module
from antre.testing import factories as f
from antre.testing.asgi import AsgiLiveServer

PASSWORD = "rahasia-Kuat-123"
TV_VIEWPORT = {"width": 1920, "height": 1080}

hall = onsite_conftest.hall  # the fixture, shared with the on-site tests


@pytest.fixture
def board_device(hall: Hall) -> User:
    return f.StaffFactory(username="papan-mpp", role=Role.BOARD, role__site=hall.site)


@pytest.fixture
def kiosk_device(hall: Hall) -> User:
    return f.StaffFactory(username="kiosk-mpp", role=Role.KIOSK, role__site=hall.site)


@pytest.fixture
def officer(hall: Hall) -> User:
    return f.StaffFactory(username="petugas-mpp", role=Role.OFFICER, role__site=hall.site)


@pytest.fixture
def board_client(client: Client, board_device: User) -> Client:
    client.force_login(board_device)
    return client


type OpenPage = Callable[..., Page]


@pytest.fixture
def asgi_page(
    request: pytest.FixtureRequest, browser: Browser, asgi_live_server: AsgiLiveServer
) -> Iterator[OpenPage]:
    """``asgi_page(kind="tv"|"desktop"|"phone", user=None)``: a page in a fresh
    context on the ASGI live server, signed in as ``user`` when given.
    Console errors of any page fail the test."""
    opened: list[tuple[Page, list[str]]] = []

    def open_page(kind: str = "desktop", user: User | None = None) -> Page:
        options: dict[str, Any] = {
            "base_url": asgi_live_server.url,
            "locale": "id-ID",
            "timezone_id": "Asia/Jakarta",
        }
        if kind == "phone":
            options.update(viewport=browser_module.PHONE_VIEWPORT, is_mobile=True, has_touch=True)
        elif kind == "tv":
            options.update(viewport=TV_VIEWPORT)
        else:
            options.update(viewport=browser_module.DESKTOP_VIEWPORT)
        context = browser.new_context(**options)
        # axe-core before the page's own scripts: the pages' Content Security
        # Policy refuses the inline script tag axe_check would otherwise add,
        # and an init script is exempt (the policy stays on for the pages).
        context.add_init_script(path=str(browser_module.AXE_SCRIPT))
        if user is not None:
            browser_module.sign_in(context, user, asgi_live_server.url)
        page = context.new_page()
        opened.append((page, browser_module.watch_console(page)))
        return page

    yield open_page
    problems = []
    for page, page_problems in opened:
        page.context.close()
        problems += page_problems
    if problems and not request.node.get_closest_marker("console_errors_allowed"):
        pytest.fail("\n".join(problems), pytrace=False)

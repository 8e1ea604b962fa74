"""Browser tests in Debian's Chromium through Playwright's sync API.

No browser is ever downloaded (`playwright install` is never run): Playwright
drives the system Chromium at ``/usr/bin/chromium`` (``ANTRE_CHROMIUM``
overrides the path). The pytest fixtures that use this module live in the
root ``conftest.py``; pytest-playwright's own fixtures are switched off there
(``-p no:playwright``) because they would launch a downloaded browser.

Pages are served by pytest-django's ``live_server``, a threaded WSGI server:
enough for request/response pages, but it cannot stream server-sent events,
so the live board and ticket pages will need an ASGI live server fixture.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Playwright

CHROMIUM = Path(os.environ.get("ANTRE_CHROMIUM", "/usr/bin/chromium"))

# Headless, no sandbox (tests run as root in a container), and nothing that
# phones home: the tests run with the network off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

PHONE_VIEWPORT = {"width": 360, "height": 740}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}

# The citizen pages must meet WCAG 2.1 level AA (PRODUCT.md).
WCAG_21_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(
    os.environ.get("ANTRE_SCREENSHOT_DIR", REPOSITORY / "test-artifacts" / "screenshots")
)


def missing_browser_reason() -> str | None:
    """Why browser tests cannot run here, or ``None`` when they must run.

    Under CI (``CI`` set) the answer is always ``None``: a missing Chromium
    must fail the run loudly, not turn the browser tests into skips.
    """
    if CHROMIUM.exists() or os.environ.get("CI"):
        return None
    return (
        f"{CHROMIUM} is missing: install Debian's Chromium "
        "(apt-get install -y chromium) to run the browser tests."
    )


def launch(playwright: Playwright) -> Browser:
    if not CHROMIUM.exists():
        raise FileNotFoundError(
            f"Chromium not found at {CHROMIUM}: run `apt-get install -y chromium` "
            "(never `playwright install`)."
        )
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def new_page(
    browser: Browser,
    *,
    base_url: str,
    phone: bool = False,
    locale: str = "id-ID",
) -> Page:
    """A page in a fresh context (own cookies and storage) with an Indonesian
    browser by default. ``phone`` gives a 360x740 touch screen, the size of a
    cheap Android phone."""
    options: dict[str, Any] = {
        "base_url": base_url,
        "locale": locale,
        "timezone_id": "Asia/Jakarta",
    }
    if phone:
        options.update(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    else:
        options.update(viewport=DESKTOP_VIEWPORT)
    context = browser.new_context(**options)
    return context.new_page()


def sign_in(context: BrowserContext, user: Any, base_url: str) -> None:
    """Give the browser context ``user``'s session, as if they had signed in."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def watch_console(page: Page) -> list[str]:
    """Collect the page's console errors and uncaught exceptions (a missing
    static file shows up here as a failed resource load)."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console error at {page.url}: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"uncaught exception at {page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    return problems


def axe_violations(
    page: Page,
    *,
    tags: Sequence[str] = WCAG_21_AA_TAGS,
    exclude: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Run the vendored axe-core on the page as it is now and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the pages' Content Security
        # Policy (rightly) refuses an inline script.
        page.evaluate(AXE_SCRIPT.read_text())
    context: dict[str, Any] = {"include": [["html"]]}
    if exclude:
        context["exclude"] = [[selector] for selector in exclude]
    result = page.evaluate(
        """([context, tags]) => axe.run(context, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        [context, list(tags)],
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"  - {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_accessible(
    page: Page,
    *,
    tags: Sequence[str] = WCAG_21_AA_TAGS,
    exclude: Sequence[str] = (),
) -> None:
    """Fail when axe-core finds any WCAG 2.1 A/AA violation on the page."""
    violations = axe_violations(page, tags=tags, exclude=exclude)
    if violations:
        raise AssertionError(
            f"axe-core found {len(violations)} WCAG 2.1 AA violation(s) on {page.url}:\n"
            + format_violations(violations)
        )


def save_screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page under ``test-artifacts/screenshots/<name>.png``."""
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "screenshot"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{safe_name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 = none)."""
    overflow: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow

"""Browser fixtures and steps: Playwright driving Debian's Chromium (no downloaded browsers),
a page that fails its test on any console error, and signing in through the login form."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    explicit = os.environ.get("PORTAL_TEST_CHROMIUM")
    found = explicit or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail("Chromium not found: install Debian's `chromium` (make test does this)")
    return found


# Per module, not per session: a live sync Playwright keeps an event loop running in
# the main thread, and the tests after the browser ones call asyncio.run().
@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    console_errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        # Chromium logs every 4xx/5xx answer to fetch() as "Failed to load resource: …",
        # also the expected ones (401 from /api/auth/me when nobody is signed in, a wrong
        # password, a 422 shown on a form). Tests assert on what the page shows instead.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            console_errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    yield page
    page.screenshot(path=str(tmp_path / "last.png"))
    context.close()
    assert console_errors == [], f"browser console errors: {console_errors}"


def fill_login(page: Page, email: str, password: str) -> None:
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def log_in(
    page: Page, base_url: str, email: str, password: str, path: str = "/", lands_on: str = ""
) -> None:
    """Open ``path`` signed out, get sent to the login page, log in, land on ``path``."""
    page.goto(f"{base_url}{path}")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    fill_login(page, email, password)
    expect(page.get_by_test_id("app-header")).to_be_visible()
    expect(page).to_have_url(f"{base_url}{lands_on or path}")


def open_windows_list(page: Page, season: str) -> None:
    """Open a season's "Edit as a list" panel and wait until it has finished opening: a click
    on its buttons during the opening animation can land where a button was a frame before
    (under load, a click on "+ window" was lost so)."""
    page.get_by_test_id(f"windows-toggle-{season}").click()
    panel = page.locator(".ant-collapse-panel", has=page.get_by_test_id(f"windows-{season}"))
    expect(panel).to_have_class(re.compile(r"\bant-collapse-panel-active\b"))
    expect(panel).not_to_have_class(re.compile(r"\bant-motion"))

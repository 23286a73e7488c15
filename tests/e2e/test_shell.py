"""The web app renders in a real Chromium, served by the real portal."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer


def log_in_as_admin(page: Page, base_url: str, path: str = "/") -> None:
    """The app is behind a login: open ``path``, log in, land on ``path``."""
    page.goto(f"{base_url}{path}")
    page.get_by_test_id("login-email").fill(ADMIN_EMAIL)
    page.get_by_test_id("login-password").fill(ADMIN_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-header")).to_be_visible()


def test_home_page_renders_with_live_health(live_server: LiveServer, page: Page) -> None:
    log_in_as_admin(page, live_server.url)
    expect(page).to_have_title("Power Portal")
    expect(page.get_by_test_id("app-header")).to_be_visible()
    expect(page.get_by_test_id("product-name")).to_have_text("Power Portal")
    # the values come from GET /api/health through the generated client
    expect(page.get_by_test_id("health-status")).to_have_text("ok")
    expect(page.get_by_test_id("health-database")).to_have_text("ok")
    expect(page.get_by_test_id("health-run-mode")).to_have_text("standalone")


def test_client_side_navigation_and_reload(live_server: LiveServer, page: Page) -> None:
    log_in_as_admin(page, live_server.url)
    page.get_by_test_id("nav").get_by_text("Users").click()
    expect(page).to_have_url(f"{live_server.url}/settings/users")
    # a reload on a client-side route is answered by the SPA fallback (the session survives)
    page.reload()
    expect(page.get_by_test_id("app-header")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/settings/users")


def test_unknown_route_shows_not_found(live_server: LiveServer, page: Page) -> None:
    log_in_as_admin(page, live_server.url, "/no/such/page")
    expect(page.get_by_test_id("not-found")).to_be_visible()

"""Logging in, roles, logging out, user management and session expiry, in a real Chromium."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import fill_login, log_in
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, Credentials, LiveServer


def failed_login(page: Page, email: str, password: str) -> None:
    """Submit the login form and wait for the server's answer."""
    with page.expect_response(lambda r: r.url.endswith("/api/auth/login")) as response:
        fill_login(page, email, password)
    assert response.value.status in (401, 423)


def test_admin_logs_in_and_sees_the_dashboard_shell(live_server: LiveServer, page: Page) -> None:
    page.goto(live_server.url)
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_test_id("login-product-name")).to_have_text("Power Portal")

    fill_login(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("product-name")).to_have_text("Power Portal")
    expect(page.get_by_test_id("user-menu")).to_contain_text("Administrator")
    expect(page.get_by_test_id("user-role")).to_have_text("Admin")
    nav = page.get_by_test_id("nav")
    expect(nav).to_contain_text("Dashboard")
    expect(nav.get_by_test_id("nav-settings-users")).to_be_visible()
    expect(page.get_by_test_id("health-status")).to_have_text("ok")
    # a signed-in user who opens /login goes home
    page.goto(f"{live_server.url}/login")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("health-card")).to_be_visible()


def test_wrong_password_shows_the_servers_error(live_server: LiveServer, page: Page) -> None:
    page.goto(f"{live_server.url}/login")
    failed_login(page, ADMIN_EMAIL, "not-the-password")

    expect(page.get_by_test_id("login-error")).to_have_text("wrong e-mail or password")
    expect(page).to_have_url(f"{live_server.url}/login")


def test_lockout_message_after_five_failed_logins(
    live_server: LiveServer, page: Page, make_user: Callable[..., Credentials]
) -> None:
    victim = make_user("viewer", email="locked.out@example.com")
    page.goto(f"{live_server.url}/login")
    for _ in range(4):
        failed_login(page, victim.email, "wrong-password-123")
        expect(page.get_by_test_id("login-error")).to_have_text("wrong e-mail or password")

    failed_login(page, victim.email, "wrong-password-123")
    expect(page.get_by_test_id("login-error")).to_contain_text(
        "too many failed logins from this address: the account is locked for it"
    )
    # the right password does not help from this address while the lock lasts
    failed_login(page, victim.email, victim.password)
    expect(page.get_by_test_id("login-error")).to_contain_text("the account is locked")


def test_viewer_sees_no_admin_nav_and_gets_forbidden_on_admin_pages(
    live_server: LiveServer, page: Page, viewer: Credentials
) -> None:
    log_in(page, live_server.url, viewer.email, viewer.password)

    expect(page.get_by_test_id("user-menu")).to_contain_text("Vera Viewer")
    expect(page.get_by_test_id("user-role")).to_have_text("Viewer")
    nav = page.get_by_test_id("nav")
    expect(nav).to_contain_text("Dashboard")
    # a viewer's one settings page is its own notifications; none of the admin's
    expect(page.get_by_test_id("nav-settings-notifications")).to_have_count(1)
    for admin_tab in ("users", "branding", "alerts"):
        expect(page.get_by_test_id(f"nav-settings-{admin_tab}")).to_have_count(0)

    page.goto(f"{live_server.url}/settings/users")
    expect(page.get_by_test_id("forbidden")).to_be_visible()
    expect(page.get_by_test_id("users-table")).to_have_count(0)


def test_logout_returns_to_login_and_the_app_stays_closed(
    live_server: LiveServer, page: Page
) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()

    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.goto(live_server.url)
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.goto(f"{live_server.url}/settings/users")
    expect(page).to_have_url(f"{live_server.url}/login?next=/settings/users")


def test_logout_everywhere_ends_the_other_sessions_too(
    live_server: LiveServer, page: Page, admin_client: httpx.Client
) -> None:
    assert admin_client.get("/api/auth/me").status_code == 200
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout-all").click()

    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert admin_client.get("/api/auth/me").status_code == 401


def test_admin_creates_a_user_and_a_duplicate_email_is_refused_on_the_field(
    live_server: LiveServer, page: Page, admin_client: httpx.Client
) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_test_id("nav-settings-users").click()
    expect(page).to_have_url(f"{live_server.url}/settings/users")
    expect(page.get_by_test_id(f"user-row-{ADMIN_EMAIL}")).to_be_visible()

    def create(email: str, name: str) -> None:
        page.get_by_test_id("create-user").click()
        form = page.get_by_test_id("create-user-form")
        expect(form).to_be_visible()
        form.get_by_test_id("user-form-email").fill(email)
        form.get_by_test_id("user-form-name").fill(name)
        form.get_by_text("Admin", exact=True).click()
        form.get_by_test_id("user-form-password").fill("a-long-enough-password")
        form.get_by_test_id("user-form-confirm").fill("a-long-enough-password")
        page.get_by_test_id("create-user-submit").click()

    create("new.person@example.com", "New Person")
    row = page.get_by_test_id("user-row-new.person@example.com")
    expect(row).to_be_visible()
    expect(row).to_contain_text("New Person")
    expect(row.get_by_test_id("user-role-cell")).to_have_text("Admin")
    expect(row.get_by_test_id("user-status-active")).to_be_visible()
    expect(page.get_by_test_id("create-user-form")).to_have_count(0)
    created = [
        u for u in admin_client.get("/api/users").json() if u["email"] == "new.person@example.com"
    ]
    assert len(created) == 1
    assert created[0]["role"] == "admin"

    create("NEW.person@example.com", "Someone Else")
    email_item = page.locator(".ant-form-item", has=page.get_by_test_id("user-form-email"))
    expect(email_item.locator(".ant-form-item-explain-error")).to_have_text(
        "a user with this e-mail already exists"
    )
    expect(page.get_by_test_id("create-user-error")).to_have_count(0)
    # the dialog stays open for a correction; nothing new was created
    expect(page.get_by_test_id("create-user-form")).to_be_visible()
    assert len(admin_client.get("/api/users").json()) == 2


def test_an_expired_session_goes_to_login_and_comes_back(
    live_server: LiveServer,
    page: Page,
    admin_client: httpx.Client,
    make_user: Callable[..., Credentials],
) -> None:
    other_admin = make_user("admin", email="second.admin@example.com", name="Second Admin")
    log_in(page, live_server.url, other_admin.email, other_admin.password)
    page.get_by_test_id("nav-settings-users").click()
    expect(page).to_have_url(f"{live_server.url}/settings/users")
    expect(page.get_by_test_id(f"user-row-{other_admin.email}")).to_be_visible()

    # Another admin deactivates and reactivates them: their sessions end.
    for active in (False, True):
        response = admin_client.patch(f"/api/users/{other_admin.id}", json={"is_active": active})
        assert response.status_code == 200, response.text

    # The next API call answers 401, and the app sends them to log in again.
    page.get_by_test_id("users-refresh").click()
    expect(page).to_have_url(f"{live_server.url}/login?next=/settings/users")
    expect(page.get_by_test_id("login-form")).to_be_visible()

    fill_login(page, other_admin.email, other_admin.password)
    expect(page).to_have_url(f"{live_server.url}/settings/users")
    expect(page.get_by_test_id(f"user-row-{other_admin.email}")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_contain_text("Second Admin")


def test_login_ignores_a_next_that_leaves_the_site(live_server: LiveServer, page: Page) -> None:
    page.goto(f"{live_server.url}/login?next=//example.com/phish")
    fill_login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("health-card")).to_be_visible()


def test_admin_unlocks_a_locked_user(
    live_server: LiveServer,
    page: Page,
    client: httpx.Client,
    make_user: Callable[..., Credentials],
) -> None:
    victim = make_user("viewer", email="unlucky@example.com")
    for _ in range(5):
        client.post("/api/auth/login", json={"email": victim.email, "password": "wrong-wrong-1"})
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, path="/settings/users")

    row = page.get_by_test_id(f"user-row-{victim.email}")
    expect(row.get_by_test_id("user-status-locked")).to_be_visible()
    row.get_by_test_id("user-unlock").click()
    expect(row.get_by_test_id("user-status-locked")).to_have_count(0)
    expect(row.get_by_test_id("user-unlock")).to_have_count(0)
    response = client.post(
        "/api/auth/login", json={"email": victim.email, "password": victim.password}
    )
    assert response.status_code == 200, response.text


def test_settings_opens_the_users_tab(live_server: LiveServer, page: Page) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings", "/settings/users")
    expect(page.get_by_role("tab", name="Users")).to_have_attribute("aria-selected", "true")

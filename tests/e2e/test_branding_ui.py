"""White-label branding and the configuration overview, in a real Chromium.

The page fixture fails a test on any console error, so a Content-Security-Policy
violation (an inline script, an image from a forbidden source) fails it too.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.browser import log_in
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, Credentials, LiveServer

ASSET_URL = re.compile(r"^/api/branding/assets/[0-9a-f]{32}\.png$")
NEW_PRIMARY = "#0050b3"
NEW_PRIMARY_RGB = "rgb(0, 80, 179)"


def make_png(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", size, colour).save(path, format="PNG")
    return path


def background_of(page: Page, test_id: str) -> str:
    value: str = page.evaluate(
        "(id) => getComputedStyle(document.querySelector(`[data-testid='${id}']`)).backgroundColor",
        test_id,
    )
    return value


def wait_for_background(page: Page, test_id: str, rgb: str) -> None:
    """antd animates colour changes: wait for the transition to land."""
    page.wait_for_function(
        "([id, rgb]) => getComputedStyle(document.querySelector(`[data-testid='${id}']`))"
        ".backgroundColor === rgb",
        arg=[test_id, rgb],
    )


def image_loaded(page: Page, test_id: str) -> bool:
    loaded: bool = page.evaluate(
        "(id) => { const img = document.querySelector(`[data-testid='${id}']`);"
        " return img.complete && img.naturalWidth > 0; }",
        test_id,
    )
    return loaded


def test_admin_brands_the_portal_and_every_page_follows_without_reload(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings/branding")
    expect(page.get_by_test_id("nav-settings-branding")).to_be_visible()
    expect(page.get_by_role("tab", name="Branding")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("product-name")).to_have_text("Power Portal")
    expect(page.get_by_test_id("brand-logo")).to_have_count(0)
    # the default primary colour (#1677ff) is too light for white text
    expect(page.get_by_test_id("contrast-warning")).to_be_visible()
    # a marker that a reload would wipe
    page.evaluate("window.__sameDocument = true")

    # upload a logo: the header shows it at once
    logo = make_png(tmp_path / "logo.png", (240, 80), (200, 30, 30))
    page.get_by_test_id("logo-upload").locator("input[type=file]").set_input_files(logo)
    header_logo = page.get_by_test_id("app-header").get_by_test_id("brand-logo")
    expect(header_logo).to_be_visible()
    logo_src = header_logo.get_attribute("src")
    assert logo_src is not None
    assert ASSET_URL.match(logo_src), logo_src
    expect(header_logo).to_have_attribute("alt", "Power Portal")
    expect(page.get_by_test_id("logo-current")).to_have_attribute("src", logo_src)
    page.wait_for_function(
        "() => { const img = document.querySelector(\"[data-testid='brand-logo']\");"
        " return img.complete && img.naturalWidth > 0; }"
    )

    # and a favicon
    favicon = make_png(tmp_path / "favicon.png", (64, 64), (0, 80, 179))
    page.get_by_test_id("favicon-upload").locator("input[type=file]").set_input_files(favicon)
    expect(page.get_by_test_id("favicon-current")).to_be_visible()
    expect(page.locator('link[rel~="icon"]')).to_have_attribute("href", ASSET_URL)

    # a darker primary colour, a new name and tagline
    page.get_by_test_id("branding-primary-input").fill(NEW_PRIMARY)
    expect(page.get_by_test_id("contrast-warning")).to_have_count(0)
    expect(page.get_by_test_id("contrast-ok")).to_be_visible()
    page.get_by_test_id("branding-product-name").fill("Acme Energy")
    page.get_by_test_id("branding-tagline").fill("Power, <b>plainly</b>")
    page.get_by_test_id("branding-save").click()

    expect(page.get_by_test_id("product-name")).to_have_text("Acme Energy")
    expect(page).to_have_title("Acme Energy")
    expect(header_logo).to_have_attribute("src", logo_src)
    expect(header_logo).to_have_attribute("alt", "Acme Energy")
    page.mouse.move(5, 700)  # off the button: its hover colour differs
    wait_for_background(page, "branding-save", NEW_PRIMARY_RGB)
    wait_for_background(page, "app-header", NEW_PRIMARY_RGB)
    assert page.evaluate("window.__sameDocument") is True

    # another page of the app, still without a reload
    page.get_by_test_id("nav-sites").click()
    expect(page).to_have_url(f"{live_server.url}/sites")
    expect(page.get_by_test_id("product-name")).to_have_text("Acme Energy")
    assert background_of(page, "app-header") == NEW_PRIMARY_RGB
    assert page.evaluate("window.__sameDocument") is True

    # signed out, the login page wears the brand too
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_test_id("login-product-name")).to_have_text("Acme Energy")
    expect(page.get_by_test_id("login-tagline")).to_have_text("Power, <b>plainly</b>")
    expect(page.get_by_test_id("login-card").get_by_test_id("brand-logo")).to_have_attribute(
        "src", logo_src
    )
    wait_for_background(page, "login-submit", NEW_PRIMARY_RGB)

    # and so does a fresh visit, straight from the server
    page.reload()
    expect(page.get_by_test_id("login-product-name")).to_have_text("Acme Energy")
    expect(page.get_by_test_id("login-card").get_by_test_id("brand-logo")).to_be_visible()
    assert image_loaded(page, "brand-logo")
    expect(page).to_have_title("Acme Energy")


def test_reset_to_defaults_after_a_confirmation(
    live_server: LiveServer, page: Page, admin_client: httpx.Client, tmp_path: Path
) -> None:
    saved = admin_client.put(
        "/api/branding",
        json={
            "product_name": "Acme Energy",
            "primary_color": NEW_PRIMARY,
            "secondary_color": "#fa8c16",
            "theme": "dark",
            "support_email": "help@acme.example",
        },
    )
    assert saved.status_code == 200, saved.text
    logo = make_png(tmp_path / "logo.png", (120, 40), (10, 120, 10))
    with logo.open("rb") as file:
        uploaded = admin_client.post("/api/branding/logo", files={"file": ("logo.png", file)})
    assert uploaded.status_code == 200, uploaded.text

    page.goto(f"{live_server.url}/login")
    expect(page.get_by_test_id("login-product-name")).to_have_text("Acme Energy")
    expect(page.get_by_test_id("brand-support-email")).to_have_text("help@acme.example")
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings/branding")
    expect(page.get_by_test_id("brand-logo")).to_be_visible()
    expect(page.get_by_test_id("branding-product-name")).to_have_value("Acme Energy")

    page.get_by_test_id("branding-reset").click()
    page.get_by_test_id("branding-reset-confirm").click()

    expect(page.get_by_test_id("product-name")).to_have_text("Power Portal")
    expect(page.get_by_test_id("brand-logo")).to_have_count(0)
    expect(page.get_by_test_id("branding-product-name")).to_have_value("Power Portal")
    expect(page.get_by_test_id("branding-primary-input")).to_have_value("#1677ff")
    expect(page).to_have_title("Power Portal")
    assert admin_client.get("/api/branding").json()["logo_url"] is None


def test_an_svg_logo_is_refused_with_the_servers_reason(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings/branding")

    page.get_by_test_id("logo-upload").locator("input[type=file]").set_input_files(svg)

    expect(page.get_by_test_id("logo-error")).to_contain_text("SVG is not accepted")
    expect(page.get_by_test_id("brand-logo")).to_have_count(0)


def test_a_bad_support_url_is_refused_next_to_the_field(
    live_server: LiveServer, page: Page
) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings/branding")
    page.get_by_test_id("branding-support-url").fill("javascript:alert(1)")
    page.get_by_test_id("branding-save").click()

    field = page.locator(".ant-form-item", has=page.get_by_test_id("branding-support-url"))
    expect(field).to_contain_text("http(s) URL")
    expect(page.get_by_test_id("product-name")).to_have_text("Power Portal")


def test_viewer_cannot_open_branding_or_app_config(
    live_server: LiveServer, page: Page, viewer: Credentials
) -> None:
    log_in(page, live_server.url, viewer.email, viewer.password, "/settings/branding")

    expect(page.get_by_test_id("forbidden")).to_be_visible()
    expect(page.get_by_test_id("branding-form")).to_have_count(0)
    expect(page.get_by_role("tab", name="Branding")).to_have_count(0)
    expect(page.get_by_test_id("nav-settings-branding")).to_have_count(0)

    page.goto(f"{live_server.url}/settings/app-config")
    expect(page.get_by_test_id("forbidden")).to_be_visible()
    expect(page.get_by_test_id("app-config")).to_have_count(0)


def test_admin_reads_the_configuration_overview(live_server: LiveServer, page: Page) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings/app-config")

    for group in ("general", "database", "fleet", "security", "features"):
        expect(page.get_by_test_id(f"config-group-{group}")).to_be_visible()
    expect(page.get_by_test_id("config-general-run_mode")).to_have_text("Standalone")
    expect(page.get_by_test_id("config-security-admin_password_set")).to_have_text("Set")
    expect(page.get_by_test_id("app-config-secrets-note")).to_contain_text(
        "Secrets are never shown"
    )
    expect(page.get_by_test_id("app-config")).not_to_contain_text("admin-test-password")

"""Every page of the app audited with axe-core in a real Chromium: no WCAG 2.1 A/AA violation.

The pages come from the router: ``frontend/src/app/routes.json`` is the list of every route's
path, and ``frontend/src/app/router.test.tsx`` fails when it differs from the route table, so
a new page is audited here as soon as it exists. Each path is opened in both run modes
(standalone and admin) signed in as the admin (``/login`` signed out), with its ``:params``
filled from the demo data; a path parameter this module has no value for fails its test.
The main dialogs, and charts shown as tables, are audited open. One test per page, so a
failure names the page, and its message lists each violated rule with its impact and the
selectors of the offending nodes. Then the keyboard: the skip link, the focus ring, and
dialogs that keep the focus while open and give it back.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import psycopg
import pytest
from playwright.sync_api import Page, expect
from psycopg import sql as pgsql
from sqlalchemy.engine import URL

from power_portal.db.embedded import EmbeddedPostgres
from power_portal.demo.data import DEMO_TENANT_USER_EMAIL
from power_portal.settings import Settings
from tests.support.database import TEMPLATE_DB, psycopg_conninfo, url_string
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PORTAL_BIN,
    REPO_ROOT,
    USER_PASSWORD,
    LiveServer,
    login_client,
)

FRONTEND = REPO_ROOT / "frontend"
ROUTE_PATHS: list[str] = json.loads((FRONTEND / "src/app/routes.json").read_text())["paths"]
AXE_SCRIPT = FRONTEND / "node_modules/axe-core/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# read at import, before the tests' environment is emptied of PORTAL_* variables
STATIC_DIR = os.environ.get("PORTAL_STATIC_DIR")
MODES = ["standalone", "admin"]
FLEET_CUSTOMER = "acme-mining"

# What a path's parameters are filled with (resolved from the stack's data by `stack`).
PARAMS = ("siteId", "alertId", "tenantId", "tariffId", "code")


@dataclass
class Stack:
    mode: str
    server: LiveServer
    params: dict[str, str]

    @property
    def url(self) -> str:
        return self.server.url


@dataclass(frozen=True)
class Opened:
    """Something audited open: the page, the button that opens it, the role that then shows."""

    path: str
    opener: str
    role: Literal["dialog", "table"] = "dialog"
    modes: tuple[str, ...] = ("standalone",)


OPENED = [
    Opened("/sites", "create-site"),
    Opened("/sites/:siteId", "add-device"),
    Opened("/sites/:siteId", "device-tokens"),
    Opened("/settings/users", "create-user"),
    Opened("/settings/alerts", "new-alert-rule"),
    Opened("/fleet", "add-customer", modes=("admin",)),
    # a chart's data as a table ("Show as table")
    Opened("/", "show-table-energy", role="table"),
    Opened("/", "show-table-power", role="table"),
    Opened("/sites/:siteId", "show-table-sankey", role="table"),
]


# ---------------------------------------------------------------- the stacks (one per mode)


def portal_cli(url: URL, *args: str) -> str:
    """`portal …` on the database at `url`; its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    done = subprocess.run(
        [str(PORTAL_BIN), *args],
        env={**env, "PORTAL_DATABASE_URL": url_string(url)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, f"portal {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def demo_database(pg_server: EmbeddedPostgres, template_url: URL) -> Iterator[URL]:
    """One migrated database with `portal demo` in it, shared by the module's tests."""
    admin = psycopg_conninfo(pg_server.url_for("postgres"))
    name = f"test_axe_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(
            pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                pgsql.Identifier(name), pgsql.Identifier(TEMPLATE_DB)
            )
        )
    url = pg_server.url_for(name)
    # the admin first: the server creates it only in a database without users
    portal_cli(
        url,
        "users",
        "create",
        ADMIN_EMAIL,
        "--name",
        "Administrator",
        "--role",
        "admin",
        "--password",
        ADMIN_PASSWORD,
    )
    portal_cli(url, "demo", "--days", "7")
    # the demo's tenant user, with a password of ours (the demo prints a random one)
    portal_cli(url, "users", "set-password", DEMO_TENANT_USER_EMAIL, "--password", USER_PASSWORD)
    yield url
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(
            pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name))
        )


def first_id(http: httpx.Client, path: str, key: str = "id") -> str:
    response = http.get(path)
    assert response.status_code == 200, f"{path}: {response.text}"
    items = response.json()
    assert items, f"{path} is empty: the demo data should have one"
    return str(items[0][key])


def resolve_params(http: httpx.Client, mode: str) -> dict[str, str]:
    site = first_id(http, "/api/sites")
    params = {
        "siteId": site,
        "alertId": first_id(http, "/api/alerts"),
        "tenantId": first_id(http, f"/api/sites/{site}/tenants"),
        "tariffId": first_id(http, "/api/tariffs"),
        "code": FLEET_CUSTOMER,
    }
    if mode == "admin":
        created = http.post("/api/fleet/customers", json={"code": FLEET_CUSTOMER, "name": "Acme"})
        assert created.status_code in (201, 409, 422), created.text
    assert set(params) == set(PARAMS)
    return params


@pytest.fixture(scope="module", params=MODES)
def stack(
    request: pytest.FixtureRequest, demo_database: URL, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The app in one run mode on the demo database (one mode at a time: pytest groups the
    tests by this module-scoped parameter, so the two servers never run together)."""
    mode: str = request.param
    data_dir = tmp_path_factory.mktemp(f"axe-{mode}")
    server = LiveServer(
        Settings(
            database_url=url_string(demo_database),
            data_dir=data_dir,
            admin_password=ADMIN_PASSWORD,
            run_mode=mode,
            static_dir=Path(STATIC_DIR) if STATIC_DIR else None,
        )
    )
    server.start()
    try:
        http = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        params = resolve_params(http, mode)
        http.close()
        yield Stack(mode, server, params)
    finally:
        server.stop()


# ---------------------------------------------------------------- opening a page, running axe


def fill(path: str, params: dict[str, str]) -> str:
    """The URL path for a route pattern: `:params` from the stack, `*` as an unknown page."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in params, (
            f"route {path}: no value for :{name} — add it to PARAMS/resolve_params in {__file__}"
        )
        return params[name]

    filled = re.sub(r":([A-Za-z_]\w*)", value, path)
    return filled.replace("*", "no-such-page")


def sign_in(
    page: Page, stack: Stack, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD
) -> None:
    """A user's session cookies in the browser (the login form is audited on its own)."""
    http = login_client(stack.url, email, password)
    cookies = [
        {"name": cookie.name, "value": cookie.value or "", "url": stack.url}
        for cookie in http.cookies.jar
    ]
    http.close()
    page.context.add_cookies(cookies)  # type: ignore[arg-type]


def settle(page: Page) -> None:
    """Wait for the page's data and for spinners, skeletons and animations to finish."""
    page.wait_for_load_state("networkidle")
    busy = page.locator(".ant-skeleton-active, .ant-spin-spinning, [data-state='loading']")
    with contextlib.suppress(AssertionError):  # a widget that keeps loading is audited as it is
        expect(busy).to_have_count(0, timeout=15_000)
    page.wait_for_timeout(400)  # antd's enter animations (fade, zoom)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # The app's CSP (script-src 'self') refuses an inline <script> (add_script_tag); a script
    # evaluated by the driver is not subject to it.
    page.evaluate(f"() => {{ {AXE_SCRIPT.read_text(encoding='utf-8')}\n }}")
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await window.axe.run(document, {
                runOnly: { type: "tag", values: tags },
                resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        WCAG_TAGS,
    )
    return found


def report(where: str, violations: list[dict[str, Any]]) -> str:
    """One line naming the rules (pytest's short summary shows it), then each rule's nodes."""
    summary = ", ".join(f"{v['id']} x{len(v['targets'])}" for v in violations)
    lines = [f"{where}: {len(violations)} WCAG 2.1 A/AA rule(s) violated: {summary}"]
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {target}" for target in v["targets"][:12])
        if len(v["targets"]) > 12:
            lines.append(f"    … and {len(v['targets']) - 12} more")
    return "\n".join(lines)


def audit(page: Page, where: str) -> None:
    violations = axe_violations(page)
    if violations:
        pytest.fail(report(where, violations), pytrace=False)


def open_route(page: Page, stack: Stack, path: str) -> str:
    """Open a route signed in (``/login`` signed out); the URL path opened."""
    url_path = fill(path, stack.params)
    page.emulate_media(reduced_motion="reduce")
    if path == "/login":
        page.goto(f"{stack.url}{url_path}")
        expect(page.get_by_test_id("login-form")).to_be_visible()
    else:
        sign_in(page, stack)
        page.goto(f"{stack.url}{url_path}")
        expect(page.get_by_test_id("app-header")).to_be_visible()
    settle(page)
    return url_path


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("path", ROUTE_PATHS)
def test_page_has_no_wcag_violations(stack: Stack, page: Page, path: str) -> None:
    url_path = open_route(page, stack, path)
    audit(page, f"{path} ({stack.mode}, {url_path})")


@pytest.mark.parametrize("opened", OPENED, ids=lambda o: o.opener)
def test_open_dialogs_and_tables_have_no_wcag_violations(
    stack: Stack, page: Page, opened: Opened
) -> None:
    if stack.mode not in opened.modes:
        pytest.skip(f"{opened.opener} is audited in {', '.join(opened.modes)} mode")
    open_route(page, stack, opened.path)
    page.get_by_test_id(opened.opener).first.click()
    expect(page.get_by_role(opened.role).last).to_be_visible()
    settle(page)
    audit(page, f"{opened.path} with {opened.opener} open ({stack.mode})")


# The pages a tenant user sees: its portal (another shell: features/tenants), and its bill.
TENANT_PAGES = ["/", "/tenants/:tenantId/bill"]


@pytest.mark.parametrize("path", TENANT_PAGES)
def test_tenant_portal_has_no_wcag_violations(stack: Stack, page: Page, path: str) -> None:
    if stack.mode != "standalone":
        pytest.skip("the tenant portal is the same in both modes")
    http = login_client(stack.url, DEMO_TENANT_USER_EMAIL, USER_PASSWORD)
    tenant_id = str(http.get("/api/auth/me").json()["tenant_id"])
    http.close()
    url_path = fill(path, {**stack.params, "tenantId": tenant_id})
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, stack, DEMO_TENANT_USER_EMAIL, USER_PASSWORD)
    page.goto(f"{stack.url}{url_path}")
    expect(page.get_by_test_id("tenant-portal")).to_be_visible()
    settle(page)
    audit(page, f"tenant portal {path} ({url_path})")


def test_the_route_list_is_the_routers() -> None:
    """routes.json is checked against the router by vitest; here: it is there and complete."""
    for path in ("/login", "/", "/settings/rates/new"):
        assert path in ROUTE_PATHS
    assert AXE_SCRIPT.is_file(), "axe-core is missing: `cd frontend && npm ci`"


# ---------------------------------------------------------------- the keyboard

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        testid: el.getAttribute("data-testid"),
        id: el.id,
        tag: el.tagName.toLowerCase(),
        text: (el.textContent || "").trim().slice(0, 40),
        outline: `${style.outlineStyle} ${style.outlineWidth}`,
        visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
            && box.top < innerHeight && box.left < innerWidth,
        inDialog: !!el.closest("[role=dialog], .ant-drawer, .ant-modal-wrap"),
    };
}"""


def focused(page: Page) -> dict[str, Any] | None:
    result: dict[str, Any] | None = page.evaluate(FOCUSED)
    return result


def test_the_skip_link_comes_first_shows_and_skips_to_main(stack: Stack, page: Page) -> None:
    if stack.mode != "standalone":
        pytest.skip("the shell is the same in both modes")
    open_route(page, stack, "/sites")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first is not None
    assert first["testid"] == "skip-link", first
    assert first["visible"], "the skip link is not visible when it has the focus"
    assert first["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    landed = focused(page)
    assert landed is not None
    assert (landed["tag"], landed["id"]) == ("main", "main-content"), landed
    # the next Tab goes on inside the main content, not back to the header
    page.keyboard.press("Tab")
    after = page.evaluate("() => !!document.activeElement.closest('main')")
    assert after, focused(page)
    expect(page.locator("header")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_keyboard_focus_is_shown_with_a_ring(stack: Stack, page: Page) -> None:
    if stack.mode != "standalone":
        pytest.skip("the shell is the same in both modes")
    open_route(page, stack, "/sites")
    seen = []
    for _ in range(8):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now is not None
        seen.append(now)
        assert now["outline"] == "solid 2px", f"no focus ring on {now}"
        assert now["visible"], f"the focused element is not on screen: {now}"


@pytest.mark.parametrize(
    ("path", "opener", "container"),
    [
        ("/sites", "create-site", ".ant-modal-wrap"),
        ("/settings/users", "create-user", ".ant-modal-wrap"),
        ("/sites/:siteId", "device-tokens", ".ant-drawer"),
    ],
)
def test_dialogs_keep_the_focus_and_give_it_back(
    stack: Stack, page: Page, path: str, opener: str, container: str
) -> None:
    if stack.mode != "standalone":
        pytest.skip("the dialogs are the same in both modes")
    open_route(page, stack, path)
    button = page.get_by_test_id(opener).first
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(container).last).to_be_visible()
    page.wait_for_timeout(400)
    path_taken = [focused(page)]
    for _ in range(20):
        page.keyboard.press("Tab")
        path_taken.append(focused(page))
    # None: past the dialog's last element the focus may visit the browser's own controls
    # (as with a native modal <dialog>), then comes back to the dialog, never to the page
    left = [stop for stop in path_taken if stop is not None and not stop["inDialog"]]
    assert left == [], f"the focus left the open dialog: {path_taken}"
    assert sum(stop is not None for stop in path_taken) >= 15, path_taken
    page.keyboard.press("Escape")
    expect(page.locator(f"{container}:visible")).to_have_count(0)
    back = focused(page)
    assert back is not None, "the focus went to the page's body"
    assert back["testid"] == opener, f"the focus went to {back}"


def test_charts_are_described_in_words_and_shown_as_tables(stack: Stack, page: Page) -> None:
    if stack.mode != "standalone":
        pytest.skip("the charts are the same in both modes")
    open_route(page, stack, "/")
    charts = page.locator("[role=img][aria-describedby]")
    expect(charts.first).to_be_visible()
    described = page.evaluate(
        """() => [...document.querySelectorAll('[role=img][aria-describedby]')].map((el) => ({
            name: el.getAttribute('aria-label'),
            summary: document.getElementById(el.getAttribute('aria-describedby'))?.textContent,
        }))"""
    )
    assert described, "no chart with a summary on the dashboard"
    for chart in described:
        assert chart["name"], chart
        assert chart["summary"], chart
        assert chart["summary"].startswith(chart["name"].removesuffix(" (chart)")), chart
    energy = next(c for c in described if "kWh" in (c["summary"] or ""))
    assert "total" in energy["summary"], energy
    assert "highest" in energy["summary"], energy

    page.get_by_test_id("show-table-energy").click()
    table = page.get_by_role("table", name=re.compile("the chart's data"))
    expect(table).to_be_visible()
    expect(page.get_by_test_id("show-table-energy")).to_have_attribute("aria-pressed", "true")
    expect(table.get_by_role("columnheader").first).to_have_text(re.compile("date|month"))

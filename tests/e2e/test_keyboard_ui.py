"""Keyboard only, in a real Chromium: sign in, switch site and range on the dashboard,
create a tariff by painting the week grid with the keyboard, save it and assign it; and
the tariff editor passes an axe audit (colour contrast aside: the theme's job)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from power_portal.settings import Settings
from tests.support.browser import log_in, open_windows_list
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, MeteredDevice

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# Read at import: tests/conftest.py's _isolated_environment drops every PORTAL_* variable
# before each test, so without this the live server would serve src/power_portal/static
# even when PORTAL_STATIC_DIR names another build (as _front_end_is_built checks).
STATIC_DIR = os.environ.get("PORTAL_STATIC_DIR")
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SEASON = "all year"  # the new tariff's one season
DASH = "\u2013"  # the en dash of "Monday\u2013Friday 08:00\u201312:00"
RATES = {"off-peak": 1.25, "peak": 3.5, "shoulder": 2.25}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The live server serves the build PORTAL_STATIC_DIR names, when it names one."""
    if not STATIC_DIR:
        return settings
    return settings.model_copy(update={"static_dir": Path(STATIC_DIR)})


# --- keyboard steps -------------------------------------------------------------------


def focused_within(page: Page, selector: str) -> bool:
    """Is the focused element ``selector``, or inside it (antd puts test ids on wrappers)?"""
    return bool(
        page.evaluate(
            "sel => { const a = document.activeElement;"
            " return !!a && a !== document.body && !!a.closest(sel); }",
            selector,
        )
    )


def focused_description(page: Page) -> str:
    return str(
        page.evaluate(
            "() => { const a = document.activeElement; if (!a) return 'nothing';"
            " return a.tagName + ' ' + (a.getAttribute('data-testid') || a.id ||"
            " a.getAttribute('aria-label') || a.textContent || '').slice(0, 60); }"
        )
    )


def tab_to(page: Page, selector: str, *, back: bool = False, limit: int = 150) -> None:
    """Press Tab (Shift+Tab with ``back``) until the focus is on or in ``selector``."""
    key = "Shift+Tab" if back else "Tab"
    seen: list[str] = []
    for _ in range(limit):
        if focused_within(page, selector):
            return
        page.keyboard.press(key)
        seen.append(focused_description(page))
    raise AssertionError(f"{selector} not reached with {key}; focus went {seen[-40:]}")


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def press(page: Page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


# --- checks -------------------------------------------------------------------------


def slot_map(periods: list[dict[str, Any]], season: str) -> dict[str, list[str | None]]:
    """Per day, the period name of each half-hour of ``season`` (None: no period)."""

    def minutes(t: str) -> int:
        h, m = t.split(":")
        return int(h) * 60 + int(m)

    days: dict[str, list[str | None]] = {d: [None] * 48 for d in DAYS}
    for p in periods:
        if p["season"] != season:
            continue
        lo, hi = minutes(p["start"]), minutes(p["end"])
        ranges = [(lo, hi)] if lo < hi else [(lo, 1440), (0, hi)]
        for day in p["days"]:
            for a, b in ranges:
                for slot in range(a // 30, b // 30):
                    days[day][slot] = p["name"]
    return days


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page, colour contrast left out (the theme's job)."""
    assert AXE.is_file(), f"{AXE} is missing: npm ci in frontend/"
    # Evaluated through the DevTools protocol: the page's CSP refuses injected <script>s.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                resultTypes: ['violations'],
                rules: {'color-contrast': {enabled: false}},
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary),
            }));
        }"""
    )
    return violations


# --- tests --------------------------------------------------------------------------


def test_keyboard_only_sign_in_dashboard_and_a_tariff_painted_with_the_keyboard(
    live_server: LiveServer,
    page: Page,
    admin_client: httpx.Client,
    make_device: Callable[..., MeteredDevice],
) -> None:
    first = make_device()
    second = make_device()
    base = live_server.url

    # Sign in: the e-mail field has the focus; Tab to the password, Enter submits.
    page.goto(f"{base}/")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    tab_to(page, tid("login-email"))
    page.keyboard.type(ADMIN_EMAIL)
    tab_to(page, tid("login-password"))
    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("app-header")).to_be_visible()
    expect(page.get_by_test_id("site-picker")).to_contain_text("Site 1")

    # Dashboard: another site (type to search, Enter picks), then another range.
    tab_to(page, tid("site-picker"))
    page.keyboard.type("Site 2")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"site={second.site_id}"))
    expect(page.get_by_test_id("site-picker")).to_contain_text("Site 2")
    # (the preset control's first tab stop is its radiogroup, which takes no keys: its
    # radios, one tab stop each, do; an arrow moves the choice from the current preset)
    tab_to(page, f'{tid("range-preset")} input[type="radio"]')
    page.keyboard.press("ArrowRight")
    expect(page).not_to_have_url(re.compile(r"range=last7"))
    expect(page).to_have_url(re.compile(r"range=\w+"))
    chosen = re.search(r"range=(\w+)", page.url)
    assert chosen is not None

    # Settings → Rates → New tariff, through the side menu's links.
    tab_to(page, tid("nav-settings-rates"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/settings/rates")
    expect(page.get_by_test_id("tariff-new")).to_be_visible()
    tab_to(page, tid("tariff-new"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/settings/rates/new")
    # the editor's chunk may still be loading (the list stays on screen meanwhile): wait for it
    expect(page.get_by_test_id("tariff-name")).to_be_visible()

    tab_to(page, tid("tariff-name"))
    page.keyboard.type("Keyboard TOU")

    # The palette starts with peak, standard and off-peak; one more, added with the keyboard:
    # Enter opens the popover with the focus in its field, Enter adds (and chooses) it.
    palette = page.get_by_test_id("palette")
    expect(page.get_by_test_id("palette-off-peak")).to_be_visible()
    tab_to(page, tid("palette-add"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("palette-new-name")).to_be_focused()
    page.keyboard.type("shoulder")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("palette-shoulder")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("palette-add")).to_be_focused()

    status = page.get_by_test_id(f"week-grid-status-{SEASON}")

    def cell(day: str, time: str) -> Locator:
        return page.get_by_test_id(f"cell-{SEASON}-{day}-{time}")

    grid_cell = f'{tid(f"week-grid-{SEASON}")} [role="gridcell"]'

    # Choose off-peak on the palette (Shift+Tab back to it, Space), then into the grid (one
    # tab stop): the whole week off-peak.
    tab_to(page, tid("palette-off-peak"), back=True)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("palette-off-peak")).to_have_attribute("aria-pressed", "true")
    tab_to(page, grid_cell)
    expect(cell("mon", "00:00")).to_be_focused()
    page.keyboard.press("Control+a")
    # what a screen reader says before the next key (and the grid has the selection by then)
    expect(status).to_have_text(f"Selected Monday{DASH}Sunday 00:00{DASH}24:00, 336 cells")
    page.keyboard.press("Space")
    expect(status).to_have_text(f"Off-peak applied to Monday{DASH}Sunday 00:00{DASH}24:00")
    expect(cell("wed", "13:00")).to_have_attribute("data-period", "off-peak")

    # Peak, chosen on the palette, over Monday-Friday 07:00-10:00 with Enter.
    tab_to(page, tid("palette-peak"), back=True)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("palette-peak")).to_have_attribute("aria-pressed", "true")
    tab_to(page, grid_cell)  # back on the cell it left: Sunday 23:30
    expect(cell("sun", "23:30")).to_be_focused()
    page.keyboard.press("Control+Home")
    press(page, "ArrowRight", 14)
    expect(cell("mon", "07:00")).to_be_focused()
    ring = cell("mon", "07:00").evaluate("e => getComputedStyle(e).outlineStyle")
    assert ring == "solid", "the active cell shows a focus ring"
    press(page, "Shift+ArrowDown", 4)
    press(page, "Shift+ArrowRight", 5)
    expect(cell("fri", "09:30")).to_be_focused()
    expect(cell("wed", "08:00")).to_have_attribute("aria-selected", "true")
    expect(status).to_have_text(f"Selected Monday{DASH}Friday 07:00{DASH}10:00, 30 cells")
    page.keyboard.press("Enter")
    expect(status).to_have_text(f"Peak applied to Monday{DASH}Friday 07:00{DASH}10:00")
    expect(cell("tue", "07:00")).to_have_attribute("data-period", "peak")
    expect(cell("fri", "10:00")).to_have_attribute("data-period", "off-peak")

    # Shoulder over Saturday 10:00-12:00 with its number key (its place on the palette).
    buttons = palette.locator("button[aria-pressed]")
    ids = [buttons.nth(i).get_attribute("data-testid") for i in range(buttons.count())]
    key = str(ids.index("palette-shoulder") + 1)
    page.keyboard.press("ArrowDown")  # Saturday 09:30
    page.keyboard.press("ArrowRight")  # Saturday 10:00
    press(page, "Shift+ArrowRight", 3)
    expect(status).to_have_text(f"Selected Saturday 10:00{DASH}12:00, 4 cells")
    page.keyboard.press(key)
    expect(status).to_have_text(f"Shoulder applied to Saturday 10:00{DASH}12:00")
    expect(cell("sat", "11:30")).to_have_attribute("data-period", "shoulder")
    expect(cell("sun", "11:30")).to_have_attribute("data-period", "off-peak")
    expect(page.get_by_test_id("palette-shoulder")).to_have_attribute("aria-pressed", "true")

    # A rate for each period (the table's rows follow the palette), then save.
    for period, rate in RATES.items():
        tab_to(page, tid(f"rate-{SEASON}-{period}"))
        page.keyboard.type(str(rate))
    expect(page.get_by_test_id("tariff-validation")).to_have_attribute("data-state", "valid")
    tab_to(page, tid("tariff-save"), back=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{base}/settings/rates/\d+$"))
    tariff_id = int(page.url.rsplit("/", 1)[1])

    # Assign it to Site 2: type to pick the site, then the button.
    expect(page.get_by_test_id("assign-site")).to_be_visible()
    tab_to(page, tid("assign-site"))
    page.keyboard.type("Site 2")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("assign-site")).to_contain_text("Site 2")
    tab_to(page, tid("assign-tariff"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("assign-tariff")).to_have_text(re.compile("Assigned"))
    # (once the site list's closing animation is over: axe reads it as visible until then)
    expect(page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)")).to_have_count(0)
    assert axe_violations(page) == []  # the saved tariff's editor, with its site assignment

    # What was saved is what was painted, and the site has it.
    saved = admin_client.get(f"/api/tariffs/{tariff_id}").json()
    assert saved["name"] == "Keyboard TOU"
    version = saved["versions"][0]
    week = slot_map(version["periods"], SEASON)
    expected: dict[str, list[str | None]] = {}
    for d, day in enumerate(DAYS):
        slots: list[str | None] = ["off-peak"] * 48
        if d < 5:
            slots[14:20] = ["peak"] * 6  # 07:00-10:00
        if day == "sat":
            slots[20:24] = ["shoulder"] * 4  # 10:00-12:00
        expected[day] = slots
    assert week == expected
    assert {r["period"]: r["rate"] for r in version["energy_rates"]} == RATES
    assert admin_client.get(f"/api/sites/{second.site_id}").json()["tariff_id"] == tariff_id
    assert admin_client.get(f"/api/sites/{first.site_id}").json()["tariff_id"] is None


def test_the_tariff_editor_passes_an_axe_audit(
    live_server: LiveServer, page: Page, make_device: Callable[..., MeteredDevice]
) -> None:
    make_device()
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, path="/settings/rates/new")
    expect(page.get_by_test_id(f"week-grid-{SEASON}")).to_be_visible()
    expect(page.get_by_test_id("tariff-validation")).to_have_attribute("data-state", "invalid")
    assert axe_violations(page) == []

    # Everything the template fills in, holidays with an exception, blocks, two versions,
    # the windows list open.
    page.get_by_test_id("tariff-template").click()
    page.get_by_test_id("template-eskom").click()
    expect(page.get_by_test_id("tariff-validation")).to_have_attribute("data-state", "valid")
    page.get_by_test_id("add-version").click()
    expect(page.get_by_test_id("version-1-remove")).to_be_visible()
    page.get_by_test_id("version-tab-0").click()
    page.get_by_test_id("holiday-override-add").click()
    page.get_by_test_id("rate-high-peak-blocks").click()
    open_windows_list(page, "high")
    expect(page.get_by_test_id("window-row-0")).to_be_visible()
    expect(page.get_by_test_id("blocks-high-peak")).to_be_visible()
    assert axe_violations(page) == []

"""Text on the brand colour stays readable whatever the brand (issue 22), in a real Chromium.

For brand colours from white to black the test sets the brand through the API, loads the
app and measures, in the browser, the WCAG contrast between the computed colour of a text
and the computed background behind it (the first non-transparent one up the tree): the
header's product name and account menu, and the primary button.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from power_portal.settings import Settings
from tests.support.browser import log_in
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer

# Read at import: tests/conftest.py's isolation fixture removes every PORTAL_* variable
# before a test runs, so Settings alone would never see it.
STATIC_DIR = os.environ.get("PORTAL_STATIC_DIR")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, serving PORTAL_STATIC_DIR's build when one is named."""
    if not STATIC_DIR:
        return settings
    return settings.model_copy(update={"static_dir": Path(STATIC_DIR)})


BRAND_COLOURS = [
    "#ffffff",
    "#ffff00",
    "#f5f5f5",
    "#00ff00",
    "#1677ff",
    "#ff4d4f",
    "#000000",
    "#111111",
    "#7f7f7f",
    "#00bcd4",
]

# WCAG 2.x contrast of an element's text on what is painted behind it. Large text
# (24px, or 18.66px bold) needs 3:1, the rest 4.5:1.
MEASURE = """
(id) => {
  const el = document.querySelector(`[data-testid='${id}']`);
  const parse = (css) => {
    const m = css.match(/rgba?\\(([^)]+)\\)/);
    if (!m) throw new Error(`unexpected colour ${css}`);
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  let background = { r: 255, g: 255, b: 255, a: 1 };
  const layers = [];
  for (let node = el; node instanceof Element; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour.a > 0) layers.push(colour);
    if (colour.a === 1) break;
  }
  for (const layer of layers.reverse()) background = over(layer, background);
  const style = getComputedStyle(el);
  const text = over(parse(style.color), background);
  const channel = (c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const [hi, lo] = [luminance(text), luminance(background)].sort((x, y) => y - x);
  const size = parseFloat(style.fontSize);
  const bold = Number(style.fontWeight) >= 700;
  const large = size >= 24 || (bold && size >= 18.66);
  const css = (c) => `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`;
  return {
    ratio: (hi + 0.05) / (lo + 0.05),
    large,
    text: css(text),
    background: css(background),
  };
}
"""

MEASURED = ["product-name", "user-name", "branding-save"]


def measure(page: Page, test_id: str) -> dict[str, object]:
    result: dict[str, object] = page.evaluate(MEASURE, test_id)
    return result


def test_text_on_the_brand_colour_reads_for_any_brand(
    live_server: LiveServer, page: Page, admin_client: httpx.Client
) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings/branding")
    failures: list[str] = []
    report: list[str] = []
    for colour in BRAND_COLOURS:
        saved = admin_client.put(
            "/api/branding",
            json={
                "product_name": "Acme Energy",
                "primary_color": colour,
                "secondary_color": "#13c2c2",
                "theme": "light",
            },
        )
        assert saved.status_code == 200, saved.text
        page.reload()
        # the form shows the server's brand, so the theme is painted from it too
        expect(page.get_by_test_id("branding-primary-input")).to_have_value(colour)
        expect(page.get_by_test_id("product-name")).to_have_text("Acme Energy")
        # the note says what the theme did with this colour, and refuses nothing
        note = page.get_by_test_id("contrast-warning").or_(page.get_by_test_id("contrast-ok"))
        expect(note).to_be_visible()
        expect(page.get_by_test_id("branding-save")).to_be_enabled()
        # the stored brand paints first: let colour transitions to the server's brand end
        page.wait_for_function(
            "() => document.getAnimations().every((a) => !(a instanceof CSSTransition))"
        )
        for test_id in MEASURED:
            result = measure(page, test_id)
            ratio = float(str(result["ratio"]))
            needed = 3.0 if result["large"] else 4.5
            report.append(
                f"{colour} {test_id}: {result['text']} on {result['background']} = {ratio:.2f}"
            )
            if ratio < needed:
                failures.append(f"{report[-1]} < {needed}")
    print("\n".join(report))
    assert not failures, "\n".join(failures)


def test_the_form_says_what_the_theme_changed(live_server: LiveServer, page: Page) -> None:
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/settings/branding")
    page.get_by_test_id("branding-primary-input").fill("#ffff00")
    changes = page.get_by_test_id("contrast-changes")
    expect(changes).to_contain_text("The header uses #")
    expect(changes).to_contain_text("Buttons keep #ffff00 with near-black text")
    expect(page.get_by_test_id("contrast-button")).to_contain_text("passes WCAG AA")
    # the preview paints the adjusted header with readable text
    preview = measure(page, "preview-product-name")
    assert float(str(preview["ratio"])) >= 4.5, preview

"""``/api/docs`` in a real Chromium: Swagger UI renders from this server's files, with no
Content-Security-Policy violation (the page fixture fails on any console error too)."""

from __future__ import annotations

from playwright.sync_api import Page, Request, expect

from tests.support.portal import LiveServer


def test_swagger_ui_renders_with_no_csp_violation(live_server: LiveServer, page: Page) -> None:
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    requested: list[str] = []

    def remember(request: Request) -> None:
        requested.append(request.url)

    page.on("request", remember)
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Power Portal")
    # the operations are listed: the OpenAPI document was fetched and rendered
    expect(page.locator(".opblock-summary-path", has_text="/api/health").first).to_be_visible()
    page.locator(".opblock-summary", has_text="/api/health").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    assert requested, "the page loaded nothing"
    outside = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert outside == []

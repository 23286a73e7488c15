"""``/api/docs`` serves Swagger UI from this server: no CDN, no inline script, CSP 'self' only."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from power_portal.web.docs import docs_page


class _Page(HTMLParser):
    """Every URL the page loads (script src, link href), and the body of any inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_styles = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "style" in found:
            self.inline_styles += 1
        if tag == "style":
            self.inline_styles += 1
        if tag == "script":
            self._in_script = found.get("src") is None
            if found.get("src"):
                self.urls.append(str(found["src"]))
        if tag == "link" and found.get("href"):
            self.urls.append(str(found["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_the_docs_page_loads_only_same_origin_assets(client: httpx.Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = parsed(response.text)
    assert page.inline_scripts == []
    assert page.inline_styles == 0
    assert len(page.urls) == 4  # the CSS, the favicon, Swagger UI and its start-up script
    for url in page.urls:
        absolute = urljoin(str(response.url), url)
        assert urlsplit(absolute).netloc == urlsplit(str(response.url)).netloc, url
        asset = client.get(absolute)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "no-cache"
        if url.endswith(".js"):
            assert "javascript" in asset.headers["content-type"], url
    # the OpenAPI document the page points at answers too
    openapi_url = re.search(r'data-openapi-url="([^"]+)"', response.text)
    assert openapi_url is not None
    assert client.get(openapi_url.group(1)).json()["info"]["title"] == "Power Portal"


def test_swagger_ui_is_a_recent_one(client: httpx.Client) -> None:
    """Swagger UI 5 reads OpenAPI 3.1 documents (FastAPI writes 3.1)."""
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert "SwaggerUIBundle" in bundle.text
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert "OpenAPI31" in bundle.text


@pytest.mark.parametrize(
    "path", ["/api/docs", "/api/docs/assets/swagger-ui-bundle.js", "/api/docs/assets/missing.js"]
)
def test_the_docs_policy_is_this_origin_only(client: httpx.Client, path: str) -> None:
    csp = client.get(path).headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert not re.search(r"https?:|//|\*", csp), csp  # no other host, no wildcard
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"


def test_unknown_assets_are_404(client: httpx.Client) -> None:
    assert client.get("/api/docs/assets/missing.js").status_code == 404
    assert client.get("/api/docs/assets/%2e%2e/%2e%2e/docs.py").status_code == 404
    assert client.get("/api/docs/nothing-here").status_code == 404


def test_the_page_escapes_what_it_is_given() -> None:
    html = docs_page('<b>"x"</b>', "/openapi.json?a=1&b=2", "/api/docs/assets")
    assert "<b>" not in html
    assert "&quot;x&quot;" in html
    assert 'data-openapi-url="/openapi.json?a=1&amp;b=2"' in html

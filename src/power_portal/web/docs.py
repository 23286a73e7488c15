"""The interactive API docs at ``/api/docs``: Swagger UI served from this server.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script, which
needs ``'unsafe-inline'`` and a third-party host in the page's Content-Security-Policy. Here
the page is plain HTML, Swagger UI's files come from the ``fastapi-offline`` package (a
recent swagger-ui-dist, installed by the project's own dependencies) and the start-up script
is a file of ours, so the docs' policy is ``'self'`` only (``web/security.py``):

- ``GET /api/docs``: the page (no-cache);
- ``/api/docs/assets/*``: ``swagger-ui-bundle.js``, ``swagger-ui.css``, ``favicon.png`` and
  ``swagger-init.js`` (revalidated with their ETag: the names carry no version).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI, Request, status
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

DOCS_PATH = "/api/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
OWN_ASSETS = Path(__file__).resolve().parent / "docs_assets"
SWAGGER_UI_PACKAGE = ("fastapi_offline", "static")
NO_CACHE = "no-cache"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-init.js"></script>
</body>
</html>
"""


def docs_page(title: str, openapi_url: str, assets: str) -> str:
    """The page's HTML: no inline script or style, every URL on this origin."""
    return PAGE.format(title=escape(title), openapi_url=escape(openapi_url), assets=escape(assets))


class _RevalidatedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (status.HTTP_200_OK, status.HTTP_304_NOT_MODIFIED):
            response.headers["Cache-Control"] = NO_CACHE
        return response


def mount_docs(app: FastAPI) -> None:
    """Serve the docs page and its assets (create the app with ``docs_url=None``)."""
    openapi_url = app.openapi_url or "/openapi.json"
    app.mount(
        ASSETS_PATH,
        _RevalidatedStaticFiles(directory=OWN_ASSETS, packages=[SWAGGER_UI_PACKAGE]),
        name="docs-assets",
    )

    @app.get(DOCS_PATH, include_in_schema=False)
    async def api_docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = docs_page(f"{app.title} API", f"{root}{openapi_url}", f"{root}{ASSETS_PATH}")
        return HTMLResponse(page, headers={"Cache-Control": NO_CACHE})

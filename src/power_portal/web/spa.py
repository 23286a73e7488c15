"""Serves the built front end at ``/`` with a fallback for client-side routes.

- ``/assets/*`` are Vite's content-hashed files: cached for a year.
- other files at the top of the build (favicon, robots.txt) are served as-is.
- any other GET that is not under ``/api`` gets ``index.html`` (no-cache), so a
  reload on ``/settings`` works; ``/api/*`` is never swallowed: an unknown API
  path is a JSON 404.
- ``/grafana/*`` reaching the portal means Grafana is not behind this address: a
  short HTML 404 that says so (never the web app, which would nest in its own frame).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

DEFAULT_STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Power Portal</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>The portal is running, but its front end has not been built</h1>
<p>The API is up: see <a href="/api/health">/api/health</a> and
<a href="/api/docs">/api/docs</a>. Build the web app with <code>make frontend</code>
(or run <code>make run</code>, which builds it for you).</p>
</body></html>
"""


# /grafana belongs to Grafana (the reverse proxy routes it there). When a request for it
# reaches the portal, Grafana is not running behind this address: say so, rather than
# answering with the web app (which would then show up inside the Dashboards page's frame).
GRAFANA_PREFIX = "grafana"
GRAFANA_NOT_HERE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Grafana is not reachable</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Grafana is not reachable at this address</h1>
<p>The portal expects Grafana under <code>/grafana</code> on this site, served by the
reverse proxy. Start Grafana (see the README, "Grafana"), or change the base URL in
Settings &rarr; Grafana.</p>
</body></html>
"""


class _ImmutableStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == status.HTTP_200_OK:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def mount_spa(app: FastAPI, static_dir: Path | None) -> None:
    root = (static_dir or DEFAULT_STATIC_DIR).resolve()
    index = root / "index.html"
    assets = root / "assets"
    if assets.is_dir():
        app.mount("/assets", _ImmutableStaticFiles(directory=assets), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str, request: Request) -> Response:
        if path == "api" or path.startswith("api/"):
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no API route /{path}")
        if path == GRAFANA_PREFIX or path.startswith(f"{GRAFANA_PREFIX}/"):
            return HTMLResponse(
                GRAFANA_NOT_HERE_PAGE,
                status_code=status.HTTP_404_NOT_FOUND,
                headers={"Cache-Control": NO_CACHE},
            )
        if not index.is_file():
            return HTMLResponse(NOT_BUILT_PAGE, headers={"Cache-Control": NO_CACHE})
        if path:
            candidate = (root / path).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": NO_CACHE})

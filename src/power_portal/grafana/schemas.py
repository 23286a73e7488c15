"""Settings → Grafana: where Grafana is served and which dashboards the portal embeds."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from power_portal.core.schemas import RequestBody

MAX_DASHBOARDS = 20
_PATH = re.compile(r"^/[A-Za-z0-9._~\-/]*$")
ABSOLUTE_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~\-/]*)?$")
_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_SLUG = re.compile(r"^[a-z0-9-]{0,100}$")
BASE_URL_HINT = (
    "must be a path on this site like /grafana, or an http(s) URL like "
    "https://grafana.example.com (no query, no user name)"
)


def _base_url(value: str) -> str:
    value = value.strip()
    if not (_PATH.fullmatch(value) or ABSOLUTE_URL.fullmatch(value)):
        raise ValueError(BASE_URL_HINT)
    if value.startswith("/"):
        segments = value.split("/")[1:]
        if "//" in value or ".." in segments or "." in segments:
            raise ValueError(f"{BASE_URL_HINT}; '//', '.' and '..' are not allowed")
    trimmed = value.rstrip("/")
    if not trimmed:
        raise ValueError(
            "Grafana cannot be served at the portal's own root: use a path like /grafana"
        )
    return trimmed


def _printable(value: str) -> str:
    if re.search(r"[\x00-\x1f\x7f]", value):
        raise ValueError("must not contain control characters")
    return value


def _uid(value: str) -> str:
    if not _UID.fullmatch(value):
        raise ValueError("a dashboard uid has 1 to 40 letters, digits, '-' or '_'")
    return value


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError("a slug has lower-case letters, digits and '-' only")
    return value


BaseUrl = Annotated[str, StringConstraints(max_length=500), AfterValidator(_base_url)]
Uid = Annotated[str, AfterValidator(_uid)]
Slug = Annotated[str, AfterValidator(_slug)]


class GrafanaDashboard(RequestBody):
    title: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
        AfterValidator(_printable),
    ]
    uid: Uid = Field(description="the dashboard's uid in Grafana (its URL: /d/<uid>/<slug>)")
    slug: Slug | None = Field(default=None, description="URL slug; derived from the title if empty")
    height: Annotated[int, Field(ge=200, le=5000)] | None = Field(
        default=None, description="frame height in pixels; empty: fill the window"
    )


def _unique_uids(dashboards: list[GrafanaDashboard]) -> list[GrafanaDashboard]:
    seen: dict[str, int] = {}
    for number, dashboard in enumerate(dashboards, start=1):
        if dashboard.uid in seen:
            raise ValueError(
                f"uid {dashboard.uid!r} is listed twice (dashboards {seen[dashboard.uid]} "
                f"and {number})"
            )
        seen[dashboard.uid] = number
    return dashboards


class GrafanaSettingsUpdate(RequestBody):
    base_url: BaseUrl | None = Field(
        description="where Grafana is served: a same-origin path (/grafana) or an http(s) URL; "
        "null turns the Dashboards page off"
    )
    dashboards: Annotated[
        list[GrafanaDashboard],
        Field(max_length=MAX_DASHBOARDS),
        AfterValidator(_unique_uids),
    ] = []


class GrafanaDashboardRead(BaseModel):
    title: str
    uid: str
    slug: str
    height: int | None = None


class GrafanaSettingsRead(BaseModel):
    base_url: str | None
    dashboards: list[GrafanaDashboardRead]
    configured: bool = Field(description="a base URL and at least one dashboard")
    saved: bool = Field(description="false: nothing saved yet, these are the defaults")
    provisioned: list[GrafanaDashboardRead] = Field(
        description="the dashboards `portal grafana provision` writes in this run mode"
    )

"""Reading and saving the Grafana settings (one row; the environment supplies the defaults)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.grafana.models import GrafanaSettings
from power_portal.grafana.provisioning import provisioned_dashboards, slugify
from power_portal.grafana.schemas import (
    ABSOLUTE_URL,
    GrafanaDashboardRead,
    GrafanaSettingsRead,
    GrafanaSettingsUpdate,
)
from power_portal.settings import Settings

log = structlog.get_logger(__name__)


def frame_origins(settings: Settings) -> list[str]:
    """The origin of an absolute PORTAL_GRAFANA_URL, for the CSP's frame-src (same-origin
    Grafana needs nothing: frame-src 'self' covers /grafana)."""
    url = (settings.grafana_url or "").strip()
    if not ABSOLUTE_URL.fullmatch(url):
        return []
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"]


def provisioned(settings: Settings) -> list[GrafanaDashboardRead]:
    return [
        GrafanaDashboardRead(title=d.title, uid=d.uid, slug=d.slug)
        for d in provisioned_dashboards(settings.run_mode)
    ]


def _dashboard(stored: dict[str, Any]) -> GrafanaDashboardRead:
    title = str(stored["title"])
    return GrafanaDashboardRead(
        title=title,
        uid=str(stored["uid"]),
        slug=stored.get("slug") or slugify(title),
        height=stored.get("height"),
    )


def to_read(row: GrafanaSettings | None, settings: Settings) -> GrafanaSettingsRead:
    """The saved settings; unsaved, PORTAL_GRAFANA_URL with the provisioned dashboards."""
    defaults = provisioned(settings)
    if row is None:
        base_url = settings.grafana_url.rstrip("/") if settings.grafana_url else None
        dashboards = defaults if base_url else []
    else:
        base_url = row.base_url
        dashboards = [_dashboard(d) for d in row.dashboards]
    return GrafanaSettingsRead(
        base_url=base_url,
        dashboards=dashboards,
        configured=bool(base_url and dashboards),
        saved=row is not None,
        provisioned=defaults,
    )


async def get(db: AsyncSession, settings: Settings) -> GrafanaSettingsRead:
    return to_read(await db.get(GrafanaSettings, 1), settings)


async def update(
    db: AsyncSession, settings: Settings, data: GrafanaSettingsUpdate
) -> GrafanaSettingsRead:
    row = await db.get(GrafanaSettings, 1, with_for_update=True)
    if row is None:
        row = GrafanaSettings(id=1)
        db.add(row)
    row.base_url = data.base_url
    row.dashboards = [
        {**d.model_dump(), "slug": d.slug or slugify(d.title)} for d in data.dashboards
    ]
    await db.commit()
    log.info("grafana.settings_updated", base_url=data.base_url, dashboards=len(data.dashboards))
    return to_read(row, settings)

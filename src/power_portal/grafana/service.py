"""Reading and saving the Grafana settings (one row; the environment supplies the defaults)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.grafana import repository
from power_portal.grafana.models import DashboardLink, GrafanaSettings
from power_portal.grafana.provisioning import DashboardInfo, provisioned_dashboards, slugify
from power_portal.grafana.schemas import ABSOLUTE_URL, GrafanaSettingsUpdate
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


@dataclass(frozen=True)
class GrafanaView:
    """What the Dashboards page embeds: the saved settings, or (nothing saved yet)
    PORTAL_GRAFANA_URL with the provisioned dashboards."""

    base_url: str | None
    dashboards: Sequence[DashboardLink | DashboardInfo]
    saved: bool
    provisioned: Sequence[DashboardInfo]

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.dashboards)


def _view(row: GrafanaSettings | None, settings: Settings) -> GrafanaView:
    provisioned = provisioned_dashboards(settings.run_mode)
    if row is not None:
        return GrafanaView(row.base_url, row.links, saved=True, provisioned=provisioned)
    base_url = settings.grafana_url.rstrip("/") if settings.grafana_url else None
    dashboards = provisioned if base_url else []
    return GrafanaView(base_url, dashboards, saved=False, provisioned=provisioned)


async def get(db: AsyncSession, settings: Settings) -> GrafanaView:
    return _view(await repository.get(db), settings)


async def update(db: AsyncSession, settings: Settings, data: GrafanaSettingsUpdate) -> GrafanaView:
    row = await repository.get(db, for_update=True)
    if row is None:
        row = GrafanaSettings(id=1)
        db.add(row)
    row.base_url = data.base_url
    row.dashboards = [
        {**d.model_dump(), "slug": d.slug or slugify(d.title)} for d in data.dashboards
    ]
    await db.flush()
    log.info("grafana.settings_updated", base_url=data.base_url, dashboards=len(data.dashboards))
    return _view(row, settings)

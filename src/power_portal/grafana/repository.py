"""The Grafana settings' single row (id 1)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.grafana.models import GrafanaSettings


async def get(db: AsyncSession, *, for_update: bool = False) -> GrafanaSettings | None:
    return await db.get(GrafanaSettings, 1, with_for_update=for_update)

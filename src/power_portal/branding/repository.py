"""The brand's single row (id 1)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.branding.models import Branding


async def get(db: AsyncSession, *, for_update: bool = False) -> Branding | None:
    return await db.get(Branding, 1, with_for_update=for_update)

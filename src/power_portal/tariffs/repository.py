"""Tariff queries: tariffs with how many sites use them, one tariff, its users.

Sites point at tariffs (``app.sites.tariff_id``), and sites sit above tariffs in the
layers: the two questions tariffs ask of that column (how many use me?) read it through
a table stub here, never by importing the sites package.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import with_expression

from power_portal.tariffs.models import Tariff

_sites = table("sites", column("tariff_id"), schema="app")


async def list_with_site_counts(db: AsyncSession) -> Sequence[Tariff]:
    """Every tariff by name, each with ``site_count`` filled in."""
    counts = (
        select(_sites.c.tariff_id, func.count().label("n")).group_by(_sites.c.tariff_id).subquery()
    )
    query = (
        select(Tariff)
        .outerjoin(counts, counts.c.tariff_id == Tariff.id)
        .options(with_expression(Tariff.site_count, func.coalesce(counts.c.n, 0)))
        .order_by(Tariff.name, Tariff.id)
    )
    return (await db.execute(query)).scalars().all()


async def get(db: AsyncSession, tariff_id: int) -> Tariff | None:
    return await db.get(Tariff, tariff_id)


async def count_sites_using(db: AsyncSession, tariff_id: int) -> int:
    query = select(func.count()).select_from(_sites).where(_sites.c.tariff_id == tariff_id)
    return int((await db.execute(query)).scalar_one())

"""The demo site in the database: is it there, and creating it with its meters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.demo.data import (
    DEMO_ADDRESS,
    DEMO_DEVICES,
    DEMO_MODEL,
    DEMO_SITE_NAME,
    DEMO_UTILITY,
)
from power_portal.measurements.load_profile import DEMO_TIMEZONE
from power_portal.sites import repository as sites_repository
from power_portal.sites import service as sites_service
from power_portal.sites.schemas import DeviceCreate, SiteCreate


@dataclass(frozen=True)
class DemoState:
    sites: int
    loaded: bool


async def demo_state(db: AsyncSession) -> DemoState:
    """How many sites there are, and whether the demo site is one of them."""
    return DemoState(
        sites=await sites_repository.count_sites(db),
        loaded=await sites_repository.site_named(db, DEMO_SITE_NAME) is not None,
    )


async def create_demo_site(db: AsyncSession) -> list[int]:
    """The demo site and its meters (``DEMO_DEVICES``' order); their ids."""
    site = await sites_service.create_site(
        db,
        SiteCreate(
            name=DEMO_SITE_NAME, timezone=DEMO_TIMEZONE, utility=DEMO_UTILITY, address=DEMO_ADDRESS
        ),
    )
    devices = [
        await sites_service.create_device(
            db, site.id, DeviceCreate(name=profile.name, serial=profile.serial, model=DEMO_MODEL)
        )
        for profile in DEMO_DEVICES
    ]
    return [device.id for device in devices]

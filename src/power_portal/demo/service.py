"""The demo site in the database: is it there, and creating it with its metering tree, its
virtual meters and its time-of-use tariff."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.demo.data import (
    DEMO_ADDRESS,
    DEMO_METERS,
    DEMO_MODEL,
    DEMO_SITE_NAME,
    DEMO_UTILITY,
    DEMO_VIRTUAL_METERS,
    demo_tariff,
)
from power_portal.measurements.load_profile import DEMO_TIMEZONE
from power_portal.sites import repository as sites_repository
from power_portal.sites import service as sites_service
from power_portal.sites.schemas import DeviceCreate, SiteCreate
from power_portal.tariffs import service as tariffs_service
from power_portal.tariffs.schemas import TariffIn
from power_portal.virtual_meters import service as virtual_meters_service
from power_portal.virtual_meters.schemas import TermIn, VirtualMeterWrite


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


async def create_demo_site(db: AsyncSession) -> dict[str, int]:
    """The demo site with its tariff, its meters (a tree under the incomer) and its virtual
    meters; the meters' ids by name."""
    tariff = await tariffs_service.create_tariff(db, TariffIn.model_validate(demo_tariff()))
    site = await sites_service.create_site(
        db,
        SiteCreate(
            name=DEMO_SITE_NAME,
            timezone=DEMO_TIMEZONE,
            utility=DEMO_UTILITY,
            address=DEMO_ADDRESS,
            tariff_id=tariff.id,
        ),
    )
    ids: dict[str, int] = {}
    for meter in DEMO_METERS:  # a parent comes before its children
        parent_id = None if meter.parent is None else ids[meter.parent]
        device = await sites_service.create_device(
            db,
            site.id,
            DeviceCreate(
                name=meter.name,
                serial=meter.serial,
                model=DEMO_MODEL,
                parent_id=parent_id,
                role=meter.role,
            ),
        )
        ids[meter.name] = device.id
    for name, terms in DEMO_VIRTUAL_METERS:
        formula = [TermIn(sign=sign, device_id=ids[meter]) for sign, meter in terms]
        await virtual_meters_service.create_meter(
            db, site.id, VirtualMeterWrite(name=name, terms=formula)
        )
    return ids

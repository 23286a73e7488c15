"""Path-object dependencies: the site or device a route names, loaded once (404 when absent)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import PathId
from power_portal.sites import service
from power_portal.sites.models import Device, Site


async def get_site(site_id: PathId, db: SessionDep) -> Site:
    return await service.get_site(db, site_id)


async def get_device(device_id: PathId, db: SessionDep) -> Device:
    return await service.get_device(db, device_id)


SiteDep = Annotated[Site, Depends(get_site)]
DeviceDep = Annotated[Device, Depends(get_device)]

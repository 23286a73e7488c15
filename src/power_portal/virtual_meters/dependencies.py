"""Path-object dependencies: the virtual meter a route names (404 when absent)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import PathId
from power_portal.virtual_meters import service
from power_portal.virtual_meters.models import VirtualMeter


async def get_virtual_meter(meter_id: PathId, db: SessionDep) -> VirtualMeter:
    return await service.get_meter(db, meter_id)


VirtualMeterDep = Annotated[VirtualMeter, Depends(get_virtual_meter)]

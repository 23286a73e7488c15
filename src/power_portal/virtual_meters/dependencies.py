"""Path-object dependencies: the virtual meter a route names (404 when absent; for a tenant
user's reading, also when its tenant never held it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from power_portal.auth.dependencies import ReaderUser, check_tenant_reads_meter
from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import PathId
from power_portal.virtual_meters import service
from power_portal.virtual_meters.models import VirtualMeter


async def get_virtual_meter(meter_id: PathId, db: SessionDep) -> VirtualMeter:
    return await service.get_meter(db, meter_id)


async def get_readable_virtual_meter(
    meter_id: PathId, reader: ReaderUser, db: SessionDep
) -> VirtualMeter:
    """The virtual meter of a reading route. A tenant user: only one its tenant holds or held
    (else 404); row-level security limits the readings to the instants held."""
    await check_tenant_reads_meter(db, reader, virtual_meter_id=meter_id)
    return await service.get_meter(db, meter_id)


VirtualMeterDep = Annotated[VirtualMeter, Depends(get_virtual_meter)]
ReadableVirtualMeterDep = Annotated[VirtualMeter, Depends(get_readable_virtual_meter)]

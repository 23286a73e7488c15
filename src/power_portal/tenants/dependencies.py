"""Path-object dependencies: the tenant or meter assignment a route names (404 when absent),
and a bill's month.

Every route that reads one tenant loads it through ``TenantDep``: the one place to scope
what a caller may see (a tenant user: its own tenant only, else 404).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from power_portal.auth.dependencies import AdminOrTenantUser, TenantUser
from power_portal.core.deps import SessionDep
from power_portal.core.errors import NotFoundError
from power_portal.core.request_checks import PathId, check_label
from power_portal.tenants import service
from power_portal.tenants.models import Tenant, TenantMeter
from power_portal.tenants.schemas import MONTH_PATTERN, Month


def month_query(
    month: Annotated[str, Query(pattern=MONTH_PATTERN, examples=["2026-06"])],
) -> Month:
    check_label("month", month)  # the month, the one after it and their instants must exist
    year, number = int(month[:4]), int(month[5:7])
    following = date(year + number // 12, number % 12 + 1, 1)
    return Month(month, date(year, number, 1), following)


async def get_tenant(tenant_id: PathId, reader: AdminOrTenantUser, db: SessionDep) -> Tenant:
    """The tenant; a tenant user gets its own only (another's is a 404, as if absent)."""
    if reader.tenant_id is not None and reader.tenant_id != tenant_id:
        raise NotFoundError(f"no tenant with id {tenant_id}")
    return await service.get_tenant(db, tenant_id)


async def get_own_tenant(user: TenantUser, db: SessionDep) -> Tenant:
    """A tenant user's own tenant."""
    return await service.get_tenant(db, user.tenant_id or 0)


async def get_assignment(assignment_id: PathId, db: SessionDep) -> TenantMeter:
    return await service.get_assignment(db, assignment_id)


TenantDep = Annotated[Tenant, Depends(get_tenant)]
OwnTenantDep = Annotated[Tenant, Depends(get_own_tenant)]
AssignmentDep = Annotated[TenantMeter, Depends(get_assignment)]
MonthDep = Annotated[Month, Depends(month_query)]

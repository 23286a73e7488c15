"""Routes of tenants: their CRUD under a site, the meters they hold over time, their bills
(JSON, CSV and Excel), their energy (Excel), every tenant's bill of a site's month and the
site's reconciliation (JSON and Excel).

Admin-only, but a tenant user (docs/api/tenants.md, "Tenant users") may read its own tenant
(``GET /api/me/tenant``, ``GET /api/tenants/{its id}``) and its bills. Routes with a body
take the path id and let the service load the row,
so an invalid body is a 422 before a missing row is a 404; the others load the tenant through
``TenantDep`` (the one place that scopes which tenant a caller may see).
"""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminOrTenantUser, AdminUser
from power_portal.core.deps import SessionDep
from power_portal.core.exports import CsvFile
from power_portal.core.request_checks import PathId
from power_portal.core.responses import BODY, CONFLICT, ProblemDetail, Responses, not_found
from power_portal.core.scope import unscoped
from power_portal.core.xlsx import XLSX_RESPONSE, xlsx_response
from power_portal.measurements.schemas import Interval
from power_portal.sites.dependencies import ReadingSpan, SiteDep
from power_portal.tenants import bills, energy, exports, service
from power_portal.tenants.dependencies import AssignmentDep, MonthDep, OwnTenantDep, TenantDep
from power_portal.tenants.schemas import (
    AssignmentRead,
    AssignmentUpdate,
    AssignmentWrite,
    Reconciliation,
    TenantBill,
    TenantRead,
    TenantUpdate,
    TenantWithMeters,
    TenantWrite,
)

router = APIRouter(prefix="/api", tags=["tenants"], responses=AUTH_RESPONSES)

SITE_404 = not_found("site")
TENANT_404 = not_found("tenant")
ASSIGNMENT_404 = not_found("tenant meter assignment")
NO_BILL: Responses = {
    409: {"model": ProblemDetail, "description": "No tariff, or no version for the month"}
}
CSV_RESPONSE: Responses = {200: {"content": {"text/csv": {}}}}


def _csv(file: CsvFile) -> Response:
    return Response(
        file.text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


# ---------------------------------------------------------------- tenants


@router.get("/sites/{site_id}/tenants", responses=SITE_404)
async def list_tenants(_: AdminUser, site: SiteDep, db: SessionDep) -> list[TenantRead]:
    return await service.list_tenants(db, site)


@router.post(
    "/sites/{site_id}/tenants",
    status_code=status.HTTP_201_CREATED,
    summary="A tenant (or department / cost centre) of the site and its recharge rule",
    responses={**SITE_404, **BODY},
)
async def create_tenant(
    site_id: PathId, body: TenantWrite, _: AdminUser, db: SessionDep
) -> TenantRead:
    return await service.create_tenant(db, site_id, body)


@router.get("/tenants/{tenant_id}", responses=TENANT_404)
async def get_tenant(_: AdminOrTenantUser, tenant: TenantDep) -> TenantRead:
    return service.read_tenant(tenant)


@router.get(
    "/me/tenant",
    summary="A tenant user's own tenant with the meters it holds and held, newest first",
    responses={403: {"model": ProblemDetail, "description": "Not a tenant user"}},
)
async def my_tenant(tenant: OwnTenantDep, db: SessionDep) -> TenantWithMeters:
    return TenantWithMeters(
        **service.read_tenant(tenant).model_dump(),
        meters=await service.list_assignments(db, tenant),
    )


@router.patch(
    "/tenants/{tenant_id}",
    summary="Change the fields given; a rule given replaces the rule whole",
    responses={**TENANT_404, **BODY},
)
async def update_tenant(
    tenant_id: PathId, body: TenantUpdate, _: AdminUser, db: SessionDep
) -> TenantRead:
    return await service.update_tenant(db, tenant_id, body)


@router.delete(
    "/tenants/{tenant_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a tenant without meter assignments",
    responses={**TENANT_404, **CONFLICT},
)
async def delete_tenant(_: AdminUser, tenant: TenantDep, db: SessionDep) -> None:
    await service.delete_tenant(db, tenant)


# ---------------------------------------------------------------- meters over time


@router.get(
    "/tenants/{tenant_id}/meters",
    summary="The meters the tenant holds and held, newest first",
    responses=TENANT_404,
)
async def list_tenant_meters(
    _: AdminUser, tenant: TenantDep, db: SessionDep
) -> list[AssignmentRead]:
    return await service.list_assignments(db, tenant)


@router.post(
    "/tenants/{tenant_id}/meters",
    status_code=status.HTTP_201_CREATED,
    summary="Assign a device or virtual meter of the site from an instant (end exclusive)",
    responses={**TENANT_404, **BODY},
)
async def create_tenant_meter(
    tenant_id: PathId, body: AssignmentWrite, _: AdminUser, db: SessionDep
) -> AssignmentRead:
    return await service.create_assignment(db, tenant_id, body)


@router.patch(
    "/tenant-meters/{assignment_id}",
    summary="Move an assignment's start or end (a meter moving out: set its end)",
    responses={**ASSIGNMENT_404, **BODY},
)
async def update_tenant_meter(
    assignment_id: PathId, body: AssignmentUpdate, _: AdminUser, db: SessionDep
) -> AssignmentRead:
    return await service.update_assignment(db, assignment_id, body)


@router.delete(
    "/tenant-meters/{assignment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ASSIGNMENT_404,
)
async def delete_tenant_meter(_: AdminUser, assignment: AssignmentDep, db: SessionDep) -> None:
    await service.delete_assignment(db, assignment)


# ---------------------------------------------------------------- bills


@router.get(
    "/tenants/{tenant_id}/bill",
    summary="The tenant's bill of a calendar month under its recharge rule",
    responses={**TENANT_404, **NO_BILL},
)
async def tenant_bill(
    _: AdminOrTenantUser, month: MonthDep, tenant: TenantDep, db: SessionDep
) -> TenantBill:
    # TenantDep let a tenant user through to its own tenant only; its bill needs the site's
    # totals (the peak, the other meters), which its scoped session cannot see: unscoped.
    async with unscoped(db):
        return await bills.tenant_bill(db, tenant, month)


@router.get(
    "/tenants/{tenant_id}/bill.csv",
    summary="The same bill as CSV",
    response_class=Response,
    responses={**CSV_RESPONSE, **TENANT_404, **NO_BILL},
)
async def tenant_bill_csv(
    _: AdminOrTenantUser, month: MonthDep, tenant: TenantDep, db: SessionDep
) -> Response:
    async with unscoped(db):  # as tenant_bill
        return _csv(await bills.tenant_bill_csv(db, tenant, month))


@router.get(
    "/tenants/{tenant_id}/bill.xlsx",
    summary="The same bill as an Excel workbook: its lines (bill.csv) and its meters",
    response_class=Response,
    responses={**XLSX_RESPONSE, **TENANT_404, **NO_BILL},
)
async def tenant_bill_xlsx(
    _: AdminOrTenantUser, month: MonthDep, tenant: TenantDep, db: SessionDep
) -> Response:
    async with unscoped(db):  # as tenant_bill
        return xlsx_response(await exports.tenant_bill_xlsx(db, tenant, month))


@router.get(
    "/tenants/{tenant_id}/energy.xlsx",
    summary="The tenant's energy per bucket as an Excel workbook, a column per meter it held "
    "(each only while held)",
    response_class=Response,
    responses={**XLSX_RESPONSE, **TENANT_404},
)
async def tenant_energy_xlsx(
    _: AdminOrTenantUser,
    span: ReadingSpan,
    tenant: TenantDep,
    db: SessionDep,
    interval: Interval = Interval.DAY,
) -> Response:
    # as tenant_bill: the service clips each meter to the instants held itself, and a virtual
    # meter's terms may name meters the scoped session cannot see
    async with unscoped(db):
        return xlsx_response(await energy.tenant_energy_xlsx(db, tenant, span, interval))


@router.get(
    "/sites/{site_id}/tenant-bills",
    summary="Every tenant's bill of the site's month, computed together",
    responses={**SITE_404, **NO_BILL},
)
async def site_tenant_bills(
    _: AdminUser, month: MonthDep, site: SiteDep, db: SessionDep
) -> list[TenantBill]:
    return await bills.site_tenant_bills(db, site, month)


@router.get(
    "/sites/{site_id}/reconciliation",
    summary="The utility bill against the tenants' bills, common areas and the unmetered part",
    responses={**SITE_404, **NO_BILL},
)
async def site_reconciliation(
    _: AdminUser, month: MonthDep, site: SiteDep, db: SessionDep
) -> Reconciliation:
    return await bills.reconciliation(db, site, month)


@router.get(
    "/sites/{site_id}/reconciliation.xlsx",
    summary="The same reconciliation as an Excel workbook",
    response_class=Response,
    responses={**XLSX_RESPONSE, **SITE_404, **NO_BILL},
)
async def site_reconciliation_xlsx(
    _: AdminUser, month: MonthDep, site: SiteDep, db: SessionDep
) -> Response:
    return xlsx_response(await exports.reconciliation_xlsx(db, site, month))

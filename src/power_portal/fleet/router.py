from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from sqlalchemy import func, select

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ViewerUser
from power_portal.auth.throttle import check_token_throttle, record_token_failure
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.request_checks import check_span, read_limited
from power_portal.core.responses import BODY, ProblemDetail, Responses, not_found
from power_portal.core.schemas import Timezone
from power_portal.fleet import customers as customers_service
from power_portal.fleet.ingest import (
    MalformedBatchError,
    RateLimiter,
    ingest_batch,
    parse_items,
    record_refusal,
)
from power_portal.fleet.models import FleetDevice, FleetSite, IngestEvent, fleet_power_measurements
from power_portal.fleet.schemas import (
    BatchType,
    CustomerCreate,
    CustomerRead,
    CustomerWithToken,
    FleetDeviceRead,
    FleetIngestResult,
    FleetSiteRead,
    IngestEventRead,
)
from power_portal.measurements import queries
from power_portal.measurements.router import MAX_SPAN_DAYS
from power_portal.measurements.schemas import EnergyResponse, Interval
from power_portal.system.metrics import record_ingest

ingest_router = APIRouter(prefix="/api/fleet", tags=["fleet"])
router = APIRouter(prefix="/api/fleet", tags=["fleet"], responses=AUTH_RESPONSES)

CUSTOMER_404 = not_found("customer")
INGEST_RESPONSES: Responses = {
    400: {"model": ProblemDetail, "description": "Unknown batch type or malformed body"},
    401: {"model": ProblemDetail, "description": "Unknown or deactivated customer token"},
    413: {"model": ProblemDetail, "description": "Too large: halve the batch and retry"},
    415: {"model": ProblemDetail, "description": "A compressed body (Content-Encoding)"},
    429: {
        "model": ProblemDetail,
        "description": "Too many batches, or too many unknown tokens from this address: "
        "wait Retry-After seconds",
    },
}


@ingest_router.post(
    "/ingest",
    response_model=FleetIngestResult,
    operation_id="fleetIngest",
    summary="A customer stack pushes sites, devices or measurements (customer-token auth)",
    responses=INGEST_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["items"],
                        "properties": {"items": {"type": "array", "items": {"type": "object"}}},
                    }
                }
            },
        }
    },
)
async def fleet_ingest(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    x_customer_token: Annotated[str | None, Header()] = None,
    x_batch_type: Annotated[str | None, Header()] = None,
    x_push_cursor: Annotated[str | None, Header()] = None,
) -> FleetIngestResult:
    if x_customer_token:
        check_token_throttle(request)
    customer = (
        await customers_service.customer_for_token(db, x_customer_token)
        if x_customer_token
        else None
    )
    kind = x_batch_type or ""
    if x_customer_token and customer is None:
        record_token_failure(request)
    if customer is None or not customer.active:
        # a deactivated customer's refusals are recorded against it, so its page shows them
        await record_refusal(
            db,
            customer.id if customer else None,
            kind,
            401,
            "unknown or deactivated customer token",
        )
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail="unknown or deactivated customer token"
        )
    customer_id = customer.id
    try:
        batch_type = BatchType(kind)
    except ValueError:
        await record_refusal(db, customer_id, kind, 400, f"unknown batch type {kind!r}")
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail=f"X-Batch-Type must be sites, devices or measurements, not {kind!r}",
        ) from None
    limiter: RateLimiter = request.app.state.fleet_rate_limiter
    wait = limiter.retry_after(customer_id)
    if wait:
        await record_refusal(db, customer_id, kind, 429, f"rate limited for {wait} s")
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"too many batches: retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    try:
        body = await read_limited(request, settings.fleet_admin.max_body_bytes)
    except HTTPException as exc:
        await record_refusal(db, customer_id, kind, exc.status_code, str(exc.detail))
        raise
    try:
        items = parse_items(body)
    except MalformedBatchError as exc:
        await record_refusal(db, customer_id, kind, 400, str(exc), len(body), x_push_cursor)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from exc
    result = await ingest_batch(
        db, customer, batch_type, items, body_bytes=len(body), cursor=x_push_cursor
    )
    record_ingest(request, "fleet", result.accepted, result.duplicates, result.rejected)
    return result


@router.get("/customers", response_model=list[CustomerRead], operation_id="listCustomers")
async def list_customers(_: ViewerUser, db: SessionDep) -> list[CustomerRead]:
    return await customers_service.list_customers(db)


@router.post(
    "/customers",
    response_model=CustomerWithToken,
    status_code=status.HTTP_201_CREATED,
    operation_id="createCustomer",
    summary="Register a customer stack; its push token is shown this once",
    responses=BODY,
)
async def create_customer(body: CustomerCreate, _: AdminUser, db: SessionDep) -> CustomerWithToken:
    customer, token = await customers_service.create_customer(db, body)
    read = await customers_service.describe(db, customer)
    return CustomerWithToken(**read.model_dump(), token=token)


@router.get(
    "/customers/{code}",
    response_model=CustomerRead,
    operation_id="getCustomer",
    responses=CUSTOMER_404,
)
async def get_customer(code: str, _: ViewerUser, db: SessionDep) -> CustomerRead:
    return await customers_service.describe(db, await customers_service.get_by_code(db, code))


@router.post(
    "/customers/{code}/rotate-token",
    response_model=CustomerWithToken,
    operation_id="rotateCustomerToken",
    summary="A new token (the old one stops working at once)",
    responses=CUSTOMER_404,
)
async def rotate_token(code: str, _: AdminUser, db: SessionDep) -> CustomerWithToken:
    customer, token = await customers_service.rotate_token(db, code)
    read = await customers_service.describe(db, customer)
    return CustomerWithToken(**read.model_dump(), token=token)


@router.post(
    "/customers/{code}/deactivate",
    response_model=CustomerRead,
    operation_id="deactivateCustomer",
    responses=CUSTOMER_404,
)
async def deactivate(code: str, _: AdminUser, db: SessionDep) -> CustomerRead:
    customer = await customers_service.set_active(db, code, False)
    return await customers_service.describe(db, customer)


@router.post(
    "/customers/{code}/activate",
    response_model=CustomerRead,
    operation_id="activateCustomer",
    responses=CUSTOMER_404,
)
async def activate(code: str, _: AdminUser, db: SessionDep) -> CustomerRead:
    customer = await customers_service.set_active(db, code, True)
    return await customers_service.describe(db, customer)


@router.get(
    "/customers/{code}/events",
    response_model=list[IngestEventRead],
    operation_id="customerIngestEvents",
    responses=CUSTOMER_404,
)
async def customer_events(
    code: str,
    _: ViewerUser,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[IngestEventRead]:
    customer = await customers_service.get_by_code(db, code)
    events = await db.execute(
        select(IngestEvent)
        .where(IngestEvent.customer_id == customer.id)
        .order_by(IngestEvent.id.desc())
        .limit(limit)
    )
    return [IngestEventRead.model_validate(e) for e in events.scalars()]


@router.get(
    "/customers/{code}/sites",
    response_model=list[FleetSiteRead],
    operation_id="customerSites",
    responses=CUSTOMER_404,
)
async def customer_sites(code: str, _: ViewerUser, db: SessionDep) -> list[FleetSiteRead]:
    customer = await customers_service.get_by_code(db, code)
    sites = (
        (
            await db.execute(
                select(FleetSite).where(FleetSite.customer_id == customer.id).order_by(FleetSite.id)
            )
        )
        .scalars()
        .all()
    )
    last = (
        select(
            fleet_power_measurements.c.device_id,
            func.max(fleet_power_measurements.c.time).label("last"),
        )
        .where(fleet_power_measurements.c.customer_id == customer.id)
        .group_by(fleet_power_measurements.c.device_id)
        .subquery()
    )
    devices = (
        await db.execute(
            select(FleetDevice, last.c.last)
            .outerjoin(last, last.c.device_id == FleetDevice.id)
            .where(FleetDevice.customer_id == customer.id)
            .order_by(FleetDevice.id)
        )
    ).all()
    result = []
    for site in sites:
        read = FleetSiteRead.model_validate(site)
        for device, last_time in devices:
            if device.site_id == site.id:
                device_read = FleetDeviceRead.model_validate(device)
                device_read.last_reading_at = last_time
                read.devices.append(device_read)
        result.append(read)
    return result


@router.get(
    "/customers/{code}/energy",
    response_model=EnergyResponse,
    operation_id="customerEnergy",
    summary="Energy of all the customer's devices (UTC buckets unless timezone is given)",
    responses=CUSTOMER_404,
)
async def customer_energy(
    code: str,
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
    _: ViewerUser,
    db: SessionDep,
    interval: Interval = Interval.DAY,
    timezone: Annotated[Timezone | None, Query()] = None,
) -> EnergyResponse:
    check_span(start, end, MAX_SPAN_DAYS)
    customer = await customers_service.get_by_code(db, code)
    return await queries.energy(
        db,
        [],
        start,
        end,
        interval,
        timezone or "UTC",
        table="fleet.rollup_15m",
        series_filter="customer_id = :customer_id",
        filter_params={"customer_id": customer.id},
    )


@router.get(
    "/energy",
    response_model=EnergyResponse,
    operation_id="fleetEnergy",
    summary="Energy of the whole fleet (UTC buckets unless timezone is given)",
)
async def fleet_energy(
    start: Annotated[date, Query()],
    end: Annotated[date, Query()],
    _: ViewerUser,
    db: SessionDep,
    interval: Interval = Interval.DAY,
    timezone: Annotated[Timezone | None, Query()] = None,
) -> EnergyResponse:
    check_span(start, end, MAX_SPAN_DAYS)
    return await queries.energy(
        db,
        [],
        start,
        end,
        interval,
        timezone or "UTC",
        table="fleet.rollup_15m",
        series_filter="TRUE",
    )

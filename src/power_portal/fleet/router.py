"""``/api/fleet``: the ingest customer stacks push to and the customers' pages (admin
mode), and where this stack's own push stands (client mode)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ViewerUser
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.metrics import record_ingest
from power_portal.core.request_checks import DateSpan, date_span
from power_portal.core.responses import BODY, ProblemDetail, Responses, not_found
from power_portal.core.schemas import Timezone
from power_portal.fleet import service
from power_portal.fleet.dependencies import CustomerDep, PushedBatchDep
from power_portal.fleet.models import Customer, FleetSite, IngestEvent, PushState
from power_portal.fleet.schemas import (
    CustomerCreate,
    CustomerRead,
    CustomerWithToken,
    FleetIngestResult,
    FleetSiteRead,
    IngestEventRead,
    PushStateRead,
)
from power_portal.measurements.repository import MAX_SPAN_DAYS
from power_portal.measurements.schemas import EnergyResponse, Interval

# Admin mode: the customer-token ingest, and the customers' pages (a user session).
ingest_router = APIRouter(prefix="/api/fleet", tags=["fleet"])
router = APIRouter(prefix="/api/fleet", tags=["fleet"], responses=AUTH_RESPONSES)
# Every mode: where this stack's push stands (empty unless it pushes, in client mode).
push_state_router = APIRouter(prefix="/api/fleet", tags=["fleet"], responses=AUTH_RESPONSES)

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
_BATCH_SCHEMA = {
    "type": "object",
    "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"type": "object"}}},
}
EnergySpan = Annotated[DateSpan, Depends(date_span(MAX_SPAN_DAYS))]


@ingest_router.post(
    "/ingest",
    summary="A customer stack pushes sites, devices or measurements (customer-token auth)",
    responses=INGEST_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _BATCH_SCHEMA}},
        }
    },
)
async def fleet_ingest(
    request: Request, batch: PushedBatchDep, db: SessionDep
) -> FleetIngestResult:
    result = await service.receive_batch(db, batch)
    record_ingest(request, "fleet", result.accepted, result.duplicates, result.rejected)
    return result


@router.get("/customers", response_model=list[CustomerRead])
async def list_customers(_: ViewerUser, db: SessionDep) -> Sequence[Customer]:
    return await service.list_customers(db)


@router.post(
    "/customers",
    status_code=status.HTTP_201_CREATED,
    summary="Register a customer stack; its push token is shown this once",
    responses=BODY,
)
async def create_customer(body: CustomerCreate, _: AdminUser, db: SessionDep) -> CustomerWithToken:
    return await service.create_customer(db, body)


@router.get("/customers/{code}", response_model=CustomerRead, responses=CUSTOMER_404)
async def get_customer(_: ViewerUser, customer: CustomerDep, db: SessionDep) -> Customer:
    return await service.overview(db, customer)


@router.post(
    "/customers/{code}/rotate-token",
    summary="A new token, working at once; the old one keeps working for the grace period "
    "(PORTAL_FLEET_ADMIN__TOKEN_GRACE_HOURS, 24 h by default)",
    responses=CUSTOMER_404,
)
async def rotate_customer_token(
    _: AdminUser, customer: CustomerDep, db: SessionDep, settings: SettingsDep
) -> CustomerWithToken:
    return await service.rotate_token(db, customer, settings.fleet_admin.token_grace)


@router.post(
    "/customers/{code}/revoke-previous-token",
    response_model=CustomerRead,
    summary="Refuse the token a rotation replaced from now on, grace or not (a leaked token)",
    responses=CUSTOMER_404,
)
async def revoke_previous_customer_token(
    _: AdminUser, customer: CustomerDep, db: SessionDep
) -> Customer:
    return await service.revoke_previous_token(db, customer)


@router.post("/customers/{code}/deactivate", response_model=CustomerRead, responses=CUSTOMER_404)
async def deactivate_customer(_: AdminUser, customer: CustomerDep, db: SessionDep) -> Customer:
    return await service.set_active(db, customer, False)


@router.post("/customers/{code}/activate", response_model=CustomerRead, responses=CUSTOMER_404)
async def activate_customer(_: AdminUser, customer: CustomerDep, db: SessionDep) -> Customer:
    return await service.set_active(db, customer, True)


@router.get(
    "/customers/{code}/events", response_model=list[IngestEventRead], responses=CUSTOMER_404
)
async def customer_ingest_events(
    _: ViewerUser,
    customer: CustomerDep,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Sequence[IngestEvent]:
    return await service.customer_events(db, customer, limit)


@router.get("/customers/{code}/sites", response_model=list[FleetSiteRead], responses=CUSTOMER_404)
async def customer_sites(
    _: ViewerUser, customer: CustomerDep, db: SessionDep
) -> Sequence[FleetSite]:
    return await service.customer_sites(db, customer)


@router.get(
    "/customers/{code}/energy",
    summary="Energy of the customer's sites: per site its supply points, all its devices "
    "when it has none (UTC buckets unless timezone is given)",
    responses=CUSTOMER_404,
)
async def customer_energy(
    _: ViewerUser,
    span: EnergySpan,
    customer: CustomerDep,
    db: SessionDep,
    interval: Interval = Interval.DAY,
    timezone: Annotated[Timezone | None, Query()] = None,
) -> EnergyResponse:
    return await service.energy(db, customer, span, interval, timezone)


@router.get(
    "/energy",
    summary="Energy of the whole fleet, each site by its supply points "
    "(UTC buckets unless timezone is given)",
)
async def fleet_energy(
    _: ViewerUser,
    span: EnergySpan,
    db: SessionDep,
    interval: Interval = Interval.DAY,
    timezone: Annotated[Timezone | None, Query()] = None,
) -> EnergyResponse:
    return await service.energy(db, None, span, interval, timezone)


@push_state_router.get(
    "/push-state",
    response_model=list[PushStateRead],
    summary="Client mode: where the push to the admin stack stands, per resource",
)
async def push_state(_: ViewerUser, db: SessionDep) -> Sequence[PushState]:
    return await service.push_states(db)

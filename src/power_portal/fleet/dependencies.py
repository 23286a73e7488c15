"""Path-object dependencies: the customer a route names (404 when absent), and a pushed
batch past its customer-token, type, rate and body-size checks (each refusal recorded)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from power_portal.auth.throttle import check_token_throttle, record_token_failure
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.request_checks import read_limited
from power_portal.core.tokens import token_digest
from power_portal.fleet import service
from power_portal.fleet.models import Customer


async def get_customer(code: str, db: SessionDep) -> Customer:
    return await service.get_by_code(db, code)


async def pushed_batch(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    x_customer_token: Annotated[str | None, Header()] = None,
    x_batch_type: Annotated[str | None, Header()] = None,
    x_push_cursor: Annotated[str | None, Header()] = None,
) -> service.PushedBatch:
    """The customer comes from the token only; the body is read within the size limit."""
    customer = None
    match: service.TokenMatch = "current"
    if x_customer_token:
        check_token_throttle(request)
        found = await service.customer_for_token(db, x_customer_token)
        if found is None or found[1] == "expired":
            record_token_failure(request)
        if found is not None:
            customer, match = found
    kind = x_batch_type or ""
    customer, batch_type = await service.admit_batch(
        db, customer, kind, request.app.state.fleet_rate_limiter, match
    )
    try:
        body = await read_limited(request, settings.fleet_admin.max_body_bytes)
    except HTTPException as exc:
        await service.record_refusal(db, customer.id, kind, exc.status_code, str(exc.detail))
        raise
    digest = token_digest(x_customer_token or "")
    return service.PushedBatch(customer, batch_type, body, x_push_cursor, digest)


CustomerDep = Annotated[Customer, Depends(get_customer)]
PushedBatchDep = Annotated[service.PushedBatch, Depends(pushed_batch)]

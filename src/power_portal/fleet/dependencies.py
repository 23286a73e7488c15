"""Path-object dependencies: the customer a route names (404 when absent), and a pushed
batch past its customer-token, type, rate and body-size checks.

A refusal that names a known customer is recorded (its audit row); one without a recognised
token (none, unknown, or throttled for guessing) writes nothing: it is counted in the
metrics and logged, sampled (``refusals.LogSampler``)."""

from __future__ import annotations

import time
from typing import Annotated

import structlog
from fastapi import Depends, Header, HTTPException, Request

from power_portal.auth.throttle import check_token_throttle, client_key, record_token_failure
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.metrics import record_anonymous_refusal
from power_portal.core.request_checks import read_limited
from power_portal.core.tokens import token_digest
from power_portal.fleet import service
from power_portal.fleet.models import Customer
from power_portal.fleet.refusals import LogSampler

log = structlog.get_logger(__name__)


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
    if not x_customer_token:
        raise _anonymous_refusal(request, "missing_token")
    try:
        check_token_throttle(request)
    except HTTPException:
        _anonymous_refusal(request, "throttled")
        raise
    found = await service.customer_for_token(db, x_customer_token)
    if found is None or found[1] == "expired":
        record_token_failure(request)
    if found is None:
        raise _anonymous_refusal(request, "unknown_token")
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


def _anonymous_refusal(request: Request, reason: str) -> service.BatchRefusedError:
    """Count a refusal without a recognised token, log it when sampled, and hand back the
    401 to raise (the same answer for every reason: nothing to learn from it)."""
    record_anonymous_refusal(request, "fleet", reason)
    sampler: LogSampler = request.app.state.fleet_refusal_log
    left_out = sampler.decide(reason, time.monotonic())
    if left_out is not None:
        log.info(
            "fleet.ingest_refused", reason=reason, client=client_key(request), left_out=left_out
        )
    return service.unknown_customer()


CustomerDep = Annotated[Customer, Depends(get_customer)]
PushedBatchDep = Annotated[service.PushedBatch, Depends(pushed_batch)]

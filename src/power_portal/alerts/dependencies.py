"""Path objects of alerts: the rule and the webhook a route names (404 when absent), and the
alert list's query."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import AwareDatetime

from power_portal.alerts import service
from power_portal.alerts.models import AlertRule, Webhook
from power_portal.alerts.schemas import AlertFilters, AlertStateFilter, Severity
from power_portal.core.deps import SessionDep
from power_portal.core.request_checks import MAX_ID, PathId, check_dates


async def get_rule(rule_id: PathId, db: SessionDep) -> AlertRule:
    return await service.get_rule(db, rule_id)


async def get_webhook(webhook_id: PathId, db: SessionDep) -> Webhook:
    return await service.get_webhook(db, webhook_id)


def alert_filters(
    state: AlertStateFilter | None = None,
    site_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    severity: Severity | None = None,
    rule_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="ids below this")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AlertFilters:
    check_dates(since=since, until=until)
    return AlertFilters(
        state=state,
        site_id=site_id,
        severity=severity,
        rule_id=rule_id,
        since=since,
        until=until,
        before=before,
        limit=limit,
    )


RuleDep = Annotated[AlertRule, Depends(get_rule)]
WebhookDep = Annotated[Webhook, Depends(get_webhook)]
AlertFiltersDep = Annotated[AlertFilters, Depends(alert_filters)]

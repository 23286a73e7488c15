"""Routes of alerts (docs/api/alerts.md): rules and their backtest (admin), alerts, their
badge and acknowledgement (viewer or admin), deliveries and the dead letters (admin), each
user's preferences, and the notification channels with their test buttons (admin)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from power_portal.alerts import service
from power_portal.alerts.dependencies import AlertFiltersDep, RuleDep, WebhookDep
from power_portal.alerts.schemas import (
    AcknowledgeRequest,
    AlertDetail,
    AlertRead,
    AlertSummary,
    BacktestRequest,
    BacktestResult,
    Channels,
    DeliveryRead,
    PreferencesRead,
    PreferencesWrite,
    RuleRead,
    RuleUpdate,
    RuleWrite,
    SmtpRead,
    SmtpTestRequest,
    SmtpWrite,
    TestResult,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
    WebhookWrite,
)
from power_portal.auth.dependencies import AUTH_RESPONSES, AdminUser, ViewerUser
from power_portal.core.deps import SessionDep, SettingsDep
from power_portal.core.request_checks import MAX_ID, PathId
from power_portal.core.responses import BODY, CONFLICT, not_found

router = APIRouter(prefix="/api", tags=["alerts"], responses=AUTH_RESPONSES)

RULE_404 = not_found("alert rule")
ALERT_404 = not_found("alert")
DELIVERY_404 = not_found("delivery")
WEBHOOK_404 = not_found("webhook")
Before = Annotated[int | None, Query(ge=1, le=MAX_ID, description="ids below this")]
Limit = Annotated[int, Query(ge=1, le=500)]

# ---------------------------------------------------------------- rules


@router.get("/alert-rules")
async def list_alert_rules(
    _: AdminUser,
    db: SessionDep,
    site_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[RuleRead]:
    return await service.list_rules(db, site_id)


@router.post("/alert-rules", status_code=status.HTTP_201_CREATED, responses=BODY)
async def create_alert_rule(body: RuleWrite, _: AdminUser, db: SessionDep) -> RuleRead:
    return await service.create_rule(db, body)


@router.post(
    "/alert-rules/backtest",
    summary="What the rule would have done over the last days (not saved)",
    responses=BODY,
)
async def backtest_alert_rule(
    body: BacktestRequest, _: AdminUser, db: SessionDep
) -> BacktestResult:
    return await service.backtest(db, body, datetime.now(UTC))


@router.get("/alert-rules/{rule_id}", responses=RULE_404)
async def get_alert_rule(_: AdminUser, rule: RuleDep, db: SessionDep) -> RuleRead:
    return await service.read_rule(db, rule)


@router.patch("/alert-rules/{rule_id}", responses={**RULE_404, **BODY})
async def update_alert_rule(
    rule_id: PathId, body: RuleUpdate, _: AdminUser, db: SessionDep
) -> RuleRead:
    return await service.update_rule(db, await service.get_rule(db, rule_id), body)


@router.delete("/alert-rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, responses=RULE_404)
async def delete_alert_rule(_: AdminUser, rule: RuleDep, db: SessionDep) -> None:
    await service.delete_rule(db, rule)


# ---------------------------------------------------------------- alerts


@router.get("/alerts")
async def list_alerts(_: ViewerUser, filters: AlertFiltersDep, db: SessionDep) -> list[AlertRead]:
    return await service.list_alerts(db, filters)


@router.get("/alerts/summary", summary="Alerts firing now (the header badge)")
async def alert_summary(_: ViewerUser, db: SessionDep) -> AlertSummary:
    return await service.summary(db)


@router.get("/alerts/{alert_id}", responses=ALERT_404)
async def get_alert(alert_id: PathId, _: ViewerUser, db: SessionDep) -> AlertDetail:
    return await service.get_alert(db, alert_id)


@router.post("/alerts/{alert_id}/acknowledge", responses={**ALERT_404, **CONFLICT, **BODY})
async def acknowledge_alert(
    alert_id: PathId, body: AcknowledgeRequest, user: ViewerUser, db: SessionDep
) -> AlertDetail:
    return await service.acknowledge(db, alert_id, user, body)


# ---------------------------------------------------------------- deliveries


@router.get("/notifications", summary="Notification deliveries (the outbox)")
async def list_notifications(
    _: AdminUser,
    db: SessionDep,
    status: Literal["pending", "sent", "dead"] | None = None,
    before: Before = None,
    limit: Limit = 100,
) -> list[DeliveryRead]:
    found = await service.list_deliveries(db, status, before, limit)
    return [DeliveryRead.model_validate(entry) for entry in found]


@router.post(
    "/notifications/{delivery_id}/retry",
    summary="Send a dead delivery again",
    responses={**DELIVERY_404, **CONFLICT},
)
async def retry_notification(delivery_id: PathId, _: AdminUser, db: SessionDep) -> DeliveryRead:
    return DeliveryRead.model_validate(await service.retry_delivery(db, delivery_id))


# ---------------------------------------------------------------- preferences


@router.get("/me/notification-preferences")
async def get_notification_preferences(user: ViewerUser, db: SessionDep) -> PreferencesRead:
    return await service.get_preferences(db, user)


@router.put("/me/notification-preferences", responses=BODY)
async def put_notification_preferences(
    body: PreferencesWrite, user: ViewerUser, db: SessionDep
) -> PreferencesRead:
    return await service.put_preferences(db, user, body)


# ---------------------------------------------------------------- channels


@router.get("/notification-channels")
async def get_notification_channels(
    _: AdminUser, db: SessionDep, settings: SettingsDep
) -> Channels:
    return await service.channels(db, settings)


@router.put("/notification-channels/smtp", responses=BODY)
async def put_smtp_settings(
    body: SmtpWrite, _: AdminUser, db: SessionDep, settings: SettingsDep
) -> SmtpRead:
    return await service.put_smtp(db, settings, body)


@router.post(
    "/notification-channels/smtp/test",
    summary="Send a test mail; the answer is the server's",
    responses=BODY,
)
async def send_smtp_test(
    body: SmtpTestRequest, _: AdminUser, db: SessionDep, settings: SettingsDep
) -> TestResult:
    return await service.send_smtp_test(db, settings, body)


@router.post(
    "/notification-channels/webhooks",
    status_code=status.HTTP_201_CREATED,
    summary="A webhook; its signing secret is in this answer only",
    responses=BODY,
)
async def create_webhook(
    body: WebhookWrite, _: AdminUser, db: SessionDep, settings: SettingsDep
) -> WebhookCreated:
    return await service.create_webhook(db, settings, body)


@router.patch("/notification-channels/webhooks/{webhook_id}", responses={**WEBHOOK_404, **BODY})
async def update_webhook(
    webhook_id: PathId,
    body: WebhookUpdate,
    _: AdminUser,
    db: SessionDep,
    settings: SettingsDep,
) -> WebhookRead:
    webhook = await service.get_webhook(db, webhook_id)
    return WebhookRead.model_validate(await service.update_webhook(db, settings, webhook, body))


@router.delete(
    "/notification-channels/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=WEBHOOK_404,
)
async def delete_webhook(_: AdminUser, webhook: WebhookDep, db: SessionDep) -> None:
    await service.delete_webhook(db, webhook)


@router.post(
    "/notification-channels/webhooks/{webhook_id}/rotate-secret",
    summary="A new signing secret (in this answer only)",
    responses=WEBHOOK_404,
)
async def rotate_webhook_secret(
    _: AdminUser, webhook: WebhookDep, db: SessionDep, settings: SettingsDep
) -> WebhookCreated:
    return await service.rotate_secret(db, settings, webhook)


@router.post(
    "/notification-channels/webhooks/{webhook_id}/test",
    summary="Send a signed test delivery; the answer is the receiver's",
    responses=WEBHOOK_404,
)
async def send_webhook_test(
    _: AdminUser, webhook: WebhookDep, db: SessionDep, settings: SettingsDep
) -> TestResult:
    return await service.send_webhook_test(db, settings, webhook)

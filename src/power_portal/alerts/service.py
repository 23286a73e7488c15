"""What the alerts domain does for a request: rules (checked, backtested), alerts (list,
detail, badge, acknowledgement), deliveries (dead letters sent again), preferences and the
notification channels (SMTP, webhooks; secrets encrypted and never returned)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts import evaluation as ev
from power_portal.alerts import repository
from power_portal.alerts.engine import (
    BUCKET,
    DAILY_KINDS,
    PER_DEVICE_KINDS,
    Catalogue,
    RuleSpec,
    Subject,
    Watched,
    combine,
    daily_points,
    fixed,
    floor_bucket,
    lookback,
    points,
    windows_of,
)
from power_portal.alerts.mail import (
    Brand,
    Notice,
    SmtpConfig,
    build_message,
    render_notice,
    send_message,
    smtp_config_from_settings,
)
from power_portal.alerts.models import (
    Alert,
    AlertEvent,
    AlertRule,
    NotificationPreference,
    OutboxEntry,
    SmtpSettingsRow,
    Webhook,
)
from power_portal.alerts.schemas import (
    PARAMS,
    Acknowledgement,
    AcknowledgeRequest,
    AlertDetail,
    AlertEventRead,
    AlertFilters,
    AlertRead,
    AlertSummary,
    BacktestRequest,
    BacktestResult,
    BacktestSeries,
    Channels,
    Episode,
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
    Windows,
)
from power_portal.alerts.schemas import (
    Subject as SubjectRead,
)
from power_portal.alerts.webhooks import (
    WebhookError,
    WebhookPolicy,
    WebhookRefused,
    post_webhook,
    resolve_checked,
)
from power_portal.auth.models import User
from power_portal.branding import service as branding_service
from power_portal.core.errors import ConflictError, FieldError, NotFoundError
from power_portal.core.secrets import SecretBox, SecretUnreadable, secret_box
from power_portal.measurements import rollup_queue
from power_portal.settings import Settings, SmtpSecurity

# ---------------------------------------------------------------- rules


def check_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The kind's parameters, checked and with their defaults; 422 naming the field."""
    try:
        parsed = PARAMS[kind].model_validate(params)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise FieldError(f"params.{where}" if where else "params", error["msg"]) from None
    return parsed.model_dump(mode="json")


def _check_windows(windows: Windows | None, field: str) -> None:
    if windows is None:
        return
    clash = ev.overlapping(windows_of(windows))
    if clash is not None:
        raise FieldError(f"{field}.windows", "two windows overlap: make them follow each other")


async def _check_rule(db: AsyncSession, rule: AlertRule) -> None:
    """What needs the database, and the rules across fields; 422 naming the field."""
    given = [
        name
        for name in ("site_id", "device_id", "virtual_meter_id")
        if getattr(rule, name) is not None
    ]
    if len(given) != 1:
        raise FieldError(
            "site_id", "give exactly one subject: site_id, device_id or virtual_meter_id"
        )
    catalogue = await Catalogue.load(db)
    if rule.site_id is not None and rule.site_id not in catalogue.sites:
        raise FieldError("site_id", f"no site {rule.site_id}")
    if rule.device_id is not None and rule.device_id not in catalogue.devices:
        raise FieldError("device_id", f"no device {rule.device_id}")
    if rule.virtual_meter_id is not None:
        if rule.virtual_meter_id not in catalogue.meters:
            raise FieldError("virtual_meter_id", f"no virtual meter {rule.virtual_meter_id}")
        if rule.kind in PER_DEVICE_KINDS:
            raise FieldError(
                "kind",
                f"a virtual meter has no readings or phases of its own: put a {rule.kind} "
                "rule on its site or on a device",
            )
    if rule.quiet_hours is not None and rule.kind in ("offline", "gap"):
        raise FieldError("quiet_hours", f"{rule.kind} rules have no quiet hours")
    _check_windows(
        Windows.model_validate(rule.quiet_hours) if rule.quiet_hours else None, "quiet_hours"
    )
    if rule.kind == "out_of_hours_load":
        _check_windows(Windows.model_validate(rule.params["schedule"]), "params.schedule")
    if rule.kind == "peak_exceeding":
        site = catalogue.sites[_site_of(catalogue, rule)]
        if site.tariff_id is None:
            raise FieldError(
                "kind",
                f"peak_exceeding needs the site's tariff (its demand charges): site "
                f"{site.id} has none",
            )


def _site_of(catalogue: Catalogue, rule: AlertRule) -> int:
    if rule.site_id is not None:
        return rule.site_id
    if rule.device_id is not None:
        return catalogue.devices[rule.device_id].site_id
    return catalogue.meters[rule.virtual_meter_id or 0].site_id


def _rule_of(data: RuleWrite) -> AlertRule:
    return AlertRule(
        name=data.name,
        site_id=data.site_id,
        device_id=data.device_id,
        virtual_meter_id=data.virtual_meter_id,
        kind=data.kind,
        severity=data.severity,
        enabled=data.enabled,
        params=check_params(data.kind, data.params),
        for_minutes=data.for_minutes,
        quiet_hours=data.quiet_hours.model_dump() if data.quiet_hours else None,
    )


def _read(rule: AlertRule, firing: dict[int, int], catalogue: Catalogue) -> RuleRead:
    read = RuleRead.model_validate(rule)
    read.firing = firing.get(rule.id, 0)
    named: Any = None
    if rule.device_id is not None:
        named = catalogue.devices.get(rule.device_id)
    elif rule.virtual_meter_id is not None:
        named = catalogue.meters.get(rule.virtual_meter_id)
    elif rule.site_id is not None:
        named = catalogue.sites.get(rule.site_id)
    read.subject_name = named.name if named is not None else ""
    return read


async def list_rules(db: AsyncSession, site_id: int | None) -> list[RuleRead]:
    firing = await repository.firing_counts(db)
    catalogue = await Catalogue.load(db)
    return [_read(rule, firing, catalogue) for rule in await repository.list_rules(db, site_id)]


async def get_rule(db: AsyncSession, rule_id: int) -> AlertRule:
    rule = await db.get(AlertRule, rule_id)
    if rule is None:
        raise NotFoundError(f"no alert rule {rule_id}")
    return rule


async def read_rule(db: AsyncSession, rule: AlertRule) -> RuleRead:
    return _read(rule, await repository.firing_counts(db), await Catalogue.load(db))


async def create_rule(db: AsyncSession, data: RuleWrite) -> RuleRead:
    rule = _rule_of(data)
    await _check_rule(db, rule)
    db.add(rule)
    await db.flush()
    await db.refresh(rule)
    return await read_rule(db, rule)


async def update_rule(db: AsyncSession, rule: AlertRule, data: RuleUpdate) -> RuleRead:
    given = data.model_dump(exclude_unset=True)
    if "name" in given and data.name is not None:
        rule.name = data.name
    if "severity" in given and data.severity is not None:
        rule.severity = data.severity
    if "for_minutes" in given and data.for_minutes is not None:
        rule.for_minutes = data.for_minutes
    if "params" in given and data.params is not None:
        rule.params = check_params(rule.kind, data.params)
    if "quiet_hours" in given:
        rule.quiet_hours = data.quiet_hours.model_dump() if data.quiet_hours else None
    await _check_rule(db, rule)
    now = datetime.now(UTC)
    if "enabled" in given and data.enabled is not None and data.enabled != rule.enabled:
        rule.enabled = data.enabled
        if not data.enabled:
            await _close_quietly(db, rule, now, "the rule was disabled")
    await db.flush()
    await db.refresh(rule)
    return await read_rule(db, rule)


async def _close_quietly(db: AsyncSession, rule: AlertRule, now: datetime, why: str) -> None:
    """Resolve the rule's open alerts without a notification (an event says why)."""
    for alert in await repository.open_alerts_of_rule(db, rule.id):
        db.add(
            AlertEvent(
                alert_id=alert.id,
                event="resolved",
                at=now,
                from_state="firing",
                to_state="resolved",
                value=None,
                message=why,
            )
        )
    await repository.resolve_quietly(db, rule.id, now)


async def delete_rule(db: AsyncSession, rule: AlertRule) -> None:
    await _close_quietly(db, rule, datetime.now(UTC), "the rule was deleted")
    await db.delete(rule)
    await db.flush()


# ---------------------------------------------------------------- backtest


async def backtest(db: AsyncSession, request: BacktestRequest, now: datetime) -> BacktestResult:
    """The rule over the stored data of the last ``days``, not saved: the same points and
    state machine as the evaluator."""
    stored = _rule_of(request.rule)
    await _check_rule(db, stored)
    stored.id = 0
    rule = RuleSpec.of(stored)
    catalogue = await Catalogue.load(db)
    subjects = await catalogue.subjects(db, rule)
    await rollup_queue.flush(db, sorted({d for s in subjects for d in s.coefficients}))
    end = floor_bucket(now)
    start = end - timedelta(days=request.days)
    episodes: list[Episode] = []
    series = BacktestSeries(times=[], values=[], threshold=None, clear=None, unit=None)
    for index, subject in enumerate(subjects[:50]):
        watched = await _backtest_points(db, catalogue, rule, subject, start, end)
        for episode in ev.run([w.point for w in watched], rule.for_minutes, rule.direction):
            episodes.append(
                Episode(
                    started_at=episode.started_at,
                    fired_at=episode.fired_at,
                    resolved_at=episode.resolved_at,
                    peak_value=episode.peak_value,
                    subject_name=subject.name,
                )
            )
        if index == 0:
            series = BacktestSeries(
                times=[w.point.at for w in watched],
                values=[w.point.value for w in watched],
                threshold=next((w.threshold for w in watched if w.threshold is not None), None),
                clear=_clear_value(rule),
                unit=next((w.unit for w in watched if w.unit), None),
            )
    episodes.sort(key=lambda e: e.started_at)
    return BacktestResult(fired=len(episodes), episodes=episodes, series=series)


def _clear_value(rule: RuleSpec) -> float | None:
    for name in ("clear_below", "clear_above", "clear_below_percent", "clear_below_kw"):
        value = rule.params.get(name)
        if value is not None:
            return float(value)
    return None


async def _backtest_points(
    db: AsyncSession,
    catalogue: Catalogue,
    rule: RuleSpec,
    subject: Subject,
    start: datetime,
    end: datetime,
) -> list[Watched]:
    if rule.kind in DAILY_KINDS:
        zone = subject.zone
        first = start.astimezone(zone).date()
        last = end.astimezone(zone).date() - timedelta(days=1)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        return await daily_points(db, rule, subject, days)
    if rule.kind in ("offline", "gap"):
        return await _gap_points(db, rule, subject, start, end)
    ends = [start + BUCKET * i for i in range(1, int((end - start) / BUCKET) + 1)]
    if not ends:
        return []
    lo = ends[0] - BUCKET - lookback(rule, ends[0])
    buckets = await repository.buckets(db, list(subject.coefficients), lo, end)
    readings = combine(buckets, subject.coefficients)
    return await points(db, catalogue, rule, subject, readings, ends)


async def _gap_points(
    db: AsyncSession, rule: RuleSpec, subject: Subject, start: datetime, end: datetime
) -> list[Watched]:
    """Offline and gap rules in the past: the stretches between stored readings."""
    minutes = int(rule.params["minutes"])
    found = await repository.reading_gaps(db, subject.id, start, end, minutes)
    watched: list[Watched] = []
    for gap_start, gap_end in found:
        hours = (gap_end - gap_start).total_seconds() / 3600
        said = fixed(f"no readings for {hours:.1f} h")
        watched.append(Watched(ev.Point(gap_start, None, True, True), said, float(minutes), "min"))
        watched.append(
            Watched(ev.Point(gap_end, round(hours * 60, 1), False, False), said, None, "min")
        )
    return watched


# ---------------------------------------------------------------- alerts


def alert_read(alert: Alert) -> AlertRead:
    return AlertRead(
        id=alert.id,
        rule_id=alert.rule_id,
        rule_name=alert.rule_name,
        kind=alert.kind,
        severity=alert.severity,
        subject=SubjectRead(
            kind=alert.subject_kind,
            id=alert.subject_id,
            name=alert.subject_name,
        ),
        site_id=alert.site_id,
        state=alert.state,
        value=alert.value,
        threshold=alert.threshold,
        unit=alert.unit,
        message=alert.message,
        started_at=alert.started_at,
        fired_at=alert.fired_at,
        resolved_at=alert.resolved_at,
        acknowledged=None
        if alert.acknowledged_at is None
        else Acknowledgement(
            by_user_id=alert.acknowledged_by,
            by_name=alert.acknowledged_by_name or "",
            at=alert.acknowledged_at,
            note=alert.acknowledged_note,
        ),
    )


async def list_alerts(db: AsyncSession, filters: AlertFilters) -> list[AlertRead]:
    found = await repository.list_alerts(db, **filters.model_dump())
    return [alert_read(alert) for alert in found]


async def get_alert(db: AsyncSession, alert_id: int) -> AlertDetail:
    alert = await repository.get_alert(db, alert_id)
    if alert is None:
        raise NotFoundError(f"no alert {alert_id}")
    events = [AlertEventRead.model_validate(e) for e in await repository.events_of(db, alert.id)]
    return AlertDetail(**alert_read(alert).model_dump(), events=events)


async def summary(db: AsyncSession) -> AlertSummary:
    counts = await repository.summary_counts(db)
    by_severity: dict[str, int] = dict.fromkeys(("info", "warning", "critical"), 0)
    firing = acknowledged = 0
    for severity, acked, count in counts:
        if acked:
            acknowledged += count
        else:
            firing += count
            by_severity[severity] = by_severity.get(severity, 0) + count
    return AlertSummary(
        firing=firing,
        acknowledged=acknowledged,
        by_severity=by_severity,
    )


async def acknowledge(
    db: AsyncSession, alert_id: int, user: User, request: AcknowledgeRequest
) -> AlertDetail:
    alert = await repository.get_alert(db, alert_id, lock=True)
    if alert is None:
        raise NotFoundError(f"no alert {alert_id}")
    if alert.state != "firing":
        raise ConflictError(f"alert {alert_id} has resolved: there is nothing to acknowledge")
    if alert.acknowledged_at is not None:
        raise ConflictError(
            f"alert {alert_id} was acknowledged by {alert.acknowledged_by_name} already"
        )
    now = datetime.now(UTC)
    alert.acknowledged_by = user.id
    alert.acknowledged_by_name = user.name
    alert.acknowledged_at = now
    alert.acknowledged_note = request.note or None
    db.add(
        AlertEvent(
            alert_id=alert.id,
            event="acknowledged",
            at=now,
            from_state="firing",
            to_state="firing",
            value=alert.value,
            message=f"acknowledged by {user.name}" + (f": {request.note}" if request.note else ""),
        )
    )
    await db.flush()
    return await get_alert(db, alert_id)


# ---------------------------------------------------------------- deliveries


async def list_deliveries(
    db: AsyncSession, status: str | None, before: int | None, limit: int
) -> list[OutboxEntry]:
    return await repository.list_deliveries(db, status, before, limit)


async def retry_delivery(db: AsyncSession, delivery_id: int) -> OutboxEntry:
    entry = await repository.get_delivery(db, delivery_id)
    if entry is None:
        raise NotFoundError(f"no delivery {delivery_id}")
    if entry.status != "dead":
        raise ConflictError(f"delivery {delivery_id} is {entry.status}: only a dead one is retried")
    entry.status = "pending"
    entry.next_attempt_at = datetime.now(UTC)
    entry.last_error = None
    entry.attempts = 0
    await db.flush()
    return entry


# ---------------------------------------------------------------- preferences


async def get_preferences(db: AsyncSession, user: User) -> PreferencesRead:
    row = await repository.preferences(db, user.id)
    if row is None:
        return PreferencesRead()
    return PreferencesRead(
        email=row.email,
        severities=row.severities,
        site_ids=row.site_ids,
    )


async def put_preferences(db: AsyncSession, user: User, data: PreferencesWrite) -> PreferencesRead:
    if data.site_ids is not None:
        sites = await repository.sites(db)
        for index, site_id in enumerate(data.site_ids):
            if site_id not in sites:
                raise FieldError(f"site_ids.{index}", f"no site {site_id}")
    row = await repository.preferences(db, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id)
        db.add(row)
    row.email = data.email
    row.severities = sorted(set(data.severities))
    row.site_ids = sorted(set(data.site_ids)) if data.site_ids is not None else None
    await db.flush()
    return await get_preferences(db, user)


# ---------------------------------------------------------------- channels


def secret_box_for(settings: Settings) -> SecretBox:
    """The box the stored secrets (SMTP password, webhook secrets) are sealed with."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    return secret_box(key, settings.resolved_data_dir)


def _smtp_read(row: SmtpSettingsRow | None, settings: Settings) -> SmtpRead:
    if row is not None:
        return SmtpRead(
            source="app",
            host=row.host,
            port=row.port,
            security=row.security,
            username=row.username,
            password_set=row.password_encrypted is not None,
            from_address=row.from_address,
            from_name=row.from_name,
        )
    env = settings.smtp
    return SmtpRead(
        source="environment" if env.configured else "none",
        host=env.host,
        port=env.port,
        security=env.security.value,
        username=env.username,
        password_set=env.password is not None,
        from_address=env.from_address,
        from_name=env.from_name,
    )


async def channels(db: AsyncSession, settings: Settings) -> Channels:
    return Channels(
        smtp=_smtp_read(await repository.smtp_row(db), settings),
        webhooks=[WebhookRead.model_validate(w) for w in await repository.webhooks(db)],
    )


async def put_smtp(db: AsyncSession, settings: Settings, data: SmtpWrite) -> SmtpRead:
    row = await repository.smtp_row(db)
    if row is None:
        row = SmtpSettingsRow(id=1)
        db.add(row)
    row.host = data.host
    row.port = data.port
    row.security = data.security
    row.username = data.username or None
    row.from_address = data.from_address
    row.from_name = data.from_name
    if data.password is not None:
        row.password_encrypted = secret_box_for(settings).encrypt(data.password)
    elif data.clear_password or row.username is None:
        row.password_encrypted = None
    await db.flush()
    return _smtp_read(row, settings)


async def smtp_config(db: AsyncSession, settings: Settings) -> SmtpConfig | None:
    """The SMTP server to use: the one saved in the app, else ``PORTAL_SMTP__*``."""
    row = await repository.smtp_row(db)
    if row is None:
        return smtp_config_from_settings(settings.smtp)
    password = None
    if row.password_encrypted is not None:
        password = secret_box_for(settings).decrypt(row.password_encrypted)
    return SmtpConfig(
        host=row.host,
        port=row.port,
        security=SmtpSecurity(row.security),
        username=row.username,
        password=password,
        from_address=row.from_address,
        from_name=row.from_name,
        timeout_seconds=settings.smtp.timeout_seconds,
    )


async def brand(db: AsyncSession, settings: Settings) -> Brand:
    row = await branding_service.get(db)
    logo: tuple[bytes, str] | None = None
    if row.logo_file:
        try:
            found = branding_service.asset(settings.resolved_data_dir, row.logo_file)
            logo = (found.path.read_bytes(), found.content_type)
        except (NotFoundError, OSError):
            logo = None
    return Brand(
        product_name=row.product_name,
        primary_color=row.primary_color,
        secondary_color=row.secondary_color,
        logo=logo,
    )


async def send_smtp_test(
    db: AsyncSession, settings: Settings, request: SmtpTestRequest
) -> TestResult:
    try:
        config = await smtp_config(db, settings)
    except SecretUnreadable as exc:
        return TestResult(ok=False, detail=str(exc))
    if config is None:
        return TestResult(ok=False, detail="no SMTP server is set: save one first")
    look = await brand(db, settings)
    notice = Notice(
        event="test",
        severity="info",
        rule_name="Test message",
        subject_name=look.product_name,
        site_name=None,
        value=None,
        threshold=None,
        unit=None,
        message="This is a test message from the portal: alert e-mails will look like this.",
        at_local=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        url=settings.alerts.public_url,
    )
    subject, text, html = render_notice(notice, look)
    message = build_message(
        config,
        to=[request.to],
        subject=subject,
        text=text,
        html=html,
        brand=look,
        message_id=f"test-{secrets.token_hex(8)}",
    )
    answer = await send_message(config, message)
    return TestResult(ok=answer.ok, detail=answer.detail)


async def _check_url(settings: Settings, url: str) -> None:
    try:
        await resolve_checked(url, WebhookPolicy.from_settings(settings))
    except WebhookRefused as exc:
        raise FieldError("url", f"this address is not allowed: {exc}") from None
    except WebhookError as exc:
        raise FieldError("url", str(exc)) from None


async def create_webhook(
    db: AsyncSession, settings: Settings, data: WebhookWrite
) -> WebhookCreated:
    await _check_url(settings, data.url)
    secret = secrets.token_urlsafe(32)
    webhook = Webhook(
        name=data.name,
        url=data.url,
        severities=sorted(set(data.severities)),
        enabled=data.enabled,
        secret_encrypted=secret_box_for(settings).encrypt(secret),
    )
    db.add(webhook)
    await db.flush()
    await db.refresh(webhook)
    return WebhookCreated(**WebhookRead.model_validate(webhook).model_dump(), secret=secret)


async def get_webhook(db: AsyncSession, webhook_id: int) -> Webhook:
    webhook = await repository.get_webhook(db, webhook_id)
    if webhook is None:
        raise NotFoundError(f"no webhook {webhook_id}")
    return webhook


async def update_webhook(
    db: AsyncSession, settings: Settings, webhook: Webhook, data: WebhookUpdate
) -> Webhook:
    if data.url is not None and data.url != webhook.url:
        await _check_url(settings, data.url)
        webhook.url = data.url
    if data.name is not None:
        webhook.name = data.name
    if data.severities is not None:
        webhook.severities = sorted(set(data.severities))
    if data.enabled is not None:
        webhook.enabled = data.enabled
    await db.flush()
    await db.refresh(webhook)
    return webhook


async def rotate_secret(db: AsyncSession, settings: Settings, webhook: Webhook) -> WebhookCreated:
    secret = secrets.token_urlsafe(32)
    webhook.secret_encrypted = secret_box_for(settings).encrypt(secret)
    await db.flush()
    await db.refresh(webhook)
    return WebhookCreated(**WebhookRead.model_validate(webhook).model_dump(), secret=secret)


async def delete_webhook(db: AsyncSession, webhook: Webhook) -> None:
    await db.delete(webhook)
    await db.flush()


async def send_webhook_test(db: AsyncSession, settings: Settings, webhook: Webhook) -> TestResult:
    try:
        secret = secret_box_for(settings).decrypt(webhook.secret_encrypted)
    except SecretUnreadable as exc:
        return TestResult(ok=False, detail=str(exc))
    key = f"test-{secrets.token_hex(8)}"
    body = json.dumps({"id": key, "event": "test", "at": datetime.now(UTC).isoformat()}).encode()
    answer = await post_webhook(
        webhook.url,
        body,
        secret=secret,
        delivery_key=key,
        policy=WebhookPolicy.from_settings(settings),
    )
    return TestResult(ok=answer.ok, detail=answer.detail, status=answer.status)


# ---------------------------------------------------------------- history from stored data


async def record_history(db: AsyncSession, rule: AlertRule, days: int, now: datetime) -> int:
    """The alerts a saved rule would have raised on the stored data of the last ``days``,
    written as history (alerts with their fired and resolved events, no notification): for
    an installation whose history was imported, and for the demo. Returns how many."""
    result = await backtest(
        db, BacktestRequest(rule=RuleWrite.model_validate(_write_of(rule)), days=days), now
    )
    catalogue = await Catalogue.load(db)
    subjects = {s.name: s for s in await catalogue.subjects(db, RuleSpec.of(rule))}
    recorded = 0
    for episode in result.episodes:
        subject = subjects.get(episode.subject_name)
        # Only what is over: a condition still true is the evaluator's to raise, live.
        if subject is None or episode.fired_at is None or episode.resolved_at is None:
            continue
        alert = Alert(
            rule_id=rule.id,
            rule_name=rule.name,
            kind=rule.kind,
            severity=rule.severity,
            site_id=subject.site.id,
            subject_kind=subject.kind,
            subject_id=subject.id,
            subject_name=subject.name,
            state="resolved",
            value=episode.peak_value,
            threshold=result.series.threshold,
            unit=result.series.unit,
            message=f"{rule.name}: peak {episode.peak_value}" if episode.peak_value else rule.name,
            started_at=episode.started_at,
            fired_at=episode.fired_at,
            resolved_at=episode.resolved_at,
        )
        db.add(alert)
        await db.flush()
        db.add(
            AlertEvent(
                alert_id=alert.id,
                event="fired",
                at=episode.fired_at,
                from_state="pending",
                to_state="firing",
                value=episode.peak_value,
                message="found in the stored data (history)",
            )
        )
        db.add(
            AlertEvent(
                alert_id=alert.id,
                event="resolved",
                at=episode.resolved_at,
                from_state="firing",
                to_state="resolved",
                value=None,
                message="found in the stored data (history)",
            )
        )
        recorded += 1
    await db.flush()
    return recorded


def _write_of(rule: AlertRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "site_id": rule.site_id,
        "device_id": rule.device_id,
        "virtual_meter_id": rule.virtual_meter_id,
        "kind": rule.kind,
        "severity": rule.severity,
        "enabled": rule.enabled,
        "params": rule.params,
        "for_minutes": rule.for_minutes,
        "quiet_hours": rule.quiet_hours,
    }

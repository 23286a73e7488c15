"""The SQL of alerts, as typed functions (values bound, never spliced)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Text, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts.models import (
    Alert,
    AlertEvent,
    AlertRule,
    NotificationPreference,
    OutboxEntry,
    SmtpSettingsRow,
    Webhook,
)
from power_portal.sites.models import Device, Site
from power_portal.virtual_meters.models import VirtualMeter

# ---------------------------------------------------------------- what changed


async def take_changes(db: AsyncSession) -> dict[int, tuple[datetime, datetime]]:
    """The spans the rollups rebuilt since the last call, by device; taken in the caller's
    transaction (a rollback leaves them for the next tick)."""
    rows = await db.execute(
        text("DELETE FROM monitoring.rollup_changes RETURNING device_id, lo, hi")
    )
    return {int(device_id): (lo, hi) for device_id, lo, hi in rows.all()}


async def latest_readings(db: AsyncSession, device_ids: Sequence[int]) -> dict[int, datetime]:
    """Each device's newest stored reading (devices with none are left out)."""
    if not device_ids:
        return {}
    rows = await db.execute(
        text("""
            SELECT d.id, (SELECT m.time FROM monitoring.power_measurements m
                          WHERE m.device_id = d.id ORDER BY m.time DESC LIMIT 1)
            FROM unnest(CAST(:ids AS bigint[])) AS d(id)
        """),
        {"ids": list(device_ids)},
    )
    return {int(device_id): at for device_id, at in rows.all() if at is not None}


async def heartbeats(db: AsyncSession, device_ids: Sequence[int]) -> dict[int, datetime]:
    """The newest gateway heartbeat (or message) per device behind an MQTT gateway."""
    if not device_ids:
        return {}
    rows = await db.execute(
        text("""
            SELECT device_id, coalesce(last_heartbeat_at, last_seen_at)
            FROM app.gateway_health WHERE device_id = ANY(CAST(:ids AS bigint[]))
        """),
        {"ids": list(device_ids)},
    )
    return {int(device_id): at for device_id, at in rows.all() if at is not None}


@dataclass(frozen=True)
class Bucket:
    """One device's 15-minute rollup bucket: what the rules read."""

    device_id: int
    start: datetime
    energy_kwh: float
    apparent_kvah: float
    voltages: tuple[float | None, float | None, float | None]
    currents: tuple[float | None, float | None, float | None]


async def buckets(
    db: AsyncSession, device_ids: Sequence[int], lo: datetime, hi: datetime
) -> list[Bucket]:
    """The devices' buckets starting in ``[lo, hi)``, by device and time."""
    if not device_ids:
        return []
    rows = await db.execute(
        text("""
            SELECT device_id, bucket_start, energy_import_kwh, apparent_energy_kvah,
                   voltage_l1_v_avg, voltage_l2_v_avg, voltage_l3_v_avg,
                   current_l1_a_avg, current_l2_a_avg, current_l3_a_avg
            FROM monitoring.rollup_15m
            WHERE device_id = ANY(CAST(:ids AS bigint[]))
              AND bucket_start >= :lo AND bucket_start < :hi
            ORDER BY device_id, bucket_start
        """),
        {"ids": list(device_ids), "lo": lo, "hi": hi},
    )
    return [
        Bucket(int(r[0]), r[1], float(r[2]), float(r[3]), (r[4], r[5], r[6]), (r[7], r[8], r[9]))
        for r in rows.all()
    ]


async def daily_import(
    db: AsyncSession, device_ids: Sequence[int], first: date, last: date
) -> dict[tuple[int, date], float]:
    """Energy imported per device and local day in ``[first, last]``."""
    if not device_ids:
        return {}
    rows = await db.execute(
        text("""
            SELECT device_id, day, energy_import_kwh FROM monitoring.rollup_1d
            WHERE device_id = ANY(CAST(:ids AS bigint[])) AND day BETWEEN :first AND :last
        """),
        {"ids": list(device_ids), "first": first, "last": last},
    )
    return {(int(device_id), day): float(kwh) for device_id, day, kwh in rows.all()}


async def reading_gaps(
    db: AsyncSession, device_id: int, lo: datetime, hi: datetime, minutes: int
) -> list[tuple[datetime, datetime]]:
    """Stretches of at least ``minutes`` between consecutive readings of a device around
    ``[lo, hi]`` (the reading before ``lo`` and the one after ``hi`` included)."""
    rows = await db.execute(
        text("""
            WITH span AS (
                SELECT coalesce((SELECT max(time) FROM monitoring.power_measurements
                                 WHERE device_id = :d AND time < :lo), :lo) AS a,
                       coalesce((SELECT min(time) FROM monitoring.power_measurements
                                 WHERE device_id = :d AND time > :hi), :hi) AS b
            ), times AS (
                SELECT m.time, lag(m.time) OVER (ORDER BY m.time) AS previous
                FROM monitoring.power_measurements m, span
                WHERE m.device_id = :d AND m.time BETWEEN span.a AND span.b
            )
            SELECT previous, time FROM times
            WHERE previous IS NOT NULL AND time - previous >= :longest
            ORDER BY previous
        """),
        {"d": device_id, "lo": lo, "hi": hi, "longest": timedelta(minutes=minutes)},
    )
    return [(a, b) for a, b in rows]


# ---------------------------------------------------------------- rules and subjects


WatermarkKey = tuple[str, int, str]  # subject kind, subject id, cadence


async def watermarks(db: AsyncSession) -> dict[WatermarkKey, datetime]:
    rows = await db.execute(
        text("SELECT subject_kind, subject_id, cadence, evaluated_until FROM app.alert_watermarks")
    )
    return {(kind, int(subject_id), cadence): at for kind, subject_id, cadence, at in rows.all()}


async def save_watermarks(db: AsyncSession, marks: dict[WatermarkKey, datetime]) -> None:
    if not marks:
        return
    keys = list(marks)
    await db.execute(
        text("""
            INSERT INTO app.alert_watermarks AS w (subject_kind, subject_id, cadence,
                                                   evaluated_until)
            SELECT * FROM unnest(CAST(:kinds AS varchar[]), CAST(:ids AS bigint[]),
                                 CAST(:cadences AS varchar[]), CAST(:untils AS timestamptz[]))
            ON CONFLICT (subject_kind, subject_id, cadence) DO UPDATE
            SET evaluated_until = greatest(w.evaluated_until, excluded.evaluated_until)
        """),
        {
            "kinds": [k[0] for k in keys],
            "ids": [k[1] for k in keys],
            "cadences": [k[2] for k in keys],
            "untils": [marks[k] for k in keys],
        },
    )


async def enabled_rule_rows(db: AsyncSession) -> list[Any]:
    """The enabled rules as plain rows (the evaluator's read)."""
    table = AlertRule.__table__
    columns = [
        c.cast(Text).label(c.name) if c.name in ("params", "quiet_hours") else c for c in table.c
    ]
    return list((await db.execute(select(*columns).where(table.c.enabled))).all())


async def list_rules(
    db: AsyncSession, site_id: int | None = None, *, enabled_only: bool = False
) -> list[AlertRule]:
    query = select(AlertRule).order_by(AlertRule.name, AlertRule.id)
    if site_id is not None:
        device_site = select(Device.id).where(Device.site_id == site_id)
        meter_site = select(VirtualMeter.id).where(VirtualMeter.site_id == site_id)
        query = query.where(
            (AlertRule.site_id == site_id)
            | AlertRule.device_id.in_(device_site)
            | AlertRule.virtual_meter_id.in_(meter_site)
        )
    if enabled_only:
        query = query.where(AlertRule.enabled)
    return list((await db.execute(query)).scalars())


async def firing_counts(db: AsyncSession) -> dict[int, int]:
    rows = await db.execute(
        select(Alert.rule_id, func.count())
        .where(Alert.state == "firing", Alert.rule_id.is_not(None))
        .group_by(Alert.rule_id)
    )
    return {int(rule_id): int(count) for rule_id, count in rows if rule_id is not None}


@dataclass(frozen=True)
class SiteInfo:
    id: int
    name: str
    timezone: str
    tariff_id: int | None


@dataclass(frozen=True)
class DeviceInfo:
    id: int
    site_id: int
    name: str
    role: str
    created_at: datetime


@dataclass(frozen=True)
class MeterInfo:
    id: int
    site_id: int
    name: str


# The evaluator reads every site, device and virtual meter each tick: plain rows, not ORM
# objects (2,000 devices cost milliseconds, not a fifth of a second).


async def sites(db: AsyncSession) -> dict[int, SiteInfo]:
    rows = await db.execute(select(Site.id, Site.name, Site.timezone, Site.tariff_id))
    return {int(r[0]): SiteInfo(int(r[0]), r[1], r[2], r[3]) for r in rows.all()}


async def devices(db: AsyncSession) -> dict[int, DeviceInfo]:
    rows = await db.execute(
        select(Device.id, Device.site_id, Device.name, Device.role, Device.created_at)
    )
    return {int(r[0]): DeviceInfo(int(r[0]), int(r[1]), r[2], r[3], r[4]) for r in rows.all()}


async def virtual_meters(db: AsyncSession) -> dict[int, MeterInfo]:
    rows = await db.execute(select(VirtualMeter.id, VirtualMeter.site_id, VirtualMeter.name))
    return {int(r[0]): MeterInfo(int(r[0]), int(r[1]), r[2]) for r in rows.all()}


@dataclass
class StateRow:
    """One rule's state for one subject, as the evaluator reads and writes it (plain rows:
    a tick over 10,000 of them must not pay for ORM objects)."""

    rule_id: int
    subject_kind: str
    subject_id: int
    status: str = "ok"
    since: datetime | None = None
    value: float | None = None
    alert_id: int | None = None
    changed: bool = False


StateKey = tuple[int, str, int]


async def states(db: AsyncSession, rule_ids: Sequence[int]) -> dict[StateKey, StateRow]:
    if not rule_ids:
        return {}
    rows = await db.execute(
        text("""
            SELECT rule_id, subject_kind, subject_id, status, since, value, alert_id
            FROM app.alert_states WHERE rule_id = ANY(CAST(:ids AS bigint[]))
        """),
        {"ids": list(rule_ids)},
    )
    return {(int(r[0]), r[1], int(r[2])): StateRow(*r) for r in rows.all()}


async def save_states(db: AsyncSession, rows: Sequence[StateRow], now: datetime) -> None:
    """Write the changed states in one statement (inserted or updated)."""
    changed = [r for r in rows if r.changed]
    if not changed:
        return
    await db.execute(
        text("""
            INSERT INTO app.alert_states AS s (rule_id, subject_kind, subject_id, status, since,
                                               value, alert_id, updated_at)
            SELECT r.*, CAST(:now AS timestamptz) FROM unnest(
                CAST(:rule_ids AS bigint[]), CAST(:kinds AS varchar[]),
                CAST(:subject_ids AS bigint[]), CAST(:statuses AS varchar[]),
                CAST(:sinces AS timestamptz[]), CAST(:values AS double precision[]),
                CAST(:alert_ids AS bigint[])
            ) AS r
            ON CONFLICT (rule_id, subject_kind, subject_id) DO UPDATE SET
                status = excluded.status, since = excluded.since, value = excluded.value,
                alert_id = excluded.alert_id, updated_at = excluded.updated_at
        """),
        {
            "now": now,
            "rule_ids": [r.rule_id for r in changed],
            "kinds": [r.subject_kind for r in changed],
            "subject_ids": [r.subject_id for r in changed],
            "statuses": [r.status for r in changed],
            "sinces": [r.since for r in changed],
            "values": [r.value for r in changed],
            "alert_ids": [r.alert_id for r in changed],
        },
    )


async def open_alerts_of_rule(db: AsyncSession, rule_id: int) -> list[Alert]:
    rows = await db.execute(select(Alert).where(Alert.rule_id == rule_id, Alert.state == "firing"))
    return list(rows.scalars())


async def open_gap_alerts(db: AsyncSession, rule_ids: Sequence[int]) -> list[Alert]:
    if not rule_ids:
        return []
    rows = await db.execute(
        select(Alert).where(
            Alert.kind == "gap", Alert.state == "firing", Alert.rule_id.in_(list(rule_ids))
        )
    )
    return list(rows.scalars())


async def alert_covers(
    db: AsyncSession,
    rule_id: int,
    subject_kind: str,
    subject_id: int,
    start: datetime,
    end: datetime,
) -> bool:
    """Whether an alert of the rule and subject already overlaps ``[start, end]``."""
    found = await db.execute(
        select(Alert.id)
        .where(
            Alert.rule_id == rule_id,
            Alert.subject_kind == subject_kind,
            Alert.subject_id == subject_id,
            Alert.started_at <= end,
            func.coalesce(Alert.resolved_at, end) >= start,
        )
        .limit(1)
    )
    return found.first() is not None


async def known_gap_starts(db: AsyncSession, rule_id: int, device_id: int) -> set[datetime]:
    rows = await db.execute(
        select(Alert.gap_start).where(
            Alert.rule_id == rule_id,
            Alert.subject_kind == "device",
            Alert.subject_id == device_id,
            Alert.gap_start.is_not(None),
        )
    )
    return {at for at in rows.scalars() if at is not None}


# ---------------------------------------------------------------- alerts


async def get_alert(db: AsyncSession, alert_id: int, *, lock: bool = False) -> Alert | None:
    query = select(Alert).where(Alert.id == alert_id)
    if lock:
        query = query.with_for_update()
    return (await db.execute(query)).scalar_one_or_none()


async def list_alerts(
    db: AsyncSession,
    *,
    state: str | None,
    site_id: int | None,
    severity: str | None,
    rule_id: int | None,
    since: datetime | None,
    until: datetime | None,
    before: int | None,
    limit: int,
) -> list[Alert]:
    query = select(Alert)
    if state == "firing":
        query = query.where(Alert.state == "firing", Alert.acknowledged_at.is_(None))
    elif state == "acknowledged":
        query = query.where(Alert.state == "firing", Alert.acknowledged_at.is_not(None))
    elif state == "resolved":
        query = query.where(Alert.state == "resolved")
    if site_id is not None:
        query = query.where(Alert.site_id == site_id)
    if severity is not None:
        query = query.where(Alert.severity == severity)
    if rule_id is not None:
        query = query.where(Alert.rule_id == rule_id)
    if since is not None:
        query = query.where(Alert.fired_at >= since)
    if until is not None:
        query = query.where(Alert.fired_at < until)
    if before is not None:
        query = query.where(Alert.id < before)
    rows = await db.execute(query.order_by(Alert.id.desc()).limit(limit))
    return list(rows.scalars())


async def events_of(db: AsyncSession, alert_id: int) -> list[AlertEvent]:
    rows = await db.execute(
        select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
    )
    return list(rows.scalars())


async def summary_counts(db: AsyncSession) -> list[tuple[str, bool, int]]:
    """(severity, acknowledged, count) of the alerts firing now."""
    rows = await db.execute(
        select(Alert.severity, Alert.acknowledged_at.is_not(None), func.count())
        .where(Alert.state == "firing")
        .group_by(Alert.severity, Alert.acknowledged_at.is_not(None))
    )
    return [(severity, bool(acked), int(count)) for severity, acked, count in rows]


# ---------------------------------------------------------------- recipients


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str


async def email_recipients(db: AsyncSession, severity: str, site_id: int | None) -> list[Recipient]:
    """Active admins and viewers whose preferences take this severity and site (no stored
    preferences: e-mail on, warning and critical, every site)."""
    rows = await db.execute(
        text("""
            SELECT u.id, u.email FROM identity.users u
            LEFT JOIN app.notification_preferences p ON p.user_id = u.id
            WHERE u.is_active AND u.role IN ('admin', 'viewer')
              AND coalesce(p.email, true)
              AND CAST(:severity AS varchar) = ANY(
                    coalesce(p.severities, CAST(ARRAY['warning', 'critical'] AS varchar[])))
              AND (p.site_ids IS NULL OR CAST(:site_id AS bigint) = ANY(p.site_ids))
            ORDER BY u.id
        """),
        {"severity": severity, "site_id": site_id},
    )
    return [Recipient(int(user_id), email) for user_id, email in rows]


async def webhooks(db: AsyncSession, *, enabled_only: bool = False) -> list[Webhook]:
    query = select(Webhook).order_by(Webhook.id)
    if enabled_only:
        query = query.where(Webhook.enabled)
    return list((await db.execute(query)).scalars())


async def get_webhook(db: AsyncSession, webhook_id: int) -> Webhook | None:
    return await db.get(Webhook, webhook_id)


async def smtp_row(db: AsyncSession) -> SmtpSettingsRow | None:
    return await db.get(SmtpSettingsRow, 1)


async def preferences(db: AsyncSession, user_id: int) -> NotificationPreference | None:
    return await db.get(NotificationPreference, user_id)


# ---------------------------------------------------------------- the outbox


async def claim_due(db: AsyncSession, now: datetime, limit: int) -> list[OutboxEntry]:
    """Due pending deliveries, locked for this transaction (others skip them)."""
    rows = await db.execute(
        select(OutboxEntry)
        .where(OutboxEntry.status == "pending", OutboxEntry.next_attempt_at <= now)
        .order_by(OutboxEntry.next_attempt_at, OutboxEntry.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows.scalars())


async def next_due(db: AsyncSession) -> datetime | None:
    return (
        await db.execute(
            select(func.min(OutboxEntry.next_attempt_at)).where(OutboxEntry.status == "pending")
        )
    ).scalar_one_or_none()


async def list_deliveries(
    db: AsyncSession, status: str | None, before: int | None, limit: int
) -> list[OutboxEntry]:
    query = select(OutboxEntry)
    if status is not None:
        query = query.where(OutboxEntry.status == status)
    if before is not None:
        query = query.where(OutboxEntry.id < before)
    rows = await db.execute(query.order_by(OutboxEntry.id.desc()).limit(limit))
    return list(rows.scalars())


async def get_delivery(db: AsyncSession, delivery_id: int) -> OutboxEntry | None:
    return (
        await db.execute(select(OutboxEntry).where(OutboxEntry.id == delivery_id).with_for_update())
    ).scalar_one_or_none()


async def outbox_ages(db: AsyncSession) -> tuple[datetime | None, dict[str, int]]:
    """The oldest pending delivery's creation time and the count per status."""
    oldest = (
        await db.execute(
            select(func.min(OutboxEntry.created_at)).where(OutboxEntry.status == "pending")
        )
    ).scalar_one_or_none()
    rows = await db.execute(select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status))
    return oldest, {status: int(count) for status, count in rows}


async def resolve_quietly(db: AsyncSession, rule_id: int, at: datetime) -> None:
    """Resolve a rule's open alerts without a notification (the rule was deleted or
    disabled), and forget its states."""
    await db.execute(
        update(Alert)
        .where(Alert.rule_id == rule_id, Alert.state == "firing")
        .values(state="resolved", resolved_at=at)
    )
    await db.execute(
        text("DELETE FROM app.alert_states WHERE rule_id = :rule_id"), {"rule_id": rule_id}
    )

"""The evaluator: one tick turns what changed (and the clock) into alert transitions.

A tick is one transaction: it takes the rollups' change log (``monitoring.rollup_changes``),
evaluates the rules whose subjects it touches (and the clock-driven ``offline`` rules),
writes every transition with its event and the notifications it owes (the outbox), and
moves each rule's watermark. A crash rolls all of it back and the changes wait for the next
tick: a transition and its notifications exist together or not at all.

- threshold rules step through each completed 15-minute bucket after their watermark (a
  bucket is complete once a reading at or after its end is stored; a new rule starts at the
  newest bucket: its history is the backtest's business). Data older than the watermark
  (a re-delivery) is not evaluated again, so nothing is notified twice;
- ``daily_energy_above_baseline``: each completed local day after the watermark;
- ``offline``: every tick, from the newest reading (and the gateway's heartbeat);
- ``gap``: the stretches between readings around what changed; a replay that fills one
  resolves its alert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts import evaluation as ev
from power_portal.alerts import repository
from power_portal.alerts.engine import (
    BUCKET,
    DAILY_KINDS,
    STALE_AFTER,
    Catalogue,
    Reading,
    RuleSpec,
    Subject,
    Watched,
    combine,
    daily_points,
    fixed,
    floor_bucket,
    lookback,
    points,
)
from power_portal.alerts.models import Alert, AlertEvent, OutboxEntry
from power_portal.alerts.repository import StateKey, StateRow
from power_portal.alerts.schemas import GapParams, OfflineParams
from power_portal.measurements.buckets import local_midnight

_OK = ev.AlertState()
# How far behind the watermark late data is evaluated (older: the backtest's business).
BACKFILL_LIMIT = timedelta(days=7)
MAX_POINTS_PER_TICK = 7 * 24 * 4  # a week of buckets per rule and subject
# Gaps older than this (an import of history) are the backtest's business, not an alert.
RECENT_GAPS = timedelta(days=7)


@dataclass
class TickResult:
    rules_evaluated: int = 0
    transitions: int = 0
    notifications: int = 0
    changed_devices: int = 0
    fired: list[int] = field(default_factory=list)


class Notifier:
    """Writes the outbox rows a transition owes (recipients looked up once per tick)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self._emails: dict[tuple[str, int | None], list[repository.Recipient]] = {}
        self._webhooks: list[tuple[int, str, list[str]]] | None = None

    async def queue(self, alert: Alert, event: AlertEvent) -> int:
        key = (alert.severity, alert.site_id)
        if key not in self._emails:
            self._emails[key] = await repository.email_recipients(
                self.db, alert.severity, alert.site_id
            )
        if self._webhooks is None:
            self._webhooks = [
                (w.id, w.name, list(w.severities))
                for w in await repository.webhooks(self.db, enabled_only=True)
            ]
        prefix = f"alert-{alert.id}-{event.id}"
        entries = [
            OutboxEntry(
                idempotency_key=f"{prefix}-email-{recipient.user_id}",
                alert_id=alert.id,
                event_id=event.id,
                event=event.event,
                channel="email",
                recipient=recipient.email,
            )
            for recipient in self._emails[key]
        ]
        entries += [
            OutboxEntry(
                idempotency_key=f"{prefix}-webhook-{webhook_id}",
                alert_id=alert.id,
                event_id=event.id,
                event=event.event,
                channel="webhook",
                recipient=name[:320],
                webhook_id=webhook_id,
            )
            for webhook_id, name, severities in self._webhooks
            if alert.severity in severities
        ]
        self.db.add_all(entries)
        return len(entries)


async def record(
    db: AsyncSession,
    notifier: Notifier,
    rule: RuleSpec,
    subject: Subject,
    row: StateRow,
    step: ev.Step,
    watched: Watched,
) -> int:
    """Write one transition (alert, event, outbox); returns the notifications queued."""
    at = watched.point.at
    if step.event is ev.Event.FIRED:
        alert = Alert(
            rule_id=rule.id,
            rule_name=rule.name,
            kind=rule.kind,
            severity=rule.severity,
            site_id=subject.site.id,
            subject_kind=subject.kind,
            subject_id=subject.id,
            subject_name=subject.name,
            state="firing",
            value=watched.point.value,
            threshold=watched.threshold,
            unit=watched.unit,
            message=watched.message,
            started_at=step.state.since or at,
            fired_at=at,
        )
        db.add(alert)
        await db.flush()
        event = AlertEvent(
            alert_id=alert.id,
            event="fired",
            at=at,
            from_state=row.status,
            to_state="firing",
            value=watched.point.value,
            message=watched.message,
        )
        db.add(event)
        await db.flush()
        row.alert_id = alert.id
        return await notifier.queue(alert, event)
    if step.event is ev.Event.RESOLVED and row.alert_id is not None:
        found = await repository.get_alert(db, row.alert_id)
        row.alert_id = None
        if found is None or found.state != "firing":
            return 0
        return await resolve(db, notifier, found, at, watched.point.value, watched.message)
    return 0


async def resolve(
    db: AsyncSession,
    notifier: Notifier,
    alert: Alert,
    at: datetime,
    value: float | None,
    message: str,
) -> int:
    """An alert resolves: the event, and its notification unless someone acknowledged it."""
    alert.state = "resolved"
    alert.resolved_at = at
    event = AlertEvent(
        alert_id=alert.id,
        event="resolved",
        at=at,
        from_state="firing",
        to_state="resolved",
        value=value,
        message=message,
    )
    db.add(event)
    await db.flush()
    if alert.acknowledged_at is not None:
        return 0
    return await notifier.queue(alert, event)


class Tick:
    """One evaluation pass in the caller's transaction (the caller commits)."""

    def __init__(self, db: AsyncSession, now: datetime) -> None:
        self.db = db
        self.now = now
        self.notifier = Notifier(db)
        self.result = TickResult()
        self.catalogue = Catalogue({}, {}, {})

    async def run(self, *, clock: bool = True) -> TickResult:
        db = self.db
        changes = await repository.take_changes(db)
        self.result.changed_devices = len(changes)
        rules = [RuleSpec.of(row) for row in await repository.enabled_rule_rows(db)]
        if not rules:
            return self.result
        self.catalogue = catalogue = await Catalogue.load(db)
        rows = await repository.states(db, [r.id for r in rules])
        threshold_work: list[tuple[RuleSpec, Subject]] = []
        offline_work: list[tuple[RuleSpec, Subject]] = []
        gap_work: list[tuple[RuleSpec, Subject]] = []
        for rule in rules:
            for subject in await catalogue.subjects(db, rule):
                touched = not changes.keys().isdisjoint(subject.coefficients)
                if rule.kind == "offline":
                    if clock or touched:
                        offline_work.append((rule, subject))
                elif rule.kind == "gap":
                    if touched:
                        gap_work.append((rule, subject))
                elif touched:
                    threshold_work.append((rule, subject))
        marks = await repository.watermarks(db)  # before this tick moves them
        # the newest reading of every device a threshold or offline rule watches, read once
        watched_devices = {d for _, s in threshold_work + offline_work for d in s.coefficients}
        latest = await repository.latest_readings(db, sorted(watched_devices))
        await self._threshold(threshold_work, rows, latest, marks)
        await self._backfill(threshold_work, changes, marks)
        await self._offline(offline_work, rows, latest)
        await self._gaps(gap_work, changes)
        await repository.save_states(db, list(rows.values()), self.now)
        self.result.rules_evaluated = len(threshold_work) + len(offline_work) + len(gap_work)
        return self.result

    async def _apply(
        self,
        rule: RuleSpec,
        subject: Subject,
        rows: dict[StateKey, StateRow],
        watched: Sequence[Watched],
    ) -> None:
        """Step the rule's state for the subject through the points; a state row is made
        (and written) only when something changes: most pairs stay ok tick after tick."""
        key = (rule.id, subject.kind, subject.id)
        row = rows.get(key)
        state = _OK if row is None else ev.AlertState(ev.Status(row.status), row.since)
        start = state
        for item in watched:
            step = ev.advance(state, item.point, rule.for_minutes)
            if step.event is not None:
                if row is None:
                    row = rows[key] = StateRow(rule.id, subject.kind, subject.id)
                self.result.transitions += 1
                if step.event is ev.Event.FIRED:
                    self.result.fired.append(rule.id)
                self.result.notifications += await record(
                    self.db, self.notifier, rule, subject, row, step, item
                )
                row.changed = True
            state = step.state
            if row is not None:
                row.status, row.since, row.value = state.status.value, state.since, item.point.value
        if state != start:
            if row is None:
                row = rows[key] = StateRow(rule.id, subject.kind, subject.id)
            row.status, row.since = state.status.value, state.since
            row.value = watched[-1].point.value if watched else row.value
            row.changed = True

    # ---------------------------------------------------------------- threshold rules

    async def _threshold(
        self,
        work: list[tuple[RuleSpec, Subject]],
        rows: dict[StateKey, StateRow],
        latest: dict[int, datetime],
        marks: dict[repository.WatermarkKey, datetime],
    ) -> None:
        if not work:
            return
        moved: dict[repository.WatermarkKey, datetime] = {}
        plans: list[tuple[RuleSpec, Subject, list[datetime], datetime]] = []
        daily: list[tuple[RuleSpec, Subject, list[date]]] = []
        completes: dict[tuple[str, int], datetime | None] = {}
        ends_of: dict[repository.WatermarkKey, list[datetime]] = {}
        for rule, subject in work:
            subject_key = (subject.kind, subject.id)
            if subject_key not in completes:
                completes[subject_key] = _complete_until(subject, latest)
            complete = completes[subject_key]
            if complete is None:
                continue
            cadence = "day" if rule.kind in DAILY_KINDS else "bucket"
            key = (subject.kind, subject.id, cadence)
            if rule.kind in DAILY_KINDS:
                days = _completed_days(subject, marks.get(key), complete)
                if days:
                    daily.append((rule, subject, days))
                    moved[key] = local_midnight(days[-1] + timedelta(days=1), subject.zone)
                continue
            ends = ends_of.get(key)
            if ends is None:
                ends = ends_of[key] = _bucket_ends(marks.get(key), complete)
            if ends:
                plans.append((rule, subject, ends, ends[0] - BUCKET - lookback(rule, ends[0])))
                moved[key] = ends[-1]
        if plans:
            lo = min(p[3] for p in plans)
            hi = max(p[2][-1] for p in plans)
            ids = sorted({d for p in plans for d in p[1].coefficients})
            fetched = await repository.buckets(self.db, ids, lo, hi)
            by_device: dict[int, list[repository.Bucket]] = defaultdict(list)
            for bucket in fetched:
                by_device[bucket.device_id].append(bucket)
            combined: dict[tuple[str, int], dict[datetime, Reading]] = {}
            for rule, subject, ends, _ in plans:
                readings = combined.get((subject.kind, subject.id))
                if readings is None:
                    readings = combined[(subject.kind, subject.id)] = combine(
                        [b for d in subject.coefficients for b in by_device.get(d, [])],
                        subject.coefficients,
                    )
                watched = await points(self.db, self.catalogue, rule, subject, readings, ends)
                await self._apply(rule, subject, rows, watched)
        for rule, subject, days in daily:
            watched = await daily_points(self.db, rule, subject, days)
            await self._apply(rule, subject, rows, watched)
        await repository.save_watermarks(self.db, moved)

    # ---------------------------------------------------------------- back-fills

    async def _backfill(
        self,
        work: list[tuple[RuleSpec, Subject]],
        changes: dict[int, tuple[datetime, datetime]],
        marks: dict[repository.WatermarkKey, datetime],
    ) -> None:
        """Data that arrived behind a subject's watermark (a meter's buffer replayed after
        newer readings) is evaluated on its own, from a clean state, like the backtest: an
        episode that fired and resolved inside it becomes an alert with both notifications,
        unless an alert of the rule and subject already covers that time (it was notified
        then). An episode still going at the watermark is the live state's business."""
        if not work:
            return
        spans: dict[tuple[str, int], tuple[datetime, datetime]] = {}
        for _, subject in work:
            mark = marks.get((subject.kind, subject.id, "bucket"))
            if mark is None or (subject.kind, subject.id) in spans:
                continue
            behind = [changes[d][0] for d in subject.coefficients if d in changes]
            first = min(behind, default=mark)
            if first >= mark:
                continue
            start = max(floor_bucket(first) + BUCKET, mark - BACKFILL_LIMIT)
            if start <= mark:
                spans[(subject.kind, subject.id)] = (start, mark)
        for rule, subject in work:
            span = spans.get((subject.kind, subject.id))
            if span is None or rule.kind in DAILY_KINDS:
                continue
            start, mark = span
            ends = [start + BUCKET * i for i in range(int((mark - start) / BUCKET) + 1)]
            lo = ends[0] - BUCKET - lookback(rule, ends[0])
            fetched = await repository.buckets(self.db, list(subject.coefficients), lo, mark)
            readings = combine(fetched, subject.coefficients)
            watched = await points(self.db, self.catalogue, rule, subject, readings, ends)
            for episode in ev.run([w.point for w in watched], rule.for_minutes, rule.direction):
                if episode.fired_at is None or episode.resolved_at is None:
                    continue
                if await repository.alert_covers(
                    self.db,
                    rule.id,
                    subject.kind,
                    subject.id,
                    episode.started_at,
                    episode.resolved_at,
                ):
                    continue
                fired = next(w for w in watched if w.point.at == episode.fired_at)
                cleared = next(w for w in watched if w.point.at == episode.resolved_at)
                row = StateRow(rule.id, subject.kind, subject.id, "pending", episode.started_at)
                note = " (found in data that arrived late)"
                for step, item in (
                    (
                        ev.Step(
                            ev.AlertState(ev.Status.FIRING, episode.started_at), ev.Event.FIRED
                        ),
                        fired,
                    ),
                    (ev.Step(ev.AlertState(), ev.Event.RESOLVED), cleared),
                ):
                    late = Watched(item.point, _noted(item, note), item.threshold, item.unit)
                    self.result.transitions += 1
                    self.result.notifications += await record(
                        self.db, self.notifier, rule, subject, row, step, late
                    )
                    row.status = "firing" if step.event is ev.Event.FIRED else "ok"

    # ---------------------------------------------------------------- offline

    async def _offline(
        self,
        work: list[tuple[RuleSpec, Subject]],
        rows: dict[StateKey, StateRow],
        latest: dict[int, datetime],
    ) -> None:
        if not work:
            return
        device_ids = sorted({d for _, s in work for d in s.coefficients})
        beats = await repository.heartbeats(self.db, device_ids)
        for rule, subject in work:
            params: OfflineParams = rule.parsed
            device_id = next(iter(subject.coefficients))
            device = self.catalogue.devices.get(device_id)
            last = latest.get(device_id)
            since = last or (device.created_at if device is not None else None)
            if since is None:
                continue
            limit = timedelta(minutes=params.minutes)
            silent = self.now - since
            beat = beats.get(device_id)
            gateway_silent = beat is not None and self.now - beat > limit
            breached = silent > limit or gateway_silent
            minutes = silent.total_seconds() / 60
            if gateway_silent and beat is not None:
                beat_minutes = (self.now - beat).total_seconds() / 60
                text = (
                    f"no heartbeat from the gateway for {beat_minutes:.0f} min"
                    f" and no reading for {minutes:.0f} min"
                )
            elif last is None:
                text = f"no reading since the meter was added {minutes:.0f} min ago"
            else:
                text = f"no reading for {minutes:.0f} min (last {last.isoformat()})"
            watched = Watched(
                ev.Point(self.now, round(minutes, 1), breached, breached),
                fixed(text if breached else f"readings again (last {since.isoformat()})"),
                float(params.minutes),
                "min",
            )
            await self._apply(rule, subject, rows, [watched])

    # ---------------------------------------------------------------- gaps

    async def _gaps(
        self,
        work: list[tuple[RuleSpec, Subject]],
        changes: dict[int, tuple[datetime, datetime]],
    ) -> None:
        if not work:
            return
        open_alerts = await repository.open_gap_alerts(self.db, sorted({r.id for r, _ in work}))
        for rule, subject in work:
            params: GapParams = rule.parsed
            device_id = subject.id
            lo, hi = changes[device_id]
            mine = [
                a
                for a in open_alerts
                if a.rule_id == rule.id and a.subject_id == device_id and a.gap_start and a.gap_end
            ]
            for alert in mine:
                if alert.gap_start is None or alert.gap_end is None:
                    continue
                if hi < alert.gap_start or lo > alert.gap_end:
                    continue
                left = await repository.reading_gaps(
                    self.db,
                    device_id,
                    alert.gap_start + timedelta(microseconds=1),
                    alert.gap_end - timedelta(microseconds=1),
                    params.minutes,
                )
                if not left:
                    self.result.transitions += 1
                    self.result.notifications += await resolve(
                        self.db,
                        self.notifier,
                        alert,
                        self.now,
                        None,
                        f"the gap from {alert.gap_start.isoformat()} to "
                        f"{alert.gap_end.isoformat()} was filled",
                    )
            known = await repository.known_gap_starts(self.db, rule.id, device_id)
            covered = [(a.gap_start, a.gap_end) for a in mine if a.state == "firing"]
            for start, end in await repository.reading_gaps(
                self.db, device_id, lo, hi, params.minutes
            ):
                if start in known or end < self.now - RECENT_GAPS:
                    continue
                if any(
                    s is not None and e is not None and s <= start and end <= e for s, e in covered
                ):
                    continue
                hours = (end - start).total_seconds() / 3600
                text = f"no readings from {start.isoformat()} to {end.isoformat()} ({hours:.1f} h)"
                alert = Alert(
                    rule_id=rule.id,
                    rule_name=rule.name,
                    kind=rule.kind,
                    severity=rule.severity,
                    site_id=subject.site.id,
                    subject_kind="device",
                    subject_id=device_id,
                    subject_name=subject.name,
                    state="firing",
                    value=round(hours * 60, 1),
                    threshold=float(params.minutes),
                    unit="min",
                    message=text,
                    started_at=start,
                    fired_at=self.now,
                    gap_start=start,
                    gap_end=end,
                )
                self.db.add(alert)
                await self.db.flush()
                event = AlertEvent(
                    alert_id=alert.id,
                    event="fired",
                    at=self.now,
                    from_state="ok",
                    to_state="firing",
                    value=alert.value,
                    message=text,
                )
                self.db.add(event)
                await self.db.flush()
                self.result.transitions += 1
                self.result.fired.append(rule.id)
                self.result.notifications += await self.notifier.queue(alert, event)


def _complete_until(subject: Subject, latest: dict[int, datetime]) -> datetime | None:
    """The end of the subject's newest complete bucket: the newest reading of its slowest
    device, ignoring devices silent for a day (a dead meter does not hold up the others)."""
    times = [latest[d] for d in subject.coefficients if d in latest]
    if not times:
        return None
    newest = max(times)
    return floor_bucket(min(t for t in times if newest - t <= STALE_AFTER))


def _bucket_ends(watermark: datetime | None, complete: datetime) -> list[datetime]:
    """The bucket ends to evaluate: after the watermark up to ``complete`` (at most a
    week's worth, the newest); a subject never evaluated starts at ``complete``."""
    if watermark is None:
        return [complete]
    first = max(floor_bucket(watermark) + BUCKET, complete - BUCKET * (MAX_POINTS_PER_TICK - 1))
    count = int((complete - first) / BUCKET) + 1
    return [first + BUCKET * i for i in range(max(0, count))]


def _completed_days(subject: Subject, watermark: datetime | None, complete: datetime) -> list[date]:
    """Local days completed by ``complete`` and not yet evaluated (a new rule: the last)."""
    zone = subject.zone
    last = complete.astimezone(zone).date() - timedelta(days=1)
    if watermark is None:
        return [last]
    first = watermark.astimezone(zone).date()
    count = (last - first).days + 1
    return [first + timedelta(days=i) for i in range(min(max(0, count), 7 * 8))][-56:]


def _noted(item: Watched, note: str) -> Callable[[float | None], str]:
    """``item``'s description with ``note`` after it."""
    return lambda value: item.describe(value) + note

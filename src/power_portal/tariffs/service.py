"""Tariffs stored by version, and the rate service that bills a site."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import structlog
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.core.errors import ConflictError, NotFoundError, PortalError
from power_portal.sites.models import Device, Site
from power_portal.tariffs.calculator import (
    BillError,
    Readings,
    calculate_bill,
    daily_energy_costs,
)
from power_portal.tariffs.models import Tariff, TariffVersionRow
from power_portal.tariffs.schemas import (
    Bill,
    DailyCost,
    DailyCosts,
    MonthCost,
    PeriodCost,
    TariffIn,
    TariffRead,
    TariffSummary,
    TariffVersion,
)
from power_portal.tariffs.validator import TariffProblem, validate_tariff

log = structlog.get_logger(__name__)

_VERSION_COLUMNS = ("effective_from", "effective_to", "vat_percent")


class TariffInvalidError(PortalError):
    """The tariff breaks a consistency rule; ``problems`` name the places."""

    status_code = 422

    def __init__(self, problems: list[TariffProblem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems

    def detail_body(self) -> object:
        return [problem.as_detail() for problem in self.problems]


class BillUnavailableError(PortalError):
    status_code = 409


def _version_row(version: TariffVersion) -> TariffVersionRow:
    definition = version.model_dump(mode="json", exclude=set(_VERSION_COLUMNS))
    return TariffVersionRow(
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        vat_percent=version.vat_percent,
        definition=definition,
    )


def to_document(tariff: Tariff) -> TariffIn:
    versions: list[dict[str, Any]] = [
        {
            "effective_from": row.effective_from,
            "effective_to": row.effective_to,
            "vat_percent": row.vat_percent,
            **row.definition,
        }
        for row in tariff.versions
    ]
    return TariffIn.model_validate(
        {
            "name": tariff.name,
            "currency": tariff.currency,
            "timezone": tariff.timezone,
            "public_holidays": tariff.public_holidays,
            "versions": versions,
        }
    )


def to_read(tariff: Tariff) -> TariffRead:
    return TariffRead(
        **to_document(tariff).model_dump(),
        id=tariff.id,
        created_at=tariff.created_at,
        updated_at=tariff.updated_at,
    )


def check(document: TariffIn) -> None:
    problems = validate_tariff(document)
    if problems:
        raise TariffInvalidError(problems)


async def list_tariffs(db: AsyncSession) -> list[TariffSummary]:
    site_counts = (
        select(Site.tariff_id, func.count().label("n")).group_by(Site.tariff_id).subquery()
    )
    rows = await db.execute(
        select(Tariff, func.coalesce(site_counts.c.n, 0))
        .outerjoin(site_counts, site_counts.c.tariff_id == Tariff.id)
        .order_by(Tariff.name, Tariff.id)
    )
    return [
        TariffSummary(
            id=tariff.id,
            name=tariff.name,
            currency=tariff.currency,
            timezone=tariff.timezone,
            version_count=len(tariff.versions),
            site_count=int(count),
        )
        for tariff, count in rows
    ]


async def get_tariff(db: AsyncSession, tariff_id: int) -> Tariff:
    tariff = await db.get(Tariff, tariff_id)
    if tariff is None:
        raise NotFoundError(f"no tariff with id {tariff_id}")
    return tariff


async def create_tariff(db: AsyncSession, document: TariffIn) -> Tariff:
    check(document)
    tariff = Tariff(
        name=document.name,
        currency=document.currency,
        timezone=document.timezone,
        public_holidays=(
            document.public_holidays.model_dump(mode="json") if document.public_holidays else None
        ),
        versions=[_version_row(v) for v in document.versions],
    )
    db.add(tariff)
    await db.commit()
    await db.refresh(tariff)
    log.info("tariffs.created", tariff_id=tariff.id)
    return tariff


async def replace_tariff(db: AsyncSession, tariff_id: int, document: TariffIn) -> Tariff:
    check(document)
    tariff = await get_tariff(db, tariff_id)
    tariff.name = document.name
    tariff.currency = document.currency
    tariff.timezone = document.timezone
    tariff.public_holidays = (
        document.public_holidays.model_dump(mode="json") if document.public_holidays else None
    )
    tariff.versions = [_version_row(v) for v in document.versions]
    await db.commit()
    await db.refresh(tariff)
    log.info("tariffs.replaced", tariff_id=tariff.id)
    return tariff


async def delete_tariff(db: AsyncSession, tariff_id: int) -> None:
    tariff = await get_tariff(db, tariff_id)
    used = (await db.execute(select(func.count()).where(Site.tariff_id == tariff_id))).scalar_one()
    if used:
        raise ConflictError(f"tariff {tariff_id} is used by {used} site(s): assign another first")
    await db.delete(tariff)
    await db.commit()


# ---------------------------------------------------------------- the rate service


async def site_readings(
    db: AsyncSession, site: Site, start: date, end: date, timezone: str
) -> list[Readings]:
    """Each device's register readings for the span, plus one either side (for pro rata)."""
    zone = ZoneInfo(timezone)
    lo = datetime(start.year, start.month, start.day, tzinfo=zone)
    hi = datetime(end.year, end.month, end.day, tzinfo=zone)
    device_ids = list(
        (await db.execute(select(Device.id).where(Device.site_id == site.id))).scalars()
    )
    meters: list[Readings] = []
    for device_id in device_ids:
        rows = (
            await db.execute(
                text("""
                    SELECT extract(epoch FROM time)::bigint, energy_import_kwh,
                           apparent_energy_kvah, reactive_energy_import_kvarh
                    FROM monitoring.power_measurements
                    WHERE device_id = :d
                      AND time >= coalesce((SELECT max(time) FROM monitoring.power_measurements
                                            WHERE device_id = :d AND time < :lo), :lo)
                      AND time <= coalesce((SELECT min(time) FROM monitoring.power_measurements
                                            WHERE device_id = :d AND time > :hi), :hi)
                    ORDER BY time
                """),
                {"d": device_id, "lo": lo, "hi": hi},
            )
        ).all()
        if len(rows) < 2:
            continue
        array = np.array(
            [tuple(np.nan if v is None else v for v in row) for row in rows], dtype=np.float64
        )
        meters.append(
            Readings(
                times=array[:, 0].astype(np.int64),
                energy_import_kwh=array[:, 1],
                apparent_energy_kvah=array[:, 2],
                reactive_energy_import_kvarh=array[:, 3],
            )
        )
    return meters


async def site_bill(db: AsyncSession, site: Site, start: date, end: date) -> Bill:
    document = await _site_tariff(db, site)
    meters = await site_readings(db, site, start, end, document.timezone)
    try:
        return calculate_bill(document, meters, start, end)
    except BillError as exc:
        raise BillUnavailableError(str(exc)) from exc


async def _site_tariff(db: AsyncSession, site: Site) -> TariffIn:
    if site.tariff_id is None:
        raise BillUnavailableError(
            f"site {site.id} has no tariff: assign one with PATCH /api/sites/{site.id}"
        )
    return to_document(await get_tariff(db, site.tariff_id))


async def site_daily_costs(db: AsyncSession, site: Site, start: date, end: date) -> DailyCosts:
    document = await _site_tariff(db, site)
    meters = await site_readings(db, site, start, end, document.timezone)
    try:
        costs = daily_energy_costs(document, meters, start, end)
    except BillError as exc:
        raise BillUnavailableError(str(exc)) from exc
    by_day: dict[date, list[PeriodCost]] = {}
    for cost in costs:
        by_day.setdefault(cost.day, []).append(
            PeriodCost(
                season=cost.season, period=cost.period, energy_kwh=cost.energy_kwh, cost=cost.cost
            )
        )
    days = [
        DailyCost(
            date=day,
            energy_kwh=round(sum(p.energy_kwh for p in periods), 6),
            cost=round(sum(p.cost for p in periods), 2),
            by_period=periods,
        )
        for day, periods in sorted(by_day.items())
    ]
    return DailyCosts(currency=document.currency, timezone=document.timezone, days=days)


async def site_month_cost(db: AsyncSession, site: Site, now: datetime) -> MonthCost:
    document = await _site_tariff(db, site)
    zone = ZoneInfo(document.timezone)
    local_now = now.astimezone(zone)
    first = date(local_now.year, local_now.month, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    days_in_month = (following - first).days
    month_start = datetime(first.year, first.month, 1, tzinfo=zone)
    elapsed = max((local_now - month_start).total_seconds() / 86400, 1 / 24)
    meters = await site_readings(db, site, first, following, document.timezone)
    try:
        whole = calculate_bill(document, meters, first, following)  # fixed: the whole month
        today = local_now.date() + timedelta(days=1)
        to_date = calculate_bill(document, meters, first, min(today, following))
    except BillError as exc:
        raise BillUnavailableError(str(exc)) from exc
    energy_so_far = sum(
        line.amount for line in to_date.lines if line.kind in ("energy", "reactive")
    )
    extrapolated = energy_so_far * (days_in_month / elapsed - 1)
    vat_share = whole.vat / whole.subtotal if whole.subtotal else 0.0
    projected = (whole.subtotal + extrapolated) * (1 + vat_share)
    return MonthCost(
        currency=document.currency,
        month=f"{first.year:04d}-{first.month:02d}",
        days_elapsed=round(elapsed, 3),
        days_in_month=days_in_month,
        to_date_subtotal=to_date.subtotal,
        to_date_total=to_date.total,
        projected_total=round(projected, 2),
    )

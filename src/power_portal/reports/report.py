"""The site report of a month or week (docs/api/reports.md, "The site report"): gathered
from the same services as the API's bill, costs and summary, so its figures are theirs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.billing import service as billing_service
from power_portal.billing.costs import local_midnight
from power_portal.billing.schemas import DailyCosts
from power_portal.billing.service import BillUnavailableError
from power_portal.core.request_checks import DateSpan
from power_portal.measurements import rollup_queue
from power_portal.measurements.schemas import EnergyResponse, Interval, Summary
from power_portal.reports import figures, repository
from power_portal.reports.periods import Period, previous, year_before
from power_portal.reports.schemas import (
    Comparison,
    PowerFactor,
    ReportAlert,
    ReportDay,
    SiteReport,
)
from power_portal.sites import service as sites_service
from power_portal.sites.models import Site
from power_portal.tariffs.calculator import billed_demand_unit
from power_portal.tariffs.schemas import Bill, TariffIn

MAX_ALERTS = 200


async def _tariff(db: AsyncSession, site: Site) -> tuple[TariffIn | None, str | None]:
    try:
        return await billing_service.site_tariff(db, site), None
    except BillUnavailableError as exc:
        return None, str(exc)


async def _bill_and_days(
    db: AsyncSession, site: Site, span: DateSpan
) -> tuple[Bill | None, DailyCosts | None, str | None]:
    try:
        bill, days = await billing_service.site_bill_with_daily_costs(db, site, span)
    except BillUnavailableError as exc:
        return None, None, str(exc)
    return bill, days, None


async def _comparison(
    db: AsyncSession,
    site: Site,
    label: str,
    period: Period,
    unit: Literal["kW", "kVA"],
    current_import: float,
    with_cost: bool,
) -> Comparison:
    span = DateSpan(period.start, period.end)
    summary = await sites_service.site_summary(db, site, span)
    has_data = summary.last_reading_at is not None and (
        summary.energy_import_kwh > 0 or summary.peak_demand_kw is not None
    )
    total: float | None = None
    if with_cost and has_data:
        try:
            total = (await billing_service.site_bill(db, site, span)).total
        except BillUnavailableError:
            total = None
    peak = summary.peak_demand_kva if unit == "kVA" else summary.peak_demand_kw
    energy = summary.energy_import_kwh if has_data else None
    days = await sites_service.site_energy(db, site, span, Interval.DAY)
    mostly_read = figures.mostly_covered([p.energy_import_kwh for p in days.points])
    return Comparison(
        label=label,
        start=period.start,
        end=period.end,
        energy_import_kwh=energy,
        total=total,
        peak_demand=peak if has_data else None,
        energy_change_percent=(
            figures.change_percent(current_import, energy) if mostly_read else None
        ),
    )


def _days(energy: EnergyResponse, costs: DailyCosts | None, zone: ZoneInfo) -> list[ReportDay]:
    cost_by_day = {day.date: day.cost for day in costs.days} if costs is not None else {}
    return [
        ReportDay(
            date=point.start.astimezone(zone).date(),
            energy_kwh=round(point.energy_import_kwh or 0.0, 3),
            cost=cost_by_day.get(point.start.astimezone(zone).date()),
        )
        for point in energy.points
    ]


async def site_report(db: AsyncSession, site: Site, period: Period, now: datetime) -> SiteReport:
    """The report of ``period`` (local dates) as of ``now`` (completeness counts up to now
    for a period not over yet)."""
    zone = ZoneInfo(site.timezone)
    span = DateSpan(period.start, period.end)
    device_ids = await sites_service.metered_device_ids(db, site)
    tariff, no_tariff = await _tariff(db, site)
    bill, costs, no_bill = (None, None, no_tariff)
    if tariff is not None:
        bill, costs, no_bill = await _bill_and_days(db, site, span)
    unit = billed_demand_unit(tariff)
    summary: Summary = await sites_service.site_summary(db, site, span)
    energy = await sites_service.site_energy(db, site, span, Interval.DAY)
    lo, hi = local_midnight(period.start, site.timezone), local_midnight(period.end, site.timezone)
    names = await repository.site_devices(db, site.id)
    await rollup_queue.flush(db, list(names))
    buckets = await repository.buckets(db, list(names), lo, hi)
    metered = set(device_ids)
    alerts = await repository.alerts_fired(db, site.id, lo, hi, MAX_ALERTS)
    comparisons = [
        await _comparison(db, site, label, other, unit, summary.energy_import_kwh, bill is not None)
        for label, other in (
            (f"Previous {period.kind}", previous(period)),
            (
                f"Same {period.kind} last year" if period.kind == "month" else "52 weeks before",
                year_before(period),
            ),
        )
    ]
    return SiteReport(
        site_id=site.id,
        site_name=site.name,
        timezone=site.timezone,
        currency=bill.currency if bill is not None else None,
        period=period.kind,
        label=period.label,
        start=period.start,
        end=period.end,
        energy_import_kwh=summary.energy_import_kwh,
        energy_export_kwh=summary.energy_export_kwh,
        subtotal=bill.subtotal if bill is not None else None,
        vat=bill.vat if bill is not None else None,
        total=bill.total if bill is not None else None,
        no_cost_reason=no_bill,
        by_period=figures.energy_by_period(bill) if bill is not None else [],
        peak_demand=figures.peak_demand((b for b in buckets if b.device_id in metered), unit, zone),
        power_factor=PowerFactor(
            average=summary.average_power_factor,
            minimum=figures.minimum_power_factor(b for b in buckets if b.device_id in metered),
        ),
        days=_days(energy, costs, zone),
        comparisons=comparisons,
        completeness=figures.completeness(buckets, names, lo, min(hi, max(lo, now)), zone),
        alerts=[
            ReportAlert(
                id=alert.id,
                severity=alert.severity,
                rule_name=alert.rule_name,
                subject_name=alert.subject_name,
                fired_at=alert.fired_at.astimezone(zone),
                resolved_at=alert.resolved_at.astimezone(zone) if alert.resolved_at else None,
                message=alert.message,
            )
            for alert in alerts
        ],
    )

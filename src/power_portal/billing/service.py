"""A site's bill, daily costs and month cost: the site's tariff applied to its readings.

A site is billed on its supply points, or on all its devices when it has none
(``sites.service.metered_device_ids``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.billing import repository
from power_portal.billing.bill_csv import bill_csv
from power_portal.billing.bill_xlsx import bill_sheet
from power_portal.billing.costs import daily_costs, local_midnight, month_cost, month_so_far
from power_portal.billing.schemas import DailyCosts, MonthCost
from power_portal.core.errors import PortalError
from power_portal.core.exports import CsvFile
from power_portal.core.request_checks import DateSpan
from power_portal.core.xlsx import XlsxFile, xlsx_file
from power_portal.sites import service as sites_service
from power_portal.sites.models import Site
from power_portal.tariffs import service as tariffs_service
from power_portal.tariffs.calculator import BillError, Readings, calculate_bill
from power_portal.tariffs.schemas import Bill, TariffIn


class BillUnavailableError(PortalError):
    """No tariff, or no tariff version for the span (409)."""

    status_code = 409


@contextmanager
def _billable() -> Iterator[None]:
    try:
        yield
    except BillError as exc:
        raise BillUnavailableError(str(exc)) from exc


async def site_tariff(db: AsyncSession, site: Site) -> TariffIn:
    if site.tariff_id is None:
        raise BillUnavailableError(
            f"site {site.id} has no tariff: assign one with PATCH /api/sites/{site.id}"
        )
    tariff = await tariffs_service.get_tariff(db, site.tariff_id)
    return TariffIn.model_validate(tariff, from_attributes=True)


async def _readings(
    db: AsyncSession, site: Site, tariff: TariffIn, start: date, end: date
) -> list[Readings]:
    lo, hi = local_midnight(start, tariff.timezone), local_midnight(end, tariff.timezone)
    device_ids = await sites_service.metered_device_ids(db, site)
    return await repository.site_readings(db, device_ids, lo, hi)


async def site_bill(db: AsyncSession, site: Site, span: DateSpan) -> Bill:
    tariff = await site_tariff(db, site)
    meters = await _readings(db, site, tariff, span.start, span.end)
    with _billable():
        return calculate_bill(tariff, meters, span.start, span.end)


async def site_bill_csv(db: AsyncSession, site: Site, span: DateSpan) -> CsvFile:
    bill = await site_bill(db, site, span)
    return CsvFile(f"bill-site{site.id}-{span.start}-{span.end}.csv", bill_csv(bill))


async def site_bill_xlsx(db: AsyncSession, site: Site, span: DateSpan) -> XlsxFile:
    """The bill as a workbook: the rows of its CSV (``bill_xlsx.bill_sheet``)."""
    bill = await site_bill(db, site, span)
    name = f"bill-site{site.id}-{span.start}-{span.end}.xlsx"
    return await xlsx_file(name, [bill_sheet(bill)])


async def site_daily_costs(db: AsyncSession, site: Site, span: DateSpan) -> DailyCosts:
    tariff = await site_tariff(db, site)
    meters = await _readings(db, site, tariff, span.start, span.end)
    with _billable():
        return daily_costs(tariff, meters, span.start, span.end)


async def site_month_cost(db: AsyncSession, site: Site, now: datetime) -> MonthCost:
    tariff = await site_tariff(db, site)
    month = month_so_far(now, tariff.timezone)
    meters = await _readings(db, site, tariff, month.first, month.following)
    with _billable():
        return month_cost(tariff, meters, month)


async def site_bill_with_daily_costs(
    db: AsyncSession, site: Site, span: DateSpan
) -> tuple[Bill, DailyCosts]:
    """The bill and its daily costs from one read of the readings (the site report)."""
    tariff = await site_tariff(db, site)
    meters = await _readings(db, site, tariff, span.start, span.end)
    with _billable():
        bill = calculate_bill(tariff, meters, span.start, span.end)
        return bill, daily_costs(tariff, meters, span.start, span.end)

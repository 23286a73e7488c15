"""A tenant's bill and a site's reconciliation as Excel workbooks (docs/api/reports.md,
"Excel"): the same figures as their JSON (``bills``), numbers as numbers, units in the headers.

A tenant's bill: the rows of its ``bill.csv`` (``billing.bill_xlsx``) and a "Meters" sheet,
each meter it read with the instants it counted from and to (the site's wall-clock times) and
its import registers there. The reconciliation: one sheet, a row per figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.billing.bill_xlsx import bill_sheet
from power_portal.core.xlsx import (
    GENERAL,
    KWH,
    MONEY,
    CellValue,
    Column,
    Sheet,
    XlsxFile,
    local_naive,
    xlsx_file,
    zone_header,
)
from power_portal.sites import service as sites_service
from power_portal.sites.models import Site
from power_portal.tenants import bills
from power_portal.tenants.models import Tenant
from power_portal.tenants.schemas import CommonMeter, Month, Reconciliation, TenantBillMeter

KIND_LABELS = {"device": "device", "virtual_meter": "virtual meter"}


# ---------------------------------------------------------------- the tenant's bill


def meters_sheet(meters: Sequence[TenantBillMeter], timezone: str) -> Sheet:
    """The bill's meters: name, kind, from, to (local), opening and closing register, energy."""
    zone = ZoneInfo(timezone)
    columns = [
        Column("Meter"),
        Column("Kind"),
        Column(zone_header("From", timezone), "datetime"),
        Column(zone_header("To", timezone), "datetime"),
        Column("Opening register (kWh)", "number", KWH),
        Column("Closing register (kWh)", "number", KWH),
        Column("Energy (kWh)", "number", KWH),
    ]
    rows: list[list[CellValue]] = [
        [
            meter.name,
            KIND_LABELS[meter.kind],
            local_naive(meter.from_, zone),
            local_naive(meter.to, zone),
            meter.opening_kwh,
            meter.closing_kwh,
            meter.energy_kwh,
        ]
        for meter in meters
    ]
    return Sheet("Meters", columns, rows)


async def tenant_bill_xlsx(db: AsyncSession, tenant: Tenant, month: Month) -> XlsxFile:
    """``bills.tenant_bill`` as a workbook: its lines ("Bill") and its meters ("Meters")."""
    bill = await bills.tenant_bill(db, tenant, month)
    site = await sites_service.get_site(db, tenant.site_id)
    sheets = [bill_sheet(bill), meters_sheet(bill.meters, site.timezone)]
    return await xlsx_file(f"bill-tenant{tenant.id}-{month.label}.xlsx", sheets)


# ---------------------------------------------------------------- the reconciliation


def _names(meters: Sequence[CommonMeter]) -> str | None:
    return ", ".join(meter.name for meter in meters) or None


def reconciliation_sheet(found: Reconciliation) -> Sheet:
    """A row per figure: the utility bill, each tenant, common areas, generation, unmetered,
    the landlord's share, what the tenants' bills recover (and its percentage of the utility
    bill) and the difference; money before VAT unless the column says otherwise."""
    money = found.currency
    columns = [
        Column("Item"),
        Column("Energy (kWh)", "number", KWH),
        Column(f"Excl. VAT ({money})", "number", MONEY),
        Column(f"Incl. VAT ({money})", "number", MONEY),
        Column("Recovery (%)", "number", GENERAL),
        Column("Meters"),
    ]
    utility = found.utility
    rows: list[list[CellValue]] = [
        ["Utility bill", utility.energy_kwh, utility.subtotal, utility.total, None, None]
    ]
    rows += [
        [f"Tenant: {t.name}", t.energy_kwh, t.recovered_subtotal, t.recovered_total, None, None]
        for t in found.tenants
    ]
    common, generation = found.common_areas, found.generation
    rows += [
        ["Common areas", common.energy_kwh, common.cost, None, None, _names(common.meters)],
        ["On-site generation", generation.energy_kwh, None, None, None, _names(generation.meters)],
        ["Unmetered", found.unmetered.energy_kwh, found.unmetered.cost, None, None, None],
        ["Landlord share", None, found.landlord_share.cost, None, None, None],
        ["Recovered", None, found.recovered_subtotal, None, found.recovery_percent, None],
        ["Difference", None, found.difference, None, None, None],
    ]
    return Sheet("Reconciliation", columns, rows)


async def reconciliation_xlsx(db: AsyncSession, site: Site, month: Month) -> XlsxFile:
    """``bills.reconciliation`` as a workbook of one sheet."""
    found = await bills.reconciliation(db, site, month)
    name = f"reconciliation-site{site.id}-{month.label}.xlsx"
    return await xlsx_file(name, [reconciliation_sheet(found)])

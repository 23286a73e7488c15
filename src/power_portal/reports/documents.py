"""The documents: a site's bill, a tenant's bill and the site report as PDF, from the same
services as their JSON (so every figure is the API's). Rendering runs in a worker thread so
the event loop keeps serving while ReportLab typesets."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts import service as alerts_service
from power_portal.alerts.mail import Brand
from power_portal.billing import service as billing_service
from power_portal.core.request_checks import DateSpan
from power_portal.core.xlsx import XLSX_MEDIA_TYPE, XlsxFile
from power_portal.reports import pdf
from power_portal.reports.periods import Period
from power_portal.reports.report import site_report
from power_portal.settings import Settings
from power_portal.sites import service as sites_service
from power_portal.sites.models import Site
from power_portal.tenants import bills
from power_portal.tenants import exports as tenant_exports
from power_portal.tenants.models import Tenant
from power_portal.tenants.schemas import Month, TenantBill

PDF = "application/pdf"


@dataclass(frozen=True)
class Document:
    """A file to download or attach."""

    filename: str
    media_type: str
    content: bytes


async def site_bill_pdf(
    db: AsyncSession, settings: Settings, site: Site, span: DateSpan, now: datetime
) -> Document:
    bill = await billing_service.site_bill(db, site, span)
    brand = await alerts_service.brand(db, settings)
    content = await asyncio.to_thread(
        pdf.site_bill_pdf, bill, site_name=site.name, brand=brand, generated_at=now
    )
    return Document(f"bill-site{site.id}-{span.start}-{span.end}.pdf", PDF, content)


def _tenant_bill_document(bill: TenantBill, site: Site, brand: Brand, now: datetime) -> Document:
    content = pdf.tenant_bill_pdf(
        bill, site_name=site.name, timezone=site.timezone, brand=brand, generated_at=now
    )
    return Document(f"bill-tenant{bill.tenant_id}-{bill.month}.pdf", PDF, content)


async def tenant_bill_pdf(
    db: AsyncSession, settings: Settings, tenant: Tenant, month: Month, now: datetime
) -> Document:
    bill = await bills.tenant_bill(db, tenant, month)
    site = await sites_service.get_site(db, tenant.site_id)
    brand = await alerts_service.brand(db, settings)
    return await asyncio.to_thread(_tenant_bill_document, bill, site, brand, now)


async def site_tenant_bill_pdfs(
    db: AsyncSession, settings: Settings, site: Site, month: Month, now: datetime
) -> list[Document]:
    """Every tenant's bill of the month (computed together, as ``GET …/tenant-bills``)."""
    tenant_bills = await bills.site_tenant_bills(db, site, month)
    brand = await alerts_service.brand(db, settings)
    return [
        await asyncio.to_thread(_tenant_bill_document, bill, site, brand, now)
        for bill in tenant_bills
    ]


async def site_report_pdf(
    db: AsyncSession, settings: Settings, site: Site, period: Period, now: datetime
) -> Document:
    report = await site_report(db, site, period, now)
    brand = await alerts_service.brand(db, settings)
    content = await asyncio.to_thread(pdf.site_report_pdf, report, brand=brand, generated_at=now)
    return Document(f"report-site{site.id}-{period.label}.pdf", PDF, content)


def _workbook(file: XlsxFile) -> Document:
    return Document(file.filename, XLSX_MEDIA_TYPE, file.content)


async def site_bill_xlsx(db: AsyncSession, site: Site, span: DateSpan) -> Document:
    return _workbook(await billing_service.site_bill_xlsx(db, site, span))


async def reconciliation_xlsx(db: AsyncSession, site: Site, month: Month) -> Document:
    return _workbook(await tenant_exports.reconciliation_xlsx(db, site, month))

"""Reports in a real Chromium, end to end: an admin opens Reports, reads last month's site
report, creates a monthly schedule (the site report and the bill) for finance@example.com and
presses "Send now" for last month; the mail arrives at a real SMTP server with both PDFs; the
bill PDF's total is the total the Bills page shows for that month; the Reports page lists the
run as sent, and its files download as PDFs. A tenant user downloads its own bill as PDF
(with the portal's total) and as Excel.

A site in Johannesburg on a flat tariff (1.8731 ZAR/kWh, 15 % VAT, a 450.00 monthly charge)
with a meter read every 15 minutes through last month at a steady 12.34 kW (and, for the
tenant, a second meter at 5 kW).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader
from sqlalchemy.engine import URL

from power_portal.reports.pdf import format_money
from power_portal.settings import AlertSettings, Settings
from tests.support.browser import log_in
from tests.support.database import url_string
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, ingest
from tests.support.smtp import SmtpServer
from tests.support.tariffs import flat_tariff

SAST = ZoneInfo("Africa/Johannesburg")
KW = 12.34
RECIPIENT = "finance@example.com"
TENANT_PASSWORD = "tenant-test-password-1"
SCREENSHOT = Path("/tmp/reports.png")


@pytest.fixture
def settings(db_url: URL, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        alerts=AlertSettings(tick_seconds=0.5, sender_poll_seconds=0.2),
    )


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def last_month(today: date) -> tuple[date, date]:
    """The first days of last month and of this month (the site's local dates)."""
    this_month = today.replace(day=1)
    return (this_month - timedelta(days=1)).replace(day=1), this_month


def quarter_hour_rows(start: datetime, end: datetime, kw: float = KW) -> list[dict[str, Any]]:
    """A steady load read every 15 minutes from a quarter-hour before ``start`` to one after
    ``end``."""
    first = start - timedelta(minutes=15)
    count = int((end - first) / timedelta(minutes=15)) + 2
    return [
        {
            "time": (first + timedelta(minutes=15 * i)).isoformat(),
            "energy_import_kwh": round(1000.0 + kw * 0.25 * i, 4),
            "power_kw": kw,
            "power_factor": 0.95,
        }
        for i in range(count)
    ]


def add_meter(
    admin: httpx.Client, base_url: str, site_id: int, name: str, kw: float, month: tuple[date, date]
) -> dict[str, Any]:
    """A meter of the site with last month's readings at a steady ``kw``."""
    device: dict[str, Any] = ok(
        admin.post(
            f"/api/sites/{site_id}/devices",
            json={"name": name, "serial": f"ACV-{name.replace(' ', '-')}", "model": "Acuvim II"},
        )
    )
    token = ok(admin.post(f"/api/devices/{device['id']}/tokens", json={}))["token"]
    start, end = (datetime.combine(day, datetime.min.time(), SAST) for day in month)
    rows = quarter_hour_rows(start, end, kw)
    assert ok(ingest(base_url, token, rows))["accepted"] == len(rows)
    return device


def seed_site(
    admin: httpx.Client, base_url: str, month_start: date, month_end: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The site on its tariff and its meter with last month's readings (through the real HTTP
    API)."""
    site = ok(
        admin.post("/api/sites", json={"name": "Harbour Mall", "timezone": "Africa/Johannesburg"})
    )
    tariff = {**flat_tariff(1.8731, timezone="Africa/Johannesburg"), "currency": "ZAR"}
    tariff["versions"][0]["fixed_charges"] = [
        {"name": "Basic charge", "amount": 450.0, "per": "month"}
    ]
    tariff_id = ok(admin.post("/api/tariffs", json=tariff))["id"]
    ok(admin.patch(f"/api/sites/{site['id']}", json={"tariff_id": tariff_id}))
    device = add_meter(admin, base_url, site["id"], "Incomer", KW, (month_start, month_end))
    return site, device


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def download(page: Page, link: Locator) -> bytes:
    """Click a download link in the browser; the file it saved."""
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def test_admin_schedules_a_monthly_pack_sends_it_now_and_the_bill_adds_up(
    live_server: LiveServer,
    admin_client: httpx.Client,
    page: Page,
    smtp_server: SmtpServer,
) -> None:
    today = datetime.now(SAST).date()
    month_start, month_end = last_month(today)
    month = f"{month_start:%Y-%m}"
    month_name = f"{month_start:%B %Y}"

    site, _ = seed_site(admin_client, live_server.url, month_start, month_end)
    # The mail goes out through this SMTP server (set up the way Settings → Notifications does).
    ok(
        admin_client.put(
            "/api/notification-channels/smtp",
            json={
                "host": smtp_server.host,
                "port": smtp_server.port,
                "security": "none",
                "from_address": "reports@portal.example",
                "from_name": "Portal reports",
            },
        )
    )

    # Reports: last month's site report, its figures as the API's.
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD, "/reports")
    expect(page.get_by_test_id("nav-reports")).to_be_visible()
    report = ok(admin_client.get(f"/api/sites/{site['id']}/report", params={"month": month}))
    expect(page.get_by_test_id("report-month")).to_have_value(month_name)
    expect(page.get_by_test_id("report-energy-value")).to_have_text(
        f"{report['energy_import_kwh']:,.1f}".rstrip("0").rstrip(".")
    )
    expect(page.get_by_test_id("report-total-value")).to_have_text(format_money(report["total"]))
    report_pdf = page.get_by_test_id("report-pdf")
    expect(report_pdf).to_have_attribute(
        "href", f"/api/sites/{site['id']}/report.pdf?month={month}"
    )
    assert "Harbour Mall" in pdf_text(download(page, report_pdf))

    # A monthly schedule: the site report and the bill for finance (on a day that is neither
    # today nor tomorrow, so the scheduler itself sends nothing while the test runs).
    page.get_by_test_id("schedule-create").click()
    form = page.get_by_test_id("schedule-form")
    form.get_by_test_id("schedule-name").fill("Finance pack")
    expect(form.get_by_test_id("schedule-site")).to_contain_text("Harbour Mall")
    day = form.get_by_test_id("schedule-day")
    day.fill(str((today.day + 9) % 28 + 1))
    expect(form.get_by_test_id("schedule-content-report")).to_be_checked()
    expect(form.get_by_test_id("schedule-content-bill")).to_be_checked()
    # tenant bills are monthly only: a weekly schedule cannot send them
    form.get_by_test_id("schedule-cadence-weekly").click()
    expect(form.get_by_test_id("schedule-content-tenant_bills")).to_be_disabled()
    form.get_by_test_id("schedule-cadence-monthly").click()
    expect(form.get_by_test_id("schedule-content-tenant_bills")).to_be_enabled()
    recipients = form.get_by_test_id("schedule-recipients").get_by_role("combobox")
    recipients.fill("finance@")
    recipients.press("Enter")
    page.get_by_test_id("schedule-form-submit").click()
    expect(form).to_contain_text("Not an e-mail address: finance@")
    form.locator(".ant-select-selection-item-remove").click()
    recipients.fill(RECIPIENT)
    recipients.press("Enter")
    page.get_by_test_id("schedule-form-submit").click()
    expect(page.get_by_test_id("schedule-form-modal")).to_have_count(0)
    (schedule,) = ok(admin_client.get("/api/report-schedules"))
    assert schedule["contents"] == ["report", "bill"]
    assert schedule["recipients"] == [RECIPIENT]
    assert schedule["cadence"] == "monthly"
    row = page.get_by_test_id(f"schedule-row-{schedule['id']}")
    expect(row).to_contain_text("Finance pack")
    expect(row.get_by_test_id(f"schedule-cadence-{schedule['id']}")).to_contain_text(
        f"Monthly on day {schedule['day_of_month']} at 07:00"
    )
    expect(row).to_contain_text(RECIPIENT)

    # Send now, for last month (the dialog's default).
    page.get_by_test_id(f"schedule-send-{schedule['id']}").click()
    send_form = page.get_by_test_id("send-form")
    expect(send_form.get_by_test_id("send-month")).to_have_value(month_name)
    page.get_by_test_id("send-submit").click()
    expect(page.get_by_test_id("send-modal")).to_have_count(0)

    # The mail arrives with both PDFs.
    (mail,) = smtp_server.wait_for(1)
    assert mail.recipients == (RECIPIENT,)
    assert "Harbour Mall" in mail.message["Subject"]
    attachments: dict[str, bytes] = {
        part.get_filename() or "": part.get_content() for part in mail.message.iter_attachments()
    }
    report_name = f"report-site{site['id']}-{month}.pdf"
    bill_name = f"bill-site{site['id']}-{month_start}-{month_end}.pdf"
    assert sorted(attachments) == sorted([report_name, bill_name])
    assert all(content.startswith(b"%PDF") for content in attachments.values())

    # The Reports page lists the run as sent, with its files to download again.
    (run,) = ok(admin_client.get("/api/report-runs"))
    run_row = page.get_by_test_id(f"run-row-{run['id']}")
    expect(run_row.get_by_test_id(f"run-period-{run['id']}")).to_contain_text(month_name)
    expect(run_row.get_by_test_id(f"run-trigger-{run['id']}")).to_contain_text(
        f"Sent now by {ADMIN_EMAIL}"
    )
    delivery = run_row.get_by_test_id(f"run-delivery-{run['id']}-0")
    expect(delivery).to_have_attribute("data-status", "sent", timeout=20_000)
    expect(delivery).to_contain_text(f"{RECIPIENT}: sent")
    expect(run_row.get_by_test_id(f"run-status-{run['id']}")).to_have_text("Sent to 1 recipient")
    files = {f["filename"]: f["id"] for f in run["files"]}
    for filename, file_id in files.items():
        saved = download(page, run_row.get_by_test_id(f"run-file-{run['id']}-{file_id}"))
        assert saved.startswith(b"%PDF"), filename
        assert saved == attachments[filename]
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The bill PDF's total is the total the Bills page shows for that month.
    page.get_by_test_id("nav-bills").click()
    expect(page).to_have_url(re.compile(r"/bills"))
    expect(page.get_by_test_id("bill-month")).to_have_value(month_name)
    expect(page.get_by_test_id("bill-site")).to_contain_text("Harbour Mall")
    shown = page.get_by_test_id("bill-total").inner_text()
    assert re.fullmatch(r"[\d,]+\.\d\d", shown), shown
    total = float(shown.replace(",", ""))
    assert format_money(total) == shown
    totals = re.findall(r"^Total\s+(.+)$", pdf_text(attachments[bill_name]), re.MULTILINE)
    assert totals == [f"ZAR {format_money(total)}"], totals
    # the Bills page's own PDF button gives the same document's total
    expect(page.get_by_test_id("bill-pdf")).to_have_attribute(
        "href", f"/api/sites/{site['id']}/bill.pdf?start={month_start}&end={month_end}"
    )
    from_bills = download(page, page.get_by_test_id("bill-pdf"))
    assert re.findall(r"^Total\s+(.+)$", pdf_text(from_bills), re.MULTILINE) == totals


def test_a_tenant_user_downloads_its_own_bill_as_pdf_and_excel(
    live_server: LiveServer, admin_client: httpx.Client, page: Page
) -> None:
    today = datetime.now(SAST).date()
    month_start, month_end = last_month(today)
    month = f"{month_start:%Y-%m}"
    site, device = seed_site(admin_client, live_server.url, month_start, month_end)
    # a second meter of the site, not the tenant's: the tenant's share of the basic charge
    # depends on it (which the tenant's own session cannot see)
    add_meter(admin_client, live_server.url, site["id"], "Shop B", 5.0, (month_start, month_end))
    tenant = ok(
        admin_client.post(
            f"/api/sites/{site['id']}/tenants",
            json={"name": "Grocer", "rule": {"kind": "pass_through", "apportion": "energy"}},
        )
    )
    start = datetime.combine(month_start, datetime.min.time(), SAST)
    ok(
        admin_client.post(
            f"/api/tenants/{tenant['id']}/meters",
            json={"device_id": device["id"], "start": start.isoformat()},
        )
    )
    ok(
        admin_client.post(
            "/api/users",
            json={
                "email": "grocer@example.com",
                "name": "Grocer accounts",
                "password": TENANT_PASSWORD,
                "role": "tenant",
                "tenant_id": tenant["id"],
            },
        )
    )

    bill = ok(admin_client.get(f"/api/tenants/{tenant['id']}/bill", params={"month": month}))
    (share,) = [line for line in bill["lines"] if line["kind"] == "fixed"]
    assert 0 < share["amount"] < 450  # its share of the site's basic charge, by energy

    # Its portal: the bill, and the bill as PDF and as Excel, with the same total.
    log_in(page, live_server.url, "grocer@example.com", TENANT_PASSWORD, path=f"/?month={month}")
    expect(page.get_by_test_id("tenant-portal")).to_be_visible()
    total = page.get_by_test_id("tenant-bill-total")
    expect(total).to_have_text(format_money(bill["total"]))
    pdf_link = page.get_by_test_id("tenant-bill-pdf")
    expect(pdf_link).to_have_attribute(
        "href", f"/api/tenants/{tenant['id']}/bill.pdf?month={month}"
    )
    document = download(page, pdf_link)
    assert document.startswith(b"%PDF")
    totals = re.findall(r"^Total\s+(.+)$", pdf_text(document), re.MULTILINE)
    assert totals == [f"ZAR {total.inner_text()}"], totals
    workbook = download(page, page.get_by_test_id("tenant-bill-xlsx"))
    assert workbook.startswith(b"PK")  # a zip: the .xlsx

"""Reports over the real API and a real SMTP server: the site report (JSON) against the bill,
the summary and the energy the API gives; the PDFs read back (every figure the API's, the
data gap said); schedules and their refusals; "send now" mails the documents (PDF text and
workbook cells parsed from the received attachments), and the Reports page's runs offer the
same files again (docs/api/reports.md)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from power_portal.reports.pdf import format_money, format_quantity
from tests.support.portal import LiveServer, MeteredDevice, ingest, wait_until
from tests.support.smtp import SmtpServer
from tests.support.tariffs import eskom_style_tariff

SAST = ZoneInfo("Africa/Johannesburg")
MONTH = "2026-10"
OCT_1 = datetime(2026, 10, 1, tzinfo=SAST)
NOV_1 = datetime(2026, 11, 1, tzinfo=SAST)
GAP = (datetime(2026, 10, 9, 2, 0, tzinfo=SAST), datetime(2026, 10, 9, 7, 0, tzinfo=SAST))
STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class Site:
    id: int
    incomer: MeteredDevice
    shop: MeteredDevice
    tenant_id: int


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def refused(response: httpx.Response, field: str) -> str:
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"][-1] == field, problem
    return str(problem["msg"])


def load(hour: float, base_kw: float) -> float:
    """A daily shape: more by day than by night, so the periods differ."""
    return base_kw * (1.6 if 7 <= hour < 19 else 0.7)


def send(
    live_server: LiveServer,
    meter: MeteredDevice,
    start: datetime,
    end: datetime,
    base_kw: float,
    skip: tuple[datetime, datetime] | None = None,
) -> None:
    """Readings every 15 minutes in [start, end]: registers from a varying load, PF 0.9."""
    rows: list[dict[str, Any]] = []
    kwh = kvah = 1000.0
    moment = start
    while moment <= end:
        kw = load(moment.astimezone(SAST).hour + moment.minute / 60, base_kw)
        kwh += kw / 4
        kvah += kw / 0.9 / 4
        if skip is None or not skip[0] <= moment < skip[1]:
            rows.append(
                {
                    "time": moment.isoformat(),
                    "energy_import_kwh": round(kwh, 3),
                    "apparent_energy_kvah": round(kvah, 3),
                    "power_factor": 0.9,
                }
            )
        moment += STEP
    for first in range(0, len(rows), 4000):
        batch = rows[first : first + 4000]
        assert ingest(live_server.url, meter.token, batch).json()["accepted"] == len(batch)


@pytest.fixture
def site(
    live_server: LiveServer, admin_client: httpx.Client, make_device: Callable[..., MeteredDevice]
) -> Site:
    """Incomer (supply) > Shop; September and October 2026 (a 5-hour gap on 9 October on the
    incomer); a time-of-use tariff; a tenant holding the Shop meter."""
    incomer = make_device()
    shop = make_device(site_id=incomer.site_id)
    ok(admin_client.patch(f"/api/devices/{incomer.device_id}", json={"name": "Incomer"}))
    ok(admin_client.patch(f"/api/devices/{shop.device_id}", json={"name": "Shop"}))
    ok(admin_client.patch(f"/api/devices/{shop.device_id}", json={"parent_id": incomer.device_id}))
    ok(admin_client.patch(f"/api/devices/{incomer.device_id}", json={"role": "supply"}))
    ok(admin_client.patch(f"/api/sites/{incomer.site_id}", json={"name": "Head office"}))
    tariff = ok(admin_client.post("/api/tariffs", json=eskom_style_tariff()))
    ok(admin_client.patch(f"/api/sites/{incomer.site_id}", json={"tariff_id": tariff["id"]}))
    first = datetime(2026, 9, 1, tzinfo=SAST) - STEP
    send(live_server, incomer, first, NOV_1 + STEP, 20.0, skip=GAP)
    send(live_server, shop, first, NOV_1 + STEP, 6.0)
    tenant = ok(
        admin_client.post(
            f"/api/sites/{incomer.site_id}/tenants",
            json={"name": "Müller Café", "rule": {"kind": "pass_through", "apportion": "energy"}},
        )
    )
    ok(
        admin_client.post(
            f"/api/tenants/{tenant['id']}/meters",
            json={"device_id": shop.device_id, "start": "2026-08-01T00:00:00+02:00"},
        )
    )
    return Site(incomer.site_id, incomer, shop, int(tenant["id"]))


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_report_agrees_with_the_bill_summary_and_energy(
    admin_client: httpx.Client, site: Site
) -> None:
    report = ok(admin_client.get(f"/api/sites/{site.id}/report", params={"month": MONTH}))
    span = {"start": "2026-10-01", "end": "2026-11-01"}
    bill = ok(admin_client.get(f"/api/sites/{site.id}/bill", params=span))
    summary = ok(admin_client.get(f"/api/sites/{site.id}/summary", params=span))
    days = ok(admin_client.get(f"/api/sites/{site.id}/costs/daily", params=span))

    assert (report["label"], report["start"], report["end"]) == (MONTH, *span.values())
    assert report["currency"] == "ZAR"
    assert (report["subtotal"], report["vat"], report["total"]) == (
        bill["subtotal"],
        bill["vat"],
        bill["total"],
    )
    assert report["energy_import_kwh"] == summary["energy_import_kwh"]
    assert report["power_factor"]["average"] == summary["average_power_factor"]
    assert report["power_factor"]["minimum"] == pytest.approx(0.9)
    energy_lines = [line for line in bill["lines"] if line["kind"] == "energy"]
    assert sum(p["amount"] for p in report["by_period"]) == pytest.approx(
        sum(line["amount"] for line in energy_lines), abs=0.011
    )
    assert {(p["season"], p["period"]) for p in report["by_period"]} == {
        (line["season"], line["period"]) for line in energy_lines
    }
    # the tariff bills demand in kVA: the peak is the highest 30-minute kVA
    assert report["peak_demand"]["unit"] == "kVA"
    assert report["peak_demand"]["value"] == pytest.approx(summary["peak_demand_kva"], rel=1e-6)
    assert [(d["date"], d["cost"]) for d in report["days"]] == [
        (d["date"], d["cost"]) for d in days["days"]
    ]
    assert len(report["days"]) == 31

    previous, last_year = report["comparisons"]
    september = ok(
        admin_client.get(
            f"/api/sites/{site.id}/summary", params={"start": "2026-09-01", "end": "2026-10-01"}
        )
    )
    september_bill = ok(
        admin_client.get(
            f"/api/sites/{site.id}/bill", params={"start": "2026-09-01", "end": "2026-10-01"}
        )
    )
    assert previous["label"] == "Previous month"
    assert previous["energy_import_kwh"] == september["energy_import_kwh"]
    assert previous["total"] == september_bill["total"]
    assert previous["energy_change_percent"] == pytest.approx(
        (summary["energy_import_kwh"] / september["energy_import_kwh"] - 1) * 100, abs=0.01
    )
    assert (last_year["label"], last_year["energy_import_kwh"], last_year["total"]) == (
        "Same month last year",
        None,
        None,
    )

    completeness = report["completeness"]
    [gap] = completeness["gaps"]
    assert gap["device_name"] == "Incomer"
    assert (datetime.fromisoformat(gap["start"]), datetime.fromisoformat(gap["end"])) == GAP
    assert completeness["expected_buckets"] == 2 * 31 * 96  # both meters, every 15 minutes
    assert completeness["present_buckets"] == completeness["expected_buckets"] - 20


def test_the_bill_pdf_shows_every_line_and_total_of_the_bill(
    viewer_client: httpx.Client, site: Site
) -> None:
    span = {"start": "2026-10-01", "end": "2026-11-01"}
    bill = ok(viewer_client.get(f"/api/sites/{site.id}/bill", params=span))
    response = viewer_client.get(f"/api/sites/{site.id}/bill.pdf", params=span)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="bill-site' in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert "Head office" in text
    for line in bill["lines"]:
        assert format_money(line["amount"]) in text, line
        assert format_quantity(line["quantity"]) in text, line
    for total in ("subtotal", "vat", "total"):
        assert format_money(bill[total]) in text, total
    assert "Page 1 of" in text
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_the_report_pdf_has_the_reports_figures_and_says_there_was_a_gap(
    admin_client: httpx.Client, site: Site
) -> None:
    report = ok(admin_client.get(f"/api/sites/{site.id}/report", params={"month": MONTH}))
    response = admin_client.get(f"/api/sites/{site.id}/report.pdf", params={"month": MONTH})
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert "October 2026" in text
    assert format_money(report["total"]) in text
    assert format_quantity(report["energy_import_kwh"]) in text
    assert format_quantity(report["peak_demand"]["value"]) in text
    assert "Data gap" in text
    assert "Incomer" in text
    for period in report["by_period"]:
        assert format_money(period["amount"]) in text
    # September had no gap
    september = admin_client.get(f"/api/sites/{site.id}/report.pdf", params={"month": "2026-09"})
    assert "Data gap" not in pdf_text(september.content)


def test_a_tenant_bill_pdf_has_its_meters_registers(admin_client: httpx.Client, site: Site) -> None:
    bill = ok(admin_client.get(f"/api/tenants/{site.tenant_id}/bill", params={"month": MONTH}))
    response = admin_client.get(f"/api/tenants/{site.tenant_id}/bill.pdf", params={"month": MONTH})
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert "Müller Café" in text
    [meter] = bill["meters"]
    assert format_quantity(meter["opening_kwh"]) in text
    assert format_quantity(meter["closing_kwh"]) in text
    assert format_money(bill["total"]) in text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "month"),
        ({"month": "2026-10", "week": "2026-W40"}, "month"),
        ({"month": "2026-13"}, "month"),
        ({"week": "2027-W53"}, "week"),
        ({"month": "9999-01"}, "month"),
    ],
)
def test_a_report_period_is_checked(
    admin_client: httpx.Client, site: Site, params: dict[str, str], field: str
) -> None:
    refused(admin_client.get(f"/api/sites/{site.id}/report.pdf", params=params), field)


def test_a_weekly_report(admin_client: httpx.Client, site: Site) -> None:
    report = ok(admin_client.get(f"/api/sites/{site.id}/report", params={"week": "2026-W42"}))
    assert (report["period"], report["start"], report["end"]) == (
        "week",
        "2026-10-12",
        "2026-10-19",
    )
    assert len(report["days"]) == 7
    assert [c["label"] for c in report["comparisons"]] == ["Previous week", "52 weeks before"]
    assert report["comparisons"][0]["energy_import_kwh"] is not None


# ---------------------------------------------------------------- schedules


def schedule_body(site: Site, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Monthly pack",
        "site_id": site.id,
        "cadence": "monthly",
        "day_of_month": 3,
        "local_time": "07:00",
        "contents": ["report", "bill", "bill_xlsx", "tenant_bills"],
        "recipients": ["finance@example.com", "Boss@Example.com"],
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"day_of_month": None}, "day_of_month"),
        ({"day_of_month": 29}, "day_of_month"),
        ({"cadence": "weekly", "day_of_month": None}, "weekday"),
        ({"cadence": "weekly", "weekday": "mon"}, "contents"),  # tenant_bills monthly only
        ({"contents": []}, "contents"),
        ({"contents": ["report", "report"]}, "contents"),
        ({"contents": ["invoice"]}, 0),
        ({"recipients": ["not-an-address"]}, 0),
        ({"recipients": ["a@example.com", "A@example.com"]}, "recipients"),
        ({"site_id": 999999}, "site_id"),
        ({"tenant_id": 999999}, "tenant_id"),
        ({"local_time": "25:00"}, "local_time"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_a_schedule_is_refused_naming_the_field(
    admin_client: httpx.Client, site: Site, overrides: dict[str, Any], field: str | int
) -> None:
    response = admin_client.post("/api/report-schedules", json=schedule_body(site, **overrides))
    assert response.status_code == 422, response.text
    locations = [problem["loc"] for problem in response.json()["detail"]]
    assert any(location[-1] == field for location in locations), locations
    assert ok(admin_client.get("/api/report-schedules")) == []


def test_a_tenant_schedule_sends_only_tenant_bills(admin_client: httpx.Client, site: Site) -> None:
    refused(
        admin_client.post(
            "/api/report-schedules",
            json=schedule_body(site, tenant_id=site.tenant_id, contents=["report"]),
        ),
        "contents",
    )
    created = ok(
        admin_client.post(
            "/api/report-schedules",
            json=schedule_body(site, tenant_id=site.tenant_id, contents=["tenant_bills"]),
        )
    )
    assert created["tenant_id"] == site.tenant_id


def test_schedules_are_listed_changed_and_deleted(
    admin_client: httpx.Client, viewer_client: httpx.Client, site: Site
) -> None:
    created = ok(admin_client.post("/api/report-schedules", json=schedule_body(site)))
    assert created["recipients"] == ["finance@example.com", "boss@example.com"]
    assert created["local_time"] == "07:00:00"
    next_due = datetime.fromisoformat(created["next_due_at"])
    assert next_due.astimezone(SAST).day == 3
    assert next_due.astimezone(SAST).hour == 7
    assert viewer_client.get("/api/report-schedules").status_code == 403

    changed = ok(
        admin_client.patch(
            f"/api/report-schedules/{created['id']}",
            json={"cadence": "weekly", "weekday": "fri", "contents": ["report"]},
        )
    )
    assert (changed["cadence"], changed["weekday"], changed["day_of_month"]) == (
        "weekly",
        "fri",
        None,
    )
    assert datetime.fromisoformat(changed["next_due_at"]).astimezone(SAST).weekday() == 4
    refused(
        admin_client.patch(f"/api/report-schedules/{created['id']}", json={"name": None}), "name"
    )
    assert [s["id"] for s in ok(admin_client.get("/api/report-schedules"))] == [created["id"]]
    assert admin_client.delete(f"/api/report-schedules/{created['id']}").status_code == 204
    assert admin_client.get(f"/api/report-schedules/{created['id']}").status_code == 404


def set_smtp(admin_client: httpx.Client, server: SmtpServer) -> None:
    ok(
        admin_client.put(
            "/api/notification-channels/smtp",
            json={
                "host": server.host,
                "port": server.port,
                "security": "none",
                "from_address": "reports@portal.example",
            },
        )
    )


def attachments(message: EmailMessage) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for part in message.iter_attachments():
        name = part.get_filename()
        assert name is not None
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[name] = payload
    return found


def test_send_now_mails_the_documents_and_the_runs_offer_them_again(
    admin_client: httpx.Client, site: Site, smtp_server: SmtpServer
) -> None:
    set_smtp(admin_client, smtp_server)
    schedule = ok(admin_client.post("/api/report-schedules", json=schedule_body(site)))
    refused(
        admin_client.post(
            f"/api/report-schedules/{schedule['id']}/send", json={"month": "2999-01"}
        ),
        "month",
    )
    run = ok(
        admin_client.post(f"/api/report-schedules/{schedule['id']}/send", json={"month": MONTH})
    )
    assert (run["label"], run["trigger"], run["requested_by"]) == (
        MONTH,
        "manual",
        "admin@localhost",
    )
    names = [f["filename"] for f in run["files"]]
    assert names == [
        f"report-site{site.id}-{MONTH}.pdf",
        f"bill-site{site.id}-2026-10-01-2026-11-01.pdf",
        f"bill-site{site.id}-2026-10-01-2026-11-01.xlsx",
        f"bill-tenant{site.tenant_id}-{MONTH}.pdf",
    ]
    assert run["notes"] == []

    mails = smtp_server.wait_for(2)
    assert sorted(m.recipients for m in mails) == [("boss@example.com",), ("finance@example.com",)]
    message = mails[0].message
    assert message["Subject"] == "[Power Portal] Head office: Monthly report, October 2026"
    files = attachments(message)
    assert list(files) == names

    bill = ok(
        admin_client.get(
            f"/api/sites/{site.id}/bill", params={"start": "2026-10-01", "end": "2026-11-01"}
        )
    )
    bill_text = pdf_text(files[names[1]])
    assert format_money(bill["total"]) in bill_text
    sheet = load_workbook(io.BytesIO(files[names[2]])).worksheets[0]
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert bill["total"] in cells
    tenant_bill = ok(
        admin_client.get(f"/api/tenants/{site.tenant_id}/bill", params={"month": MONTH})
    )
    assert format_money(tenant_bill["total"]) in pdf_text(files[names[3]])

    def sent() -> list[dict[str, Any]] | None:
        runs = ok(admin_client.get("/api/report-runs", params={"site_id": site.id}))
        done = all(d["status"] == "sent" for d in runs[0]["deliveries"])
        return runs if done else None

    [listed] = wait_until(sent, "both deliveries are marked sent")
    assert {d["recipient"] for d in listed["deliveries"]} == {
        "finance@example.com",
        "boss@example.com",
    }
    for listed_file in listed["files"]:
        again = admin_client.get(f"/api/report-runs/{listed['id']}/files/{listed_file['id']}")
        assert again.status_code == 200
        assert again.content == files[listed_file["filename"]]
    assert admin_client.get(f"/api/report-runs/{listed['id']}/files/999999").status_code == 404


def test_a_document_that_cannot_be_made_is_named_in_the_mail(
    admin_client: httpx.Client, site: Site, smtp_server: SmtpServer
) -> None:
    set_smtp(admin_client, smtp_server)
    ok(admin_client.patch(f"/api/sites/{site.id}", json={"tariff_id": None}))
    schedule = ok(
        admin_client.post(
            "/api/report-schedules", json=schedule_body(site, contents=["report", "bill"])
        )
    )
    run = ok(
        admin_client.post(f"/api/report-schedules/{schedule['id']}/send", json={"month": MONTH})
    )
    assert [f["filename"] for f in run["files"]] == [f"report-site{site.id}-{MONTH}.pdf"]
    [note] = run["notes"]
    assert note.startswith("bill: ")
    assert "no tariff" in note
    [mail, _] = smtp_server.wait_for(2)
    plain = mail.message.get_body(("plain",))
    assert plain is not None
    assert "no tariff" in plain.get_content()

"""Scheduled reports with real parts: a schedule that fell due while the portal was down is
sent once after it starts (and not again after another restart); two portals on one
database send it once; an SMTP server that is down gets the mail once it is back; two
schedulers racing for one period make one run (the unique index)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.db.engine import Database
from power_portal.reports import service
from power_portal.reports.models import ReportSchedule
from power_portal.reports.periods import month_period
from power_portal.settings import AlertSettings, ReportSettings, Settings
from tests.support.database import sql, url_string
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LiveServer,
    PortalProcess,
    login_client,
    wait_until,
)
from tests.support.smtp import SmtpServer


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def make_site(admin: httpx.Client) -> int:
    site = ok(admin.post("/api/sites", json={"name": "Plant", "timezone": "Africa/Johannesburg"}))
    ok(admin.post(f"/api/sites/{site['id']}/devices", json={"name": "Incomer", "serial": "ACV-1"}))
    return int(site["id"])


def make_schedule(admin: httpx.Client, site_id: int, name: str, *recipients: str) -> int:
    """A monthly report on the 1st at 00:00: the last month fell due this month."""
    created = ok(
        admin.post(
            "/api/report-schedules",
            json={
                "name": name,
                "site_id": site_id,
                "cadence": "monthly",
                "day_of_month": 1,
                "local_time": "00:00",
                "contents": ["report"],
                "recipients": list(recipients),
            },
        )
    )
    return int(created["id"])


def backdate(db_url: URL, schedule_id: int) -> None:
    """As if the schedule was made 40 days ago: the last month's due moment passed since."""
    sql(
        db_url,
        "UPDATE app.report_schedules SET active_since = now() - interval '40 days' WHERE id = %s",
        schedule_id,
    )


def runs_of(db_url: URL, schedule_id: int) -> list[tuple[object, ...]]:
    return sql(
        db_url,
        "SELECT label, trigger FROM app.report_runs WHERE schedule_id = %s ORDER BY id",
        schedule_id,
    )


def environment(db_url: URL, tmp_path: Path, smtp: SmtpServer) -> dict[str, str]:
    return {
        "PORTAL_DATABASE_URL": url_string(db_url),
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PORTAL_REPORTS__TICK_SECONDS": "0.3",
        "PORTAL_ALERTS__SENDER_POLL_SECONDS": "0.2",
        "PORTAL_SMTP__HOST": smtp.host,
        "PORTAL_SMTP__PORT": str(smtp.port),
        "PORTAL_SMTP__SECURITY": "none",
        "PORTAL_SMTP__FROM_ADDRESS": "reports@portal.example",
    }


def sentinel(
    admin: httpx.Client, db_url: URL, smtp: SmtpServer, site_id: int, mails_before: int
) -> None:
    """A second schedule, owed at once: when its mail has arrived, the scheduler has looked at
    every schedule since (it takes them in id order, each tick), so whatever it would have
    sent again would be there by now."""
    schedule_id = make_schedule(admin, site_id, "Sentinel", "sentinel@example.com")
    backdate(db_url, schedule_id)
    mails = smtp.wait_for(mails_before + 1)
    assert mails[-1].recipients == ("sentinel@example.com",)


def test_a_schedule_due_while_the_portal_was_down_is_sent_once_after_it_starts(
    portal_process: Callable[..., PortalProcess],
    db_url: URL,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    env = environment(db_url, tmp_path, smtp_server)
    first = portal_process(**env)
    first.start()
    admin = login_client(first.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    site_id = make_site(admin)
    schedule_id = make_schedule(admin, site_id, "Monthly", "finance@example.com")
    admin.close()
    assert first.terminate()
    assert runs_of(db_url, schedule_id) == []  # made after its due moment: nothing owed
    backdate(db_url, schedule_id)  # …until the due moment falls while the portal is down

    second = portal_process(**env)
    second.start()
    (mail,) = smtp_server.wait_for(1)
    assert mail.recipients == ("finance@example.com",)
    assert mail.message["Subject"].startswith("[Power Portal] Plant: Monthly report, ")
    [(label, trigger)] = runs_of(db_url, schedule_id)
    assert trigger == "schedule"
    assert second.terminate()

    third = portal_process(**env)
    third.start()
    admin = login_client(third.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    sentinel(admin, db_url, smtp_server, site_id, mails_before=1)
    assert runs_of(db_url, schedule_id) == [(label, "schedule")]
    assert [m.recipients for m in smtp_server.received].count(("finance@example.com",)) == 1
    admin.close()
    assert third.terminate()


def test_two_portals_on_one_database_send_a_schedule_once(
    portal_process: Callable[..., PortalProcess],
    db_url: URL,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    env = environment(db_url, tmp_path, smtp_server)
    portals = [portal_process(**env), portal_process(**env)]
    for portal in portals:
        portal.start()
    admin = login_client(portals[1].url, ADMIN_EMAIL, ADMIN_PASSWORD)
    site_id = make_site(admin)
    schedule_id = make_schedule(admin, site_id, "Monthly", "a@example.com", "b@example.com")
    backdate(db_url, schedule_id)
    mails = smtp_server.wait_for(2)
    assert sorted(m.recipients for m in mails) == [("a@example.com",), ("b@example.com",)]
    sentinel(admin, db_url, smtp_server, site_id, mails_before=2)
    assert len(runs_of(db_url, schedule_id)) == 1
    assert len(smtp_server.received) == 3
    leaders = [p for p in portals if "reports.scheduler_leading" in p.log()]
    assert len(leaders) == 1
    admin.close()
    for portal in portals:
        assert portal.terminate()


@pytest.fixture
def settings(db_url: URL, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        alerts=AlertSettings(
            sender_poll_seconds=0.2, retry_base_seconds=0.2, retry_cap_seconds=0.5
        ),
        reports=ReportSettings(tick_seconds=0.3),
    )


def test_an_smtp_server_down_gets_the_report_once_it_is_back(
    live_server: LiveServer,
    admin_client: httpx.Client,
    db_url: URL,
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    server = make_smtp_server()
    server.stop()
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
    site_id = make_site(admin_client)
    schedule_id = make_schedule(admin_client, site_id, "Monthly", "finance@example.com")
    backdate(db_url, schedule_id)

    def failing() -> list[dict[str, Any]] | None:
        runs = ok(admin_client.get("/api/report-runs"))
        tried = [d for r in runs for d in r["deliveries"] if d["attempts"] >= 2]
        return tried or None

    [delivery] = wait_until(failing, "the sender has failed twice")
    assert delivery["status"] == "pending"
    assert delivery["last_error"]

    server.start()
    (mail,) = server.wait_for(1)
    names = [a.get_filename() or "" for a in mail.message.iter_attachments()]
    assert names[0].startswith("report-"), names
    wait_until(
        lambda: (
            [d["status"] for r in ok(admin_client.get("/api/report-runs")) for d in r["deliveries"]]
            == ["sent"]
        ),
        "marked as sent",
    )
    assert len(runs_of(db_url, schedule_id)) == 1
    assert len(server.received) == 1


def test_two_schedulers_racing_for_one_period_make_one_run(
    live_server: LiveServer, admin_client: httpx.Client, db_url: URL, settings: Settings
) -> None:
    site_id = make_site(admin_client)
    schedule_id = make_schedule(admin_client, site_id, "Monthly", "finance@example.com")
    period = month_period("2026-10")

    async def race() -> list[int | None]:
        database = Database.from_url(db_url)
        try:

            async def one() -> int | None:
                async with database.session() as db:
                    schedule = await db.get(ReportSchedule, schedule_id)
                    assert schedule is not None
                    made = await service.run_due_schedule(
                        db, settings, schedule, period, datetime.now(UTC)
                    )
                    await db.commit()
                    return made

            return list(await asyncio.gather(one(), one()))
        finally:
            await database.dispose()

    made = asyncio.run(race())
    assert sorted(made, key=lambda x: x is None)[1] is None
    assert [m for m in made if m is not None]
    assert runs_of(db_url, schedule_id) == [("2026-10", "schedule")]
    outbox = sql(
        db_url, "SELECT count(*) FROM app.notification_outbox WHERE report_run_id IS NOT NULL"
    )
    assert outbox == [(1,)]

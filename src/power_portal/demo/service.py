"""The demo site in the database: is it there, and creating it with its metering tree, its
virtual meters, its time-of-use tariff, its tenants with their meters over time, and the
Grocer's tenant user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.alerts import service as alerts_service
from power_portal.alerts.schemas import BacktestRequest, RuleWrite
from power_portal.auth import passwords
from power_portal.auth.models import Role
from power_portal.demo.data import (
    DEMO_ADDRESS,
    DEMO_METERS,
    DEMO_MODEL,
    DEMO_SITE_NAME,
    DEMO_TENANT_USER_EMAIL,
    DEMO_TENANT_USER_NAME,
    DEMO_TENANT_USER_TENANT,
    DEMO_TENANTS,
    DEMO_UTILITY,
    DEMO_VIRTUAL_METERS,
    demo_leases,
    demo_tariff,
    demo_tenant_tariff,
)
from power_portal.measurements.load_profile import DEMO_TIMEZONE
from power_portal.reports import periods as report_periods
from power_portal.reports import service as reports_service
from power_portal.reports.schemas import ScheduleCreate
from power_portal.settings import AuthSettings, Settings
from power_portal.sites import repository as sites_repository
from power_portal.sites import service as sites_service
from power_portal.sites.schemas import DeviceCreate, SiteCreate
from power_portal.tariffs import service as tariffs_service
from power_portal.tariffs.schemas import TariffIn
from power_portal.tenants import service as tenants_service
from power_portal.tenants.schemas import AssignmentWrite, TenantWrite
from power_portal.users import service as users_service
from power_portal.users.schemas import UserCreate
from power_portal.virtual_meters import service as virtual_meters_service
from power_portal.virtual_meters.schemas import TermIn, VirtualMeterWrite


@dataclass(frozen=True)
class DemoState:
    sites: int
    loaded: bool


async def demo_state(db: AsyncSession) -> DemoState:
    """How many sites there are, and whether the demo site is one of them."""
    return DemoState(
        sites=await sites_repository.count_sites(db),
        loaded=await sites_repository.site_named(db, DEMO_SITE_NAME) is not None,
    )


@dataclass(frozen=True)
class DemoTenantUser:
    email: str
    password: str
    tenant: str


@dataclass(frozen=True)
class DemoSite:
    site_id: int
    device_ids: dict[str, int]  # the meters' ids by name
    tenant_ids: dict[str, int]  # the tenants' ids by name


async def create_demo_site(
    db: AsyncSession, history_start: datetime, history_end: datetime
) -> DemoSite:
    """The demo site with its tariff, its meters (a tree under the incomer), its virtual
    meters and its tenants (leases from ``demo_leases`` of the history's span)."""
    tariff = await tariffs_service.create_tariff(db, TariffIn.model_validate(demo_tariff()))
    site = await sites_service.create_site(
        db,
        SiteCreate(
            name=DEMO_SITE_NAME,
            timezone=DEMO_TIMEZONE,
            utility=DEMO_UTILITY,
            address=DEMO_ADDRESS,
            tariff_id=tariff.id,
        ),
    )
    ids: dict[str, int] = {}
    for meter in DEMO_METERS:  # a parent comes before its children
        parent_id = None if meter.parent is None else ids[meter.parent]
        device = await sites_service.create_device(
            db,
            site.id,
            DeviceCreate(
                name=meter.name,
                serial=meter.serial,
                model=DEMO_MODEL,
                parent_id=parent_id,
                role=meter.role,
            ),
        )
        ids[meter.name] = device.id
    for name, terms in DEMO_VIRTUAL_METERS:
        formula = [TermIn(sign=sign, device_id=ids[meter]) for sign, meter in terms]
        await virtual_meters_service.create_meter(
            db, site.id, VirtualMeterWrite(name=name, terms=formula)
        )
    tenant_ids = await _create_tenants(db, site.id, ids, history_start, history_end)
    return DemoSite(site.id, ids, tenant_ids)


async def _create_tenants(
    db: AsyncSession,
    site_id: int,
    device_ids: dict[str, int],
    history_start: datetime,
    history_end: datetime,
) -> dict[str, int]:
    """The tenants with their rules (the Cafe's own tariff created here) and their leases."""
    own_tariff = await tariffs_service.create_tariff(
        db, TariffIn.model_validate(demo_tenant_tariff())
    )
    tenant_ids: dict[str, int] = {}
    for tenant in DEMO_TENANTS:
        rule = dict(tenant.rule)
        if rule["kind"] == "own_tariff":
            rule["tariff_id"] = own_tariff.id
        created = await tenants_service.create_tenant(
            db,
            site_id,
            TenantWrite.model_validate(
                {
                    "name": tenant.name,
                    "reference": tenant.reference,
                    "contact_email": tenant.contact_email,
                    "rule": rule,
                }
            ),
        )
        tenant_ids[tenant.name] = created.id
    for lease in demo_leases(history_start, history_end):
        await tenants_service.create_assignment(
            db,
            tenant_ids[lease.tenant],
            AssignmentWrite(device_id=device_ids[lease.meter], start=lease.start, end=lease.end),
        )
    return tenant_ids


async def create_demo_tenant_user(
    db: AsyncSession, site: DemoSite, settings: AuthSettings
) -> DemoTenantUser | None:
    """The Grocer's tenant user with a fresh random password (`portal demo` prints it once);
    None if a user with its e-mail exists already (it is left as it is)."""
    if await users_service.get_user_by_email(db, DEMO_TENANT_USER_EMAIL) is not None:
        return None
    password = passwords.generate_password()
    await users_service.create_user(
        db,
        UserCreate(
            email=DEMO_TENANT_USER_EMAIL,
            name=DEMO_TENANT_USER_NAME,
            password=password,
            role=Role.TENANT,
            tenant_id=site.tenant_ids[DEMO_TENANT_USER_TENANT],
        ),
        settings,
    )
    return DemoTenantUser(DEMO_TENANT_USER_EMAIL, password, DEMO_TENANT_USER_TENANT)


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class DemoAlerts:
    rules: int
    history: int


async def create_demo_alerts(
    db: AsyncSession, site_id: int, live_device_id: int, now: datetime
) -> DemoAlerts:
    """Alert rules on the demo site, and what they would have raised on its history recorded
    as resolved alerts: the demand threshold is set where the history's 30-minute demand
    stood 3 % of the time, so the Alerts page shows real episodes on the first start. The
    offline rule watches the meter the live demo feeds (the others' history simply ends):
    it stays quiet while `make run` feeds it and fires once the feed stops."""
    probe = RuleWrite(
        name="probe",
        site_id=site_id,
        kind="demand_above",
        params={"unit": "auto", "threshold": 1_000_000},
    )
    series = (await alerts_service.backtest(db, BacktestRequest(rule=probe, days=14), now)).series
    demands = sorted(v for v in series.values if v is not None)
    threshold = round(demands[int(len(demands) * 0.97)], 1) if demands else 100.0
    rules = [
        RuleWrite(
            name="Incomer demand",
            site_id=site_id,
            kind="demand_above",
            severity="critical",
            for_minutes=15,
            params={
                "unit": "auto",
                "threshold": threshold,
                "clear_below": round(threshold * 0.95, 1),
            },
        ),
        RuleWrite(
            name="Peak about to be exceeded",
            site_id=site_id,
            kind="peak_exceeding",
            severity="warning",
            params={"margin_percent": 5},
        ),
        RuleWrite(
            name="Incomer offline",
            device_id=live_device_id,
            kind="offline",
            severity="warning",
            params={"minutes": 30},
        ),
        RuleWrite(
            name="Data gaps",
            site_id=site_id,
            kind="gap",
            severity="info",
            params={"minutes": 60},
        ),
        RuleWrite(
            name="Unusual day",
            site_id=site_id,
            kind="daily_energy_above_baseline",
            severity="info",
            params={"percent": 30, "weeks": 2},
        ),
    ]
    history = 0
    for write in rules:
        created = await alerts_service.create_rule(db, write)
        if write.kind in ("demand_above", "daily_energy_above_baseline"):
            rule = await alerts_service.get_rule(db, created.id)
            history += await alerts_service.record_history(db, rule, 14, now)
    return DemoAlerts(len(rules), history)


# ---------------------------------------------------------------- reports

DEMO_REPORT_RECIPIENT = "facilities@example.com"


async def create_demo_reports(
    db: AsyncSession, settings: Settings, site_id: int, now: datetime
) -> str:
    """A monthly report pack for the demo site (the report, the bill as PDF and Excel, every
    tenant's bill, the reconciliation), and last month's run already made, so the Reports
    page lists it with its files on the first start (its mail waits for an SMTP server);
    the label of the month sent."""
    created = await reports_service.create_schedule(
        db,
        ScheduleCreate(
            name="Monthly pack",
            site_id=site_id,
            cadence="monthly",
            day_of_month=3,
            contents=["report", "bill", "bill_xlsx", "tenant_bills", "reconciliation_xlsx"],
            recipients=[DEMO_REPORT_RECIPIENT],
        ),
        None,
        now,
    )
    schedule = await reports_service.get_schedule(db, created.id)
    site = await sites_service.get_site(db, site_id)
    last_month = report_periods.previous(
        report_periods.month_of(now.astimezone(ZoneInfo(site.timezone)).date())
    )
    await reports_service.run_due_schedule(db, settings, schedule, last_month, now)
    return last_month.label

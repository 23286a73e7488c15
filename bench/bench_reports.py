"""Reports: the month's bill and site report as PDF against the same bill as JSON; a month's
200 tenant bills as PDFs on one core.

Part 1, set-up: a site (Africa/Johannesburg, the Eskom-style TOU tariff of the tests: two
seasons, weekday/Saturday/Sunday windows, a daily service charge, network demand per kVA in
peak and standard, VAT 15 %) with one meter (role ``supply``) carrying a year (2025) of
1-minute readings (525,601), written by the database (``INSERT … SELECT`` over
``generate_series``, a month per statement): a daily load curve kW = a + b sin(…) with its
closed-form import register, the apparent-energy register at a power factor of 0.92, a power
factor that moves about that through the day, voltages, currents and frequency with a little
noise. The 15-minute and daily rollups are built by the app's own ``rollups.rebuild_around``
(a month per call), a few alerts of the site are written into December, then ``VACUUM
ANALYZE``.

Measured through a real ``portal serve`` for December 2025 (the year's last full month),
p50/p95 of --runs rounds after --warmup, the four reads interleaved round by round (so drift
hits the baseline too):

- the baseline: ``GET /api/sites/{id}/bill?start=2025-12-01&end=2026-01-01`` (JSON);
- ``GET /api/sites/{id}/bill.pdf`` (the same span);
- ``GET /api/sites/{id}/report?month=2025-12`` (JSON: the bill and its daily costs, the
  summary, energy by day, the buckets, two comparisons, the alerts);
- ``GET /api/sites/{id}/report.pdf?month=2025-12``.

Each is reported as a ratio to the bill JSON's p50 of the same run. Sanity: the bill PDF's
text (pypdf) holds the bill JSON's total as ``reports.pdf.format_money`` writes it, the
report PDF the report JSON's; the report's total is the bill's.

Part 2, set-up: ``bench_tenants.py``'s (its functions, as it imports bench_tree's): in the
same database, a second site with the metering tree (an incomer → 10 boards → 20 sub-meters),
200 tenants through the API, one per sub-meter (pass-through, coincident-peak demand, a
capped mark-up, an admin fee; every 20th moves out mid-month), June 2025 of 15-minute
readings and their rollups. A monthly report schedule of that site with contents
``["tenant_bills"]``; no SMTP server is configured (the run stores its PDFs, the mails wait in
the outbox).

"On one core", honestly: the set-up portal is stopped, every process of the embedded
PostgreSQL (postmaster, its background workers and backends) is pinned to one CPU
(``sched_setaffinity``, ``--core``, 0) and a second ``portal serve`` is started pinned to the
same CPU, so the portal's Python, ReportLab and the database's reads share that one core
(``--no-pin`` leaves both free). Measured through that server, same run:

- ``POST /api/report-schedules/{id}/send`` ``{"month": "2025-06"}``: every tenant's bill
  computed together and typeset as a PDF, one after the other, and stored (the run and its
  files commit before the 202), --send-runs times; per bill = the send / the tenants;
- the baseline: ``GET /api/sites/{id}/tenant-bills?month=2025-06`` (the same 200 bills as
  JSON), p50/p95 of --runs;
- for where the time goes: the portal's and PostgreSQL's CPU seconds during the first send
  (psutil), and, in this process on one thread, ReportLab alone typesetting the 200 bills
  from the JSON (``reports.pdf.tenant_bill_pdf``).

Sanity: the run holds one PDF per tenant and no notes; the first and the last tenant's PDF
(downloaded from the run) hold that tenant's JSON total (``format_money``).

Targets (issue 19): the bill PDF < 1 s p95; the site report PDF < 3 s p95; the 200 tenant
bills as PDFs in < 60 s on one core (p95 of the sends). `--quick`: three months of 1-minute
readings (October to December), 5 boards x 10 sub-meters (50 tenants), 5 rounds, one send.

    .venv/bin/python bench/bench_reports.py [--quick] [--runs 10] [--send-runs 3] [--core 0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
from pypdf import PdfReader
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench_tenants import HI as TENANTS_HI
from bench_tenants import LO as TENANTS_LO
from bench_tenants import MONTH as TENANTS_MONTH
from bench_tenants import READINGS_PER_METER as TENANT_READINGS_PER_METER
from bench_tenants import RULE, check_routes, create_tenants
from bench_tree import (
    REGISTERS_MASK,
    Meter,
    build_rollups,
    create_devices,
    generate_readings,
    get_json,
    plan_tree,
)
from common import (
    ZONE,
    BenchTimeoutError,
    PortalServer,
    bench_database,
    connect,
    console,
    latency_summary,
    login,
    make_site,
    pg_settings,
    time_limit,
    vacuum_analyze,
    verdict,
    warn_if_busy,
    write_results,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.tariffs import eskom_style_tariff, eskom_style_version  # noqa: E402

from power_portal.alerts.mail import (  # noqa: E402
    DEFAULT_PRIMARY_COLOR,
    DEFAULT_SECONDARY_COLOR,
    Brand,
)
from power_portal.db.engine import Database  # noqa: E402
from power_portal.measurements.rollups import rebuild_around  # noqa: E402
from power_portal.reports import pdf  # noqa: E402
from power_portal.tenants.schemas import TenantBill  # noqa: E402

NAME = "reports"
TIME_LIMIT_SECONDS = 900
YEAR_LO = datetime(2025, 1, 1, tzinfo=ZONE)
QUICK_LO = datetime(2025, 10, 1, tzinfo=ZONE)
YEAR_HI = datetime(2026, 1, 1, tzinfo=ZONE)
MONTH = "2025-12"  # the year's last full month
MONTH_SPAN = {"start": "2025-12-01", "end": "2026-01-01"}
BILL_PDF_TARGET_MS = 1000.0
REPORT_PDF_TARGET_MS = 3000.0
TENANT_PDFS_TARGET_S = 60.0
RECIPIENT = "finance@bench.example"

# One meter's 1-minute readings over [lo, hi): kW = a + b sin(2 pi (s - phase) / day) with a
# little noise; the import register is the curve's closed-form integral (never backwards),
# the apparent-energy register that at a power factor of 0.92; the power factor itself moves
# about 0.92 through the day (it is what the report averages and takes the minimum of).
YEAR_SQL = """
INSERT INTO monitoring.power_measurements
    (device_id, time, voltage_l1_v, voltage_l2_v, voltage_l3_v, current_l1_a, current_l2_a,
     current_l3_a, power_kw, power_factor, frequency_hz, energy_import_kwh, energy_export_kwh,
     apparent_energy_kvah)
SELECT %(device_id)s, t.time,
       round((230 + 2 * sin(t.w) + random() - 0.5)::numeric, 2),
       round((231 + 2 * sin(t.w) + random() - 0.5)::numeric, 2),
       round((229 + 2 * sin(t.w) + random() - 0.5)::numeric, 2),
       round((t.kw * 1000 / (3 * 230 * t.pf) * (0.97 + 0.06 * random()))::numeric, 3),
       round((t.kw * 1000 / (3 * 230 * t.pf) * (0.97 + 0.06 * random()))::numeric, 3),
       round((t.kw * 1000 / (3 * 230 * t.pf) * (0.97 + 0.06 * random()))::numeric, 3),
       round((t.kw + 4 * (random() - 0.5))::numeric, 3),
       round(t.pf::numeric, 3),
       round((50 + 0.04 * (random() - 0.5))::numeric, 3),
       round(t.kwh::numeric, 2),
       0,
       round((t.kwh / 0.92)::numeric, 2)
FROM (SELECT time, w,
             %(a)s + %(b)s * sin(w) AS kw,
             0.92 + 0.03 * cos(w) AS pf,
             %(base)s + %(a)s * s / 3600
                 + %(b)s * 24 / (2 * pi()) * (cos(2 * pi() * %(phase)s / 86400) - cos(w)) AS kwh
      FROM (SELECT time, extract(epoch FROM time - %(origin)s) AS s,
                   2 * pi() * (extract(epoch FROM time - %(origin)s) - %(phase)s) / 86400 AS w
            FROM generate_series(%(lo)s, %(hi)s, interval '1 minute') AS time
            WHERE time < %(hi)s OR %(last)s) AS g) AS t
"""
LOAD = {"a": 150.0, "b": 90.0, "phase": 6 * 3600.0, "base": 250_000.0}  # kW peak at noon

ALERTS_SQL = """
INSERT INTO app.alerts (rule_name, kind, severity, site_id, subject_kind, subject_id,
                        subject_name, state, value, threshold, unit, message, started_at,
                        fired_at, resolved_at)
SELECT 'Incomer demand', 'demand_above', CASE WHEN n %% 3 = 0 THEN 'critical' ELSE 'warning' END,
       %(site_id)s, 'device', %(device_id)s, 'Incomer', 'resolved', 245 + n, 240, 'kW',
       'Incomer demand ' || (245 + n) || ' kW above 240 kW', at, at + interval '15 minutes',
       at + interval '2 hours'
FROM generate_series(1, 6) AS n,
     LATERAL (SELECT %(month_start)s::timestamptz
                     + (n * 4 + 0.5)::float8 * interval '1 day' AS at) AS a
"""

# (key, label, path under the site, parameters, a PDF?)
SITE_READS: list[tuple[str, str, str, dict[str, str], bool]] = [
    ("bill", "bill, JSON (baseline)", "bill", MONTH_SPAN, False),
    ("bill_pdf", "bill, PDF", "bill.pdf", MONTH_SPAN, True),
    ("report", "site report, JSON", "report", {"month": MONTH}, False),
    ("report_pdf", "site report, PDF", "report.pdf", {"month": MONTH}, True),
]


def month_starts(lo: datetime, hi: datetime) -> list[datetime]:
    """Local month starts from ``lo`` up to and with ``hi``."""
    starts = [lo]
    while starts[-1] < hi:
        moment = starts[-1]
        year, month = (
            (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
        )
        starts.append(moment.replace(year=year, month=month))
    return starts


def generate_year(url: Any, device_id: int, lo: datetime, progress: Progress) -> None:
    """The 1-minute readings from ``lo`` to the year's end (inclusive), a month per statement."""
    edges = month_starts(lo, YEAR_HI)
    task = progress.add_task("generating 1-minute readings", total=len(edges) - 1)
    with connect(url) as conn:
        for a, b in itertools.pairwise(edges):
            conn.execute(
                YEAR_SQL,
                {"device_id": device_id, "origin": lo, "lo": a, "hi": b, "last": b == YEAR_HI}
                | LOAD,
            )
            conn.commit()
            progress.advance(task)


async def build_year_rollups(
    database: Database, device_id: int, lo: datetime, progress: Progress
) -> None:
    """The app's own rebuild over the meter's readings, a month per call."""
    edges = month_starts(lo, YEAR_HI)
    task = progress.add_task("building rollups (rebuild_around)", total=len(edges) - 1)
    for a, b in itertools.pairwise(edges):
        async with database.session() as session:
            await rebuild_around(session, device_id, a.astimezone(UTC), b.astimezone(UTC),
                                 REGISTERS_MASK)  # fmt: skip
            await session.commit()
        progress.advance(task)
    await database.dispose()


def get_pdf(admin: httpx.Client, path: str, **params: str) -> bytes:
    response = admin.get(path, params=params)
    if response.status_code != 200 or not response.content.startswith(b"%PDF-"):
        raise RuntimeError(f"GET {path} {params}: {response.status_code} {response.text[:300]}")
    return response.content


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


# ---------------------------------------------------------------- one core


def postmaster_pid(url: Any) -> int:
    with connect(url) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    return psutil.Process(int(row[0])).ppid()


def pin(pid: int, cpus: set[int]) -> int:
    """Pin a process, its descendants and all their threads to ``cpus``; tasks pinned."""
    root = psutil.Process(pid)
    pinned = 0
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            for thread in process.threads():
                with contextlib.suppress(ProcessLookupError):
                    os.sched_setaffinity(thread.id, cpus)
                    pinned += 1
    return pinned


def cpu_seconds(pid: int, *, children: bool) -> float:
    """User + system CPU seconds of a process (all its threads), or of its children."""
    root = psutil.Process(pid)
    processes = root.children(recursive=True) if children else [root]
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def start_pinned(server: PortalServer, cpus: set[int] | None) -> None:
    """Start ``server`` with its affinity ``cpus`` (inherited from this thread at the fork)."""
    if cpus is None:
        server.start()
        return
    original = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        server.start()
    finally:
        os.sched_setaffinity(0, original)
    assert server.process is not None
    pin(server.process.pid, cpus)


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="three months of 1-minute readings, 5 boards x 10 sub-meters (50 tenants)",
    )
    parser.add_argument("--boards", type=int, default=10)
    parser.add_argument("--per-board", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10, help="timed rounds of the site reads")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--send-runs", type=int, default=3, help="timed sends of the tenant PDFs")
    parser.add_argument("--core", type=int, default=0, help="the CPU of part 2 (default 0)")
    parser.add_argument("--no-pin", action="store_true", help="part 2 without pinning (every CPU)")
    parser.add_argument("--workers", type=int, default=2, help="parallel set-up connections")
    parser.add_argument(
        "--time-limit",
        type=int,
        default=TIME_LIMIT_SECONDS,
        help=f"stop (and clean up) after this many seconds (default {TIME_LIMIT_SECONDS})",
    )
    args = parser.parse_args()
    year_lo = YEAR_LO
    if args.quick:
        args.boards, args.per_board = 5, 10
        args.runs = min(args.runs, 5)
        args.send_runs = 1
        year_lo = QUICK_LO
    cpus = None if args.no_pin else {args.core}
    if cpus is not None and not cpus <= os.sched_getaffinity(0):
        raise SystemExit(f"--core {args.core}: not one of this machine's CPUs")
    warn_if_busy()
    started = time.perf_counter()
    meters = plan_tree(args.boards, args.per_board)
    leaves = [m for m in meters if m.parent is not None and meters[m.parent].parent is not None]
    supply = Meter("Incomer", "supply", None, [])
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-reports-", dir="/tmp"))
    runner = asyncio.Runner()
    setup: dict[str, float] = {}
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with (
            time_limit(args.time_limit),
            bench_database() as url,
            runner,
        ):
            with PortalServer(url, workdir / "setup") as server:
                admin = login(server.url)
                tariff = eskom_style_tariff()
                tariff["versions"] = [eskom_style_version("2024-01-01", None)]
                created = admin.post("/api/tariffs", json=tariff)
                created.raise_for_status()
                tariff_id = created.json()["id"]
                site_id = make_site(admin, "Head office")
                tenants_site = make_site(admin, "Shopping centre")
                for site in (site_id, tenants_site):
                    admin.patch(
                        f"/api/sites/{site}", json={"tariff_id": tariff_id}
                    ).raise_for_status()
                check_routes(admin, tenants_site)
                t0 = time.perf_counter()
                create_devices(admin, site_id, [supply], "YEAR")
                create_devices(admin, tenants_site, meters, "TREE")
                setup["create_devices_s"] = time.perf_counter() - t0

                with Progress(*columns, console=console) as progress:
                    t0 = time.perf_counter()
                    generate_year(url, supply.device_id, year_lo, progress)
                    setup["generate_year_s"] = time.perf_counter() - t0
                    t0 = time.perf_counter()
                    runner.run(
                        build_year_rollups(
                            Database.from_url(url), supply.device_id, year_lo, progress
                        )
                    )
                    setup["rollups_year_s"] = time.perf_counter() - t0
                    with connect(url) as conn:
                        conn.execute(
                            ALERTS_SQL,
                            {
                                "site_id": site_id,
                                "device_id": supply.device_id,
                                "month_start": datetime(2025, 12, 1, tzinfo=ZONE),
                            },
                        )
                        conn.commit()

                    t0 = time.perf_counter()
                    tenant_ids = create_tenants(admin, tenants_site, leaves, progress)
                    setup["create_tenants_s"] = time.perf_counter() - t0
                    t0 = time.perf_counter()
                    span = (TENANTS_LO, TENANTS_HI)
                    generate_readings(url, meters, progress, args.workers, span)
                    setup["generate_tenants_s"] = time.perf_counter() - t0
                    database = Database.from_url(url)
                    t0 = time.perf_counter()
                    device_ids = [m.device_id for m in meters]
                    runner.run(build_rollups(database, device_ids, progress, args.workers, span))
                    setup["rollups_tenants_s"] = time.perf_counter() - t0
                    runner.run(database.dispose())
                with console.status("VACUUM ANALYZE"):
                    t0 = time.perf_counter()
                    vacuum_analyze(url)
                    with connect(url, autocommit=True) as conn:
                        for table in ("monitoring.rollup_1d", "app.tenant_meters", "app.tenants",
                                      "app.alerts"):  # fmt: skip
                            conn.execute(f"VACUUM (ANALYZE) {table}")
                    setup["vacuum_s"] = time.perf_counter() - t0
                with connect(url) as conn:
                    counts: tuple[int, int, int] = conn.execute(
                        "SELECT (SELECT count(*) FROM monitoring.power_measurements"
                        "        WHERE device_id = %(id)s),"
                        " (SELECT count(*) FROM monitoring.power_measurements),"
                        " (SELECT count(*) FROM monitoring.rollup_15m)",
                        {"id": supply.device_id},
                    ).fetchone() or (0, 0, 0)
                schedule = admin.post(
                    "/api/report-schedules",
                    json={
                        "name": "Tenant bills",
                        "site_id": tenants_site,
                        "cadence": "monthly",
                        "day_of_month": 28,
                        "local_time": "07:00",
                        "contents": ["tenant_bills"],
                        "recipients": [RECIPIENT],
                    },
                )
                if schedule.status_code != 201:
                    raise RuntimeError(f"POST /api/report-schedules: {schedule.text[:300]}")
                schedule_id = int(schedule.json()["id"])

                site_results, site_answers = measure_site(admin, site_id, args)
                admin.close()

            # Part 2 on one core: PostgreSQL and a fresh portal pinned to the same CPU.
            pinned_tasks = pin(postmaster_pid(url), cpus) if cpus is not None else 0
            server = PortalServer(url, workdir / "one-core")
            try:
                start_pinned(server, cpus)
                assert server.process is not None
                affinity = sorted(os.sched_getaffinity(server.process.pid))
                admin = login(server.url)
                tenant_results, tenant_answers = measure_tenants(
                    admin, server.process.pid, postmaster_pid(url), tenants_site, schedule_id, args
                )
                admin.close()
            finally:
                server.stop()
            settings = pg_settings(url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    render = render_only(tenant_answers["json"], "Shopping centre")
    tenant_results["render_only"] = render
    checks = sanity(site_answers, tenant_answers, len(tenant_ids))
    targets = report(site_results, tenant_results, args, setup, counts, checks, len(tenant_ids))
    path = write_results(
        NAME,
        {
            "parameters": {
                "readings": counts[0],
                "readings_from": year_lo.date().isoformat(),
                "month": MONTH,
                "load": LOAD,
                "runs": args.runs,
                "warmup": args.warmup,
                "tenants": len(tenant_ids),
                "tenant_month": TENANTS_MONTH,
                "tenant_readings_per_meter": TENANT_READINGS_PER_METER,
                "boards": args.boards,
                "per_board": args.per_board,
                "rule": RULE,
                "send_runs": args.send_runs,
                "part2_cpu_affinity": affinity,
                "part2_postgres_tasks_pinned": pinned_tasks,
            },
            "postgres": settings,
            "setup": {k: round(v, 2) for k, v in setup.items()}
            | {"measurements": counts[1], "rollup_15m": counts[2]},
            "results": {"site": site_results, "tenants": tenant_results},
            "sanity": checks,
            "targets": targets,
            "duration_s": round(time.perf_counter() - started, 1),
        },
    )
    console.print(f"results: {path}  (total {time.perf_counter() - started:.0f} s)")
    return 0


def measure_site(
    admin: httpx.Client, site_id: int, args: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bill and the report, JSON and PDF, interleaved round by round."""
    samples: dict[str, list[float]] = {key: [] for key, *_ in SITE_READS}
    answers: dict[str, Any] = {}
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as progress:
        rounds = args.warmup + args.runs
        task = progress.add_task("site reads", total=rounds * len(SITE_READS))
        for round_number in range(rounds):
            for key, label, path, params, is_pdf in SITE_READS:
                progress.update(task, description=f"{label} (round {round_number + 1})")
                url = f"/api/sites/{site_id}/{path}"
                t0 = time.perf_counter()
                answer = get_pdf(admin, url, **params) if is_pdf else get_json(admin, url, **params)
                elapsed = (time.perf_counter() - t0) * 1000
                if round_number >= args.warmup:
                    samples[key].append(elapsed)
                answers.setdefault(key, answer)
                progress.advance(task)
    results = {key: latency_summary(values) for key, values in samples.items()}
    for key, *_, is_pdf in SITE_READS:
        if is_pdf:
            results[key]["bytes"] = len(answers[key])
            results[key]["pages"] = pdf_pages(answers[key])
    return results, answers


def measure_tenants(
    admin: httpx.Client,
    portal_pid: int,
    postgres_pid: int,
    site_id: int,
    schedule_id: int,
    args: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every tenant's bill as JSON (the baseline), then as PDFs through "send now"."""
    results: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("tenant bills, JSON", total=args.warmup + args.runs)
        samples: list[float] = []
        for run in range(args.warmup + args.runs):
            t0 = time.perf_counter()
            bills = get_json(admin, f"/api/sites/{site_id}/tenant-bills", month=TENANTS_MONTH)
            elapsed = (time.perf_counter() - t0) * 1000
            if run >= args.warmup:
                samples.append(elapsed)
            answers.setdefault("json", bills)
            progress.advance(task)
        results["json"] = latency_summary(samples)

        task = progress.add_task("tenant bills, PDFs (send now)", total=args.send_runs)
        samples = []
        cpu: list[dict[str, float]] = []
        for _ in range(args.send_runs):
            portal_cpu = cpu_seconds(portal_pid, children=False)
            postgres_cpu = cpu_seconds(postgres_pid, children=True)
            t0 = time.perf_counter()
            response = admin.post(
                f"/api/report-schedules/{schedule_id}/send", json={"month": TENANTS_MONTH}
            )
            elapsed = time.perf_counter() - t0
            if response.status_code != 202:
                raise RuntimeError(f"send now: {response.status_code} {response.text[:300]}")
            samples.append(elapsed * 1000)
            cpu.append(
                {
                    "wall_s": round(elapsed, 2),
                    "portal_cpu_s": round(cpu_seconds(portal_pid, children=False) - portal_cpu, 2),
                    "postgres_cpu_s": round(
                        cpu_seconds(postgres_pid, children=True) - postgres_cpu, 2
                    ),
                }
            )
            answers.setdefault("run", response.json())
            progress.advance(task)
        results["send"] = latency_summary(samples) | {"cpu": cpu}

        run = answers["run"]
        files = sorted(run["files"], key=lambda f: f["id"])
        results["send"]["files"] = len(files)
        results["send"]["bytes"] = sum(f["size_bytes"] for f in files)
        answers["pdfs"] = {
            f["filename"]: admin.get(f"/api/report-runs/{run['id']}/files/{f['id']}").content
            for f in (files[:1] + files[-1:])
        }
    return results, answers


def render_only(bills_json: list[dict[str, Any]], site_name: str) -> dict[str, Any]:
    """ReportLab alone, in this process on one thread: every tenant's bill from its JSON."""
    bills = [TenantBill.model_validate(bill) for bill in bills_json]
    brand = Brand("Power Portal", DEFAULT_PRIMARY_COLOR, DEFAULT_SECONDARY_COLOR, None)
    now = datetime.now(UTC)
    pdf.tenant_bill_pdf(bills[0], site_name=site_name, timezone=ZONE.key, brand=brand,
                        generated_at=now)  # fmt: skip
    samples = []
    with console.status(f"typesetting {len(bills)} tenant bills in-process (one thread)"):
        t0 = time.perf_counter()
        for bill in bills:
            t1 = time.perf_counter()
            pdf.tenant_bill_pdf(
                bill, site_name=site_name, timezone=ZONE.key, brand=brand, generated_at=now
            )
            samples.append((time.perf_counter() - t1) * 1000)
        total = time.perf_counter() - t0
    return {"total_s": round(total, 2), "per_bill": latency_summary(samples)}


def sanity(
    site_answers: dict[str, Any], tenant_answers: dict[str, Any], tenants: int
) -> dict[str, Any]:
    """Each PDF holds its JSON's total; the run holds every tenant's bill."""
    checks: dict[str, Any] = {}
    bill, report = site_answers["bill"], site_answers["report"]
    checks["bill_total"] = bill["total"]
    checks["report_total"] = report["total"]
    checks["report_total_is_bill_total"] = report["total"] == bill["total"]
    checks["bill_pdf_has_total"] = pdf.format_money(bill["total"]) in pdf_text(
        site_answers["bill_pdf"]
    )
    checks["report_pdf_has_total"] = pdf.format_money(report["total"]) in pdf_text(
        site_answers["report_pdf"]
    )
    checks["report_alerts"] = len(report["alerts"])
    checks["report_completeness_percent"] = report["completeness"]["percent"]
    checks["report_energy_import_kwh"] = report["energy_import_kwh"]
    bills = {bill["tenant_id"]: bill for bill in tenant_answers["json"]}
    run = tenant_answers["run"]
    checks["tenant_bills_json"] = len(bills)
    checks["run_files"] = len(run["files"])
    checks["run_files_are_pdfs"] = all(f["media_type"] == "application/pdf" for f in run["files"])
    checks["run_notes"] = run["notes"]
    checks["run_has_every_tenant"] = len(run["files"]) == tenants == len(bills)
    found = {}
    for filename, content in tenant_answers["pdfs"].items():
        tenant_id = int(filename.removeprefix("bill-tenant").split("-")[0])
        found[filename] = pdf.format_money(bills[tenant_id]["total"]) in pdf_text(content)
    checks["tenant_pdfs_have_total"] = found
    return checks


def report(
    site: dict[str, Any],
    tenants: dict[str, Any],
    args: Any,
    setup: dict[str, float],
    counts: Any,
    checks: dict[str, Any],
    tenant_count: int,
) -> list[dict[str, Any]]:
    setup_table = Table(title="Set-up")
    setup_table.add_column("step")
    setup_table.add_column("seconds", justify="right")
    setup_table.add_column("note")
    setup_table.add_row("devices through the API", f"{setup['create_devices_s']:.1f}", "")
    setup_table.add_row(
        "1-minute readings of the supply meter (INSERT … SELECT)",
        f"{setup['generate_year_s']:.1f}",
        f"{counts[0]:,} rows",
    )
    setup_table.add_row(
        "its rollups (rebuild_around a month at a time)", f"{setup['rollups_year_s']:.1f}", ""
    )
    setup_table.add_row(
        "tenants and their meters through the API", f"{setup['create_tenants_s']:.1f}", ""
    )
    setup_table.add_row(
        "15-minute readings of the tree (INSERT … SELECT)",
        f"{setup['generate_tenants_s']:.1f}",
        f"{counts[1] - counts[0]:,} rows",
    )
    setup_table.add_row(
        "the tree's rollups (rebuild_around per meter)",
        f"{setup['rollups_tenants_s']:.1f}",
        f"{counts[2]:,} 15-minute rows in all",
    )
    setup_table.add_row("VACUUM ANALYZE", f"{setup['vacuum_s']:.1f}", "")
    console.print(setup_table)

    baseline = site["bill"]["p50_ms"]
    limits = {"bill_pdf": BILL_PDF_TARGET_MS, "report_pdf": REPORT_PDF_TARGET_MS}
    table = Table(
        title=f"{MONTH} of a year of 1-minute readings ({counts[0]:,}): p50/p95 ms over "
        f"{args.runs} rounds"
    )
    for column in ("read", "p50", "p95", "÷ bill JSON", "size", "target"):
        table.add_column(column, justify="left" if column == "read" else "right")
    table.add_column("")
    targets: list[dict[str, Any]] = []
    for key, label, path, _params, is_pdf in SITE_READS:
        result = site[key]
        limit = limits.get(key)
        ok = limit is None or result["p95_ms"] < limit
        if limit is not None:
            targets.append(
                {
                    "name": f"{label}, p95 ms",
                    "value": result["p95_ms"],
                    "target": f"< {limit:.0f}",
                    "pass": ok,
                }
            )
        table.add_row(
            f"{label}: GET …/{path}",
            f"{result['p50_ms']:.1f}",
            f"{result['p95_ms']:.1f}",
            f"{result['p50_ms'] / baseline:.1f}x",
            f"{result['bytes'] / 1024:,.0f} KiB, {result['pages']} p." if is_pdf else "",
            f"< {limit:.0f}" if limit else "",
            verdict(ok) if limit else "",
        )
    console.print(table)
    console.print(
        f"typesetting (PDF p50 - JSON p50): bill {site['bill_pdf']['p50_ms'] - baseline:.0f} ms, "
        f"report {site['report_pdf']['p50_ms'] - site['report']['p50_ms']:.0f} ms"
    )

    send, json_bills, render = tenants["send"], tenants["json"], tenants["render_only"]
    where = "every CPU" if args.no_pin else f"CPU {args.core}"
    table = Table(
        title=f"{tenant_count} tenant bills of {TENANTS_MONTH} as PDFs, portal and PostgreSQL "
        f"on {where}"
    )
    for column in ("measure", "runs", "p50", "p95", "per bill", "target"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    table.add_column("")
    ok = send["p95_ms"] / 1000 < TENANT_PDFS_TARGET_S
    targets.append(
        {
            "name": f"{tenant_count} tenant bill PDFs on one core, p95 s",
            "value": round(send["p95_ms"] / 1000, 2),
            "target": f"< {TENANT_PDFS_TARGET_S:.0f}",
            "pass": ok,
        }
    )
    table.add_row(
        "tenant bills, JSON (baseline): GET …/tenant-bills",
        str(json_bills["runs"]),
        f"{json_bills['p50_ms']:,.0f} ms",
        f"{json_bills['p95_ms']:,.0f} ms",
        f"{json_bills['p50_ms'] / tenant_count:.1f} ms",
        "",
        "",
    )
    table.add_row(
        "tenant bills, PDFs: POST …/send",
        str(send["runs"]),
        f"{send['p50_ms'] / 1000:,.1f} s",
        f"{send['p95_ms'] / 1000:,.1f} s",
        f"{send['p50_ms'] / tenant_count:.1f} ms",
        f"< {TENANT_PDFS_TARGET_S:.0f} s",
        verdict(ok),
    )
    table.add_row(
        "ReportLab alone, in-process, one thread",
        "1",
        f"{render['total_s']:,.1f} s",
        "",
        f"{render['per_bill']['p50_ms']:.1f} ms (p95 {render['per_bill']['p95_ms']:.1f})",
        "",
        "",
    )
    console.print(table)
    first = send["cpu"][0]
    console.print(
        f"the PDFs ({send['files']} files, {send['bytes'] / 1024 / 1024:.1f} MiB a run) take "
        f"{send['p50_ms'] / json_bills['p50_ms']:.1f}x the JSON (p50s); first "
        f"send: {first['wall_s']:.1f} s wall, portal {first['portal_cpu_s']:.1f} s CPU, "
        f"PostgreSQL {first['postgres_cpu_s']:.1f} s CPU"
    )
    console.print(
        f"sanity: bill total {checks['bill_total']:,.2f} in its PDF: "
        f"{checks['bill_pdf_has_total']}; report total {checks['report_total']:,.2f} (= bill: "
        f"{checks['report_total_is_bill_total']}) in its PDF: {checks['report_pdf_has_total']}; "
        f"report: {checks['report_energy_import_kwh']:,.1f} kWh, {checks['report_alerts']} alerts,"
        f" {checks['report_completeness_percent']} % complete; run: {checks['run_files']} PDFs "
        f"for {checks['tenant_bills_json']} bills (every tenant: {checks['run_has_every_tenant']}"
        f"), notes {checks['run_notes']}; totals in the tenant PDFs: "
        f"{checks['tenant_pdfs_have_total']}"
    )
    return targets


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchTimeoutError as exc:
        console.print(f"[bold red]{exc}[/] (everything it started has been stopped)")
        sys.exit(2)

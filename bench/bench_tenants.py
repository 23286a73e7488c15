"""Tenant recharging: a month's 200 tenant bills and the reconciliation, against a bill loop.

Set-up: the metering tree of ``bench_tree.py`` (Africa/Johannesburg, an Eskom-style TOU
tariff with a daily service charge and a network demand charge per kVA): an incomer (role
``supply``) → 10 distribution boards → 20 sub-meters each, so that every one of the 200
tenants holds one bottom-level sub-meter (a tenant on a board would count its sub-meters'
energy twice); one board reads 10 % below its sub-meters, as in bench_tree. A month (June
2025, high season) of 15-minute readings per meter, with a day either side, is written by
the database (``INSERT … SELECT`` over ``generate_series``, bench_tree's load curves), the
rollups are built by the app's own ``rollups.rebuild_around``, then ``VACUUM ANALYZE``.

200 tenants are created through the API, one per sub-meter, every one on a pass-through
rule with the demand charge apportioned by coincident peak (``coincident_demand``), a 5 %
mark-up capped at 250 and an admin fee of 50; every 20th tenant moves out on 15 June at
noon (its meter is vacant afterwards: the landlord's).

Measured through a real ``portal serve``, same run:

- ``GET /api/sites/{id}/tenant-bills?month=2025-06`` (every tenant's bill), p50/p95 of --runs;
- the baseline: a loop of ``GET /api/tenants/{id}/bill?month=2025-06`` for every tenant,
  p50/p95 of --loop-runs (the first run's bills are the ones compared). Bounded: when one
  tenant's bill (its p50) times the tenants would pass --loop-budget seconds a run, the loop
  runs over every k-th tenant only and its time is scaled up to all of them (printed as
  "extrapolated": a tenant's bill costs the same whichever tenant it is);
- ``GET /api/sites/{id}/reconciliation?month=2025-06``, p50/p95 of --runs;
- for scale: one tenant's bill, and the site's own bill of the month.

Targets (issue 17): the 200 tenant bills < 2 s (p95) and >= 10x faster than the loop
(p50s); the reconciliation < 1 s (p95). Sanity: the site's bills equal the loop's to the
cent; the reconciliation's tenants equal the bills; tenants + common areas + unmetered =
the site's energy; the recovered subtotal is the tenants' subtotals added up.

    .venv/bin/python bench/bench_tenants.py [--quick] [--runs 10] [--loop-runs 2]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench_tree import (
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
    timed,
    vacuum_analyze,
    verdict,
    warn_if_busy,
    write_results,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.tariffs import eskom_style_tariff, eskom_style_version  # noqa: E402

from power_portal.db.engine import Database  # noqa: E402

NAME = "tenants"
TIME_LIMIT_SECONDS = 600
MONTH = "2025-06"
MONTH_START = datetime(2025, 6, 1, tzinfo=ZONE)
MONTH_END = datetime(2025, 7, 1, tzinfo=ZONE)
LO = MONTH_START - timedelta(days=1)  # a day either side: the registers at the month's edges
HI = MONTH_END + timedelta(days=1)
LEASES_START = datetime(2025, 1, 1, tzinfo=ZONE)
MOVE_OUT = datetime(2025, 6, 15, 12, 0, tzinfo=ZONE)
MOVE_OUT_EVERY = 20  # every 20th tenant moves out mid-month
READINGS_PER_METER = int((HI - LO).total_seconds() // 900) + 1
SITE_BILLS_TARGET_MS = 2000.0
SITE_BILLS_VS_LOOP_TARGET = 10.0
RECONCILIATION_TARGET_MS = 1000.0
MARKUP_CAP = 250.0
RULE = {
    "kind": "pass_through",
    "apportion": "coincident_demand",
    "markup_percent": 5.0,
    "markup_cap": MARKUP_CAP,
    "admin_fee": 50.0,
}


def post_json(admin: httpx.Client, path: str, body: dict[str, Any]) -> Any:
    response = admin.post(path, json=body)
    if response.status_code != 201:
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:300]}")
    return response.json()


def check_routes(admin: httpx.Client, site_id: int) -> None:
    """The tenants routes are there (they came with issue 17); say so plainly if not."""
    response = admin.get(f"/api/sites/{site_id}/tenants")
    if response.status_code != 200:
        raise RuntimeError(
            f"GET /api/sites/{site_id}/tenants answered {response.status_code}: "
            "this portal has no tenants routes yet"
        )


def create_tenants(
    admin: httpx.Client, site_id: int, leaves: list[Meter], progress: Progress
) -> list[int]:
    """One tenant per sub-meter, through the API; every ``MOVE_OUT_EVERY``-th moves out."""
    task = progress.add_task("creating tenants and their meters", total=len(leaves))
    tenant_ids: list[int] = []
    for n, meter in enumerate(leaves, start=1):
        tenant = post_json(
            admin,
            f"/api/sites/{site_id}/tenants",
            {"name": f"Tenant {n:03d}", "reference": f"T-{n:03d}", "rule": RULE},
        )
        moves_out = n % MOVE_OUT_EVERY == 0
        post_json(
            admin,
            f"/api/tenants/{tenant['id']}/meters",
            {
                "device_id": meter.device_id,
                "start": LEASES_START.isoformat(),
                "end": MOVE_OUT.isoformat() if moves_out else None,
            },
        )
        tenant_ids.append(int(tenant["id"]))
        progress.advance(task)
    return tenant_ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 boards x 10 sub-meters (50)")
    parser.add_argument("--boards", type=int, default=10)
    parser.add_argument("--per-board", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10, help="timed runs per read")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--loop-runs", type=int, default=2, help="timed runs of the loop")
    parser.add_argument(
        "--loop-budget",
        type=float,
        default=60.0,
        help="seconds one run of the loop may take; beyond, every k-th tenant (scaled up)",
    )
    parser.add_argument("--workers", type=int, default=2, help="parallel set-up connections")
    parser.add_argument(
        "--time-limit",
        type=int,
        default=TIME_LIMIT_SECONDS,
        help=f"stop (and clean up) after this many seconds (default {TIME_LIMIT_SECONDS})",
    )
    args = parser.parse_args()
    if args.quick:
        args.boards, args.per_board = 5, 10
        args.runs = min(args.runs, 5)
    warn_if_busy()
    started = time.perf_counter()
    meters = plan_tree(args.boards, args.per_board)
    leaves = [m for m in meters if m.parent is not None and meters[m.parent].parent is not None]
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-tenants-", dir="/tmp"))
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
            PortalServer(url, workdir) as server,
        ):
            admin = login(server.url)
            tariff = eskom_style_tariff()
            tariff["versions"] = [eskom_style_version("2024-01-01", None)]
            created = admin.post("/api/tariffs", json=tariff)
            created.raise_for_status()
            site_id = make_site(admin, "Shopping centre")
            admin.patch(
                f"/api/sites/{site_id}", json={"tariff_id": created.json()["id"]}
            ).raise_for_status()
            check_routes(admin, site_id)
            t0 = time.perf_counter()
            create_devices(admin, site_id, meters, "TREE")
            setup["create_devices_s"] = time.perf_counter() - t0

            with Progress(*columns, console=console) as progress:
                t0 = time.perf_counter()
                tenant_ids = create_tenants(admin, site_id, leaves, progress)
                setup["create_tenants_s"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                generate_readings(url, meters, progress, args.workers, (LO, HI))
                setup["generate_s"] = time.perf_counter() - t0
                database = Database.from_url(url)
                t0 = time.perf_counter()
                device_ids = [m.device_id for m in meters]
                runner.run(build_rollups(database, device_ids, progress, args.workers, (LO, HI)))
                setup["rollups_s"] = time.perf_counter() - t0
                runner.run(database.dispose())
            with console.status("VACUUM ANALYZE"):
                t0 = time.perf_counter()
                vacuum_analyze(url)
                with connect(url, autocommit=True) as conn:
                    conn.execute("VACUUM (ANALYZE) monitoring.rollup_1d")
                    conn.execute("VACUUM (ANALYZE) app.tenant_meters")
                    conn.execute("VACUUM (ANALYZE) app.tenants")
                setup["vacuum_s"] = time.perf_counter() - t0
            with connect(url) as conn:
                counts: tuple[int, int] = conn.execute(
                    "SELECT (SELECT count(*) FROM monitoring.power_measurements),"
                    " (SELECT count(*) FROM monitoring.rollup_15m)"
                ).fetchone() or (0, 0)

            results, answers = measure(admin, site_id, tenant_ids, args)
            settings = pg_settings(url)
            admin.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    checks = sanity(answers, len(tenant_ids))
    targets = report(results, args, len(tenant_ids), setup, counts, checks)
    path = write_results(
        NAME,
        {
            "parameters": {
                "meters": len(meters),
                "tenants": len(tenant_ids),
                "boards": args.boards,
                "per_board": args.per_board,
                "readings_per_meter": READINGS_PER_METER,
                "month": MONTH,
                "rule": RULE,
                "moving_out": len(tenant_ids) // MOVE_OUT_EVERY,
                "runs": args.runs,
                "warmup": args.warmup,
                "loop_runs": args.loop_runs,
            },
            "postgres": settings,
            "setup": {k: round(v, 2) for k, v in setup.items()}
            | {"measurements": counts[0], "rollup_15m": counts[1]},
            "results": results,
            "sanity": checks,
            "targets": targets,
            "duration_s": round(time.perf_counter() - started, 1),
        },
    )
    console.print(f"results: {path}  (total {time.perf_counter() - started:.0f} s)")
    return 0


def measure(
    admin: httpx.Client, site_id: int, tenant_ids: list[int], args: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The site's tenant bills, the reconciliation, one bill, the site bill; then the loop."""
    month_params = {"month": MONTH}
    reads: list[tuple[str, str, str, dict[str, str]]] = [
        ("site_bills", "200 tenant bills", f"/api/sites/{site_id}/tenant-bills", month_params),
        ("reconciliation", "reconciliation", f"/api/sites/{site_id}/reconciliation", month_params),
        ("one_bill", "one tenant's bill", f"/api/tenants/{tenant_ids[0]}/bill", month_params),
        (
            "site_bill",
            "the site's bill",
            f"/api/sites/{site_id}/bill",
            {"start": "2025-06-01", "end": "2025-07-01"},
        ),
    ]
    results: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("measuring", total=len(reads) * (args.runs + args.warmup))
        for key, label, path, params in reads:
            progress.update(task, description=label)

            def read(path: str = path, params: dict[str, str] = params) -> Any:
                progress.advance(task)
                return get_json(admin, path, **params)

            answers[key] = read()
            results[key] = latency_summary(timed(read, args.runs, args.warmup - 1))

        # the loop, bounded by --loop-budget: every k-th tenant if all would take too long
        one_bill_s = results["one_bill"]["p50_ms"] / 1000
        step = max(1, math.ceil(one_bill_s * len(tenant_ids) / args.loop_budget))
        sample = tenant_ids[::step]
        scale = len(tenant_ids) / len(sample)
        loop_task = progress.add_task(
            f"bill-per-tenant loop ({len(sample)} requests"
            + (f": 1 tenant in {step})" if step > 1 else ")"),
            total=args.loop_runs * len(sample),
        )
        samples: list[float] = []
        for run in range(args.loop_runs):
            bills = []
            t0 = time.perf_counter()
            for tenant_id in sample:
                bills.append(get_json(admin, f"/api/tenants/{tenant_id}/bill", month=MONTH))
                progress.advance(loop_task)
            samples.append((time.perf_counter() - t0) * 1000 * scale)
            if run == 0:
                answers["loop"] = bills
        results["loop"] = latency_summary(samples) | {
            "requests": len(sample),
            "extrapolated_from": len(sample) if step > 1 else None,
        }
    return results, answers


def sanity(answers: dict[str, Any], tenants: int) -> dict[str, Any]:
    """The site's bills equal the loop's; the reconciliation adds up."""
    checks: dict[str, Any] = {}
    site_bills = answers["site_bills"]
    bills = site_bills if isinstance(site_bills, list) else site_bills.get("bills", [])
    by_tenant = {bill["tenant_id"]: bill for bill in bills}
    checks["site_bills_count"] = len(bills)
    checks["loop_bills_compared"] = len(answers["loop"])
    checks["site_bills_equal_loop"] = len(by_tenant) == tenants and all(
        by_tenant.get(bill["tenant_id"]) == bill for bill in answers["loop"]
    )
    recon = answers["reconciliation"]
    tenants_kwh = sum(t["energy_kwh"] for t in recon["tenants"])
    accounted = tenants_kwh + recon["common_areas"]["energy_kwh"] + recon["unmetered"]["energy_kwh"]
    checks["utility_energy_kwh"] = round(recon["utility"]["energy_kwh"], 3)
    checks["tenants_common_unmetered_kwh"] = round(accounted, 3)
    checks["bills_energy_kwh"] = round(sum(bill["energy_kwh"] for bill in bills), 3)
    checks["tenants_energy_kwh"] = round(tenants_kwh, 3)
    recovered = sum(bill["subtotal"] for bill in bills)
    checks["bills_subtotal"] = round(recovered, 2)
    checks["recovered_subtotal"] = recon["recovered_subtotal"]
    checks["utility_subtotal"] = recon["utility"]["subtotal"]
    checks["site_bill_subtotal"] = answers["site_bill"].get("subtotal")
    checks["recovery_percent"] = recon["recovery_percent"]
    demand = [
        sum(line["amount"] for line in bill["lines"] if line["kind"] == "demand") for bill in bills
    ]
    checks["tenants_demand_share"] = round(sum(demand), 2)
    checks["site_demand"] = round(
        sum(line["amount"] for line in answers["site_bill"]["lines"] if line["kind"] == "demand"),
        2,
    )
    capped = sum(
        1
        for bill in bills
        for line in bill["lines"]
        if line["kind"] == "markup" and abs(line["amount"] - MARKUP_CAP) < 0.005
    )
    checks["capped_markups"] = capped
    return checks


def report(
    results: dict[str, Any],
    args: Any,
    tenants: int,
    setup: dict[str, float],
    counts: Any,
    checks: dict[str, Any],
) -> list[dict[str, Any]]:
    setup_table = Table(title=f"Set-up: {tenants} tenants, a month of 15-minute readings")
    setup_table.add_column("step")
    setup_table.add_column("seconds", justify="right")
    setup_table.add_column("note")
    setup_table.add_row("devices through the API", f"{setup['create_devices_s']:.1f}", "")
    setup_table.add_row(
        "tenants and their meters through the API", f"{setup['create_tenants_s']:.1f}", ""
    )
    setup_table.add_row(
        "readings (INSERT … SELECT generate_series)",
        f"{setup['generate_s']:.1f}",
        f"{counts[0]:,} rows",
    )
    setup_table.add_row(
        "rollups (rebuild_around per meter)", f"{setup['rollups_s']:.1f}", f"{counts[1]:,} rows"
    )
    setup_table.add_row("VACUUM ANALYZE", f"{setup['vacuum_s']:.1f}", "")
    console.print(setup_table)

    table = Table(title=f"Tenant bills of {MONTH}, {tenants} tenants: p50/p95 ms")
    for column in ("read", "runs", "p50", "p95", "target"):
        table.add_column(column, justify="left" if column == "read" else "right")
    table.add_column("")
    site_bills, loop = results["site_bills"], results["loop"]
    ratio = loop["p50_ms"] / site_bills["p50_ms"]
    targets = [
        {
            "name": f"{tenants} tenant bills, p95 ms",
            "value": site_bills["p95_ms"],
            "target": f"< {SITE_BILLS_TARGET_MS:.0f}",
            "pass": site_bills["p95_ms"] < SITE_BILLS_TARGET_MS,
        },
        {
            "name": "tenant bills vs the loop (p50 ratio)",
            "value": round(ratio, 1),
            "target": f">= {SITE_BILLS_VS_LOOP_TARGET:.0f}",
            "pass": ratio >= SITE_BILLS_VS_LOOP_TARGET,
        },
        {
            "name": "reconciliation, p95 ms",
            "value": results["reconciliation"]["p95_ms"],
            "target": f"< {RECONCILIATION_TARGET_MS:.0f}",
            "pass": results["reconciliation"]["p95_ms"] < RECONCILIATION_TARGET_MS,
        },
    ]
    rows = [
        ("site_bills", f"GET …/tenant-bills ({tenants} bills)", targets[0]),
        ("reconciliation", "GET …/reconciliation", targets[2]),
        ("one_bill", "GET /api/tenants/{id}/bill (one)", None),
        ("site_bill", "GET /api/sites/{id}/bill (the site's, month)", None),
        (
            "loop",
            f"loop of {tenants} GET /api/tenants/{{id}}/bill"
            + (
                f" (extrapolated from {loop['extrapolated_from']})"
                if loop["extrapolated_from"]
                else ""
            ),
            None,
        ),
    ]
    for key, label, target in rows:
        result = results[key]
        table.add_row(
            label,
            str(result["runs"]),
            f"{result['p50_ms']:.1f}",
            f"{result['p95_ms']:.1f}",
            target["target"] if target else "",
            verdict(target["pass"]) if target else "",
        )
    console.print(table)
    console.print(
        f"the site's tenant bills are {ratio:.1f}x faster than the loop (p50s; target "
        f">= {SITE_BILLS_VS_LOOP_TARGET:.0f}x) {verdict(targets[1]['pass'])}"
    )
    console.print(
        f"sanity: {checks['site_bills_count']} bills, equal to the loop's "
        f"({checks['loop_bills_compared']} compared): {checks['site_bills_equal_loop']}; "
        f"energy: tenants {checks['tenants_energy_kwh']:,.1f}"
        f" (bills {checks['bills_energy_kwh']:,.1f}) + common + unmetered = "
        f"{checks['tenants_common_unmetered_kwh']:,.1f} kWh, the utility's "
        f"{checks['utility_energy_kwh']:,.1f}; recovered subtotal "
        f"{checks['recovered_subtotal']:,.2f} (bills {checks['bills_subtotal']:,.2f}) of "
        f"{checks['utility_subtotal']:,.2f} (site "
        f"bill {checks['site_bill_subtotal']}) = {checks['recovery_percent']} %; demand shares "
        f"{checks['tenants_demand_share']:,.2f} of {checks['site_demand']:,.2f}; "
        f"{checks['capped_markups']} mark-ups at the cap"
    )
    return targets


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchTimeoutError as exc:
        console.print(f"[bold red]{exc}[/] (everything it started has been stopped)")
        sys.exit(2)

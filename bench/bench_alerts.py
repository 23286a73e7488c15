"""Alerts: one evaluation tick over fresh data for 2,000 devices with 5 rules each, against
reading the same data alone; and the latency from a reading over HTTP to the mail.

Part 1, the tick (in-process, on a fresh embedded PostgreSQL): 2,000 devices on 20 sites,
each with 5 rules (``demand_above``, ``power_factor_below``, ``voltage_band``,
``phase_unbalance``, ``out_of_hours_load``): 10,000 rule-subject pairs. Two days of
15-minute rollups per device and each device's newest reading are written by the database
(``INSERT … SELECT`` over ``generate_series``); every pair's watermark stands one bucket
before the newest, and the change log names every device: the situation right after a
round of fresh readings. Each run is one ``Tick`` in a transaction that is rolled back, so
every run sees the same work.

- the tick: ``Tick.run`` (take the changes, load rules and states, read the devices'
  newest readings and buckets, evaluate, write states), p50/p95 of --runs;
- the baseline, same run: the bare reads of the same data with the same repository
  functions, without evaluating: (a) the newest readings and the buckets of the same span for
  the same devices; (b) that and every other row the tick reads (the rules, states,
  watermarks, sites, devices, virtual meters and the change log). The target ratio is judged
  against (b), "reading the same data alone"; (a) is printed too.

Both are timed with the garbage collector paused (collected before each), as ``timeit``
does: a collection of the 12,000 rows' objects otherwise lands at random in one or the
other and moves either by 100 ms or more.

Part 2, reading to mail (a real ``portal serve`` with default alert timing, a real SMTP
server on loopback): --trials devices each with a ``demand_above`` rule; per trial one
HTTP ingest of 46 one-minute readings that cross the threshold; the time from the ingest's
answer to the mail's arrival, p50/p95.

Targets (issue 18): the tick < 1 s p95 and <= 3x the bare read (p50s); reading to mail
p95 < 5 s.

    .venv/bin/python bench/bench_alerts.py [--quick] [--runs 10] [--trials 50]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from common import (
    PortalServer,
    bench_database,
    connect,
    console,
    free_port,
    latency_summary,
    login,
    percentile,
    time_limit,
    vacuum_analyze,
    verdict,
    warn_if_busy,
    write_results,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from power_portal.alerts import repository  # noqa: E402
from power_portal.alerts.evaluator import Tick  # noqa: E402
from power_portal.db.engine import Database  # noqa: E402

NAME = "alerts"
TIME_LIMIT_SECONDS = 900
TICK_TARGET_MS = 1000.0
TICK_VS_READ_TARGET = 3.0
MAIL_TARGET_MS = 5000.0
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
NEWEST = NOW - timedelta(minutes=NOW.minute % 15)  # the newest complete bucket's end
RULES: list[tuple[str, str]] = [
    ("demand_above", '{"unit": "kw", "threshold": 400, "clear_below": 380}'),
    ("power_factor_below", '{"threshold": 0.9, "clear_above": 0.92, "over_minutes": 60}'),
    ("voltage_band", '{"low_v": 207, "high_v": 253, "hysteresis_v": 2}'),
    ("phase_unbalance", '{"threshold_percent": 2, "clear_below_percent": 1.5, "of": "voltage"}'),
    (
        "out_of_hours_load",
        '{"schedule": {"timezone": "site", "windows": [{"days": ["mon", "tue", "wed", "thu",'
        ' "fri"], "start": "07:00", "end": "18:00"}]}, "threshold_kw": 50}',
    ),
]

SETUP_SQL = """
INSERT INTO app.sites (name, timezone)
SELECT 'Site ' || s, 'Africa/Johannesburg' FROM generate_series(1, %(sites)s) AS s;
INSERT INTO app.devices (site_id, name, serial, role)
SELECT 1 + (d - 1) %% %(sites)s, 'Meter ' || d, 'BENCH-' || d, 'supply'
FROM generate_series(1, %(devices)s) AS d;
INSERT INTO monitoring.rollup_15m (
    device_id, bucket_start, sample_count, energy_import_kwh, apparent_energy_kvah,
    power_kw_avg, power_factor_avg, voltage_l1_v_avg, voltage_l2_v_avg, voltage_l3_v_avg,
    current_l1_a_avg, current_l2_a_avg, current_l3_a_avg)
SELECT d.id, b, 15,
       load_kw / 4, load_kw / 4 / 0.95, load_kw, 0.95,
       230 + (d.id %% 5), 231 - (d.id %% 3), 229 + (d.id %% 4),
       load_kw * 1.4, load_kw * 1.45, load_kw * 1.42
FROM app.devices d,
     generate_series(%(lo)s::timestamptz, %(hi)s::timestamptz - interval '15 minutes',
                     interval '15 minutes') AS b,
     LATERAL (SELECT 20 + (d.id %% 50) + 10 * sin(extract(epoch FROM b) / 7200) AS load_kw) l;
INSERT INTO monitoring.power_measurements (device_id, time, energy_import_kwh)
SELECT id, %(hi)s::timestamptz, 1000 + id FROM app.devices;
"""

RULES_SQL = """
INSERT INTO app.alert_rules (name, device_id, kind, severity, params)
SELECT %(kind)s || ' ' || d.id, d.id, %(kind)s, 'warning', %(params)s::jsonb
FROM app.devices d;
"""

STATES_SQL = """
INSERT INTO app.alert_watermarks (subject_kind, subject_id, cadence, evaluated_until)
SELECT 'device', id, 'bucket', %(watermark)s FROM app.devices;
INSERT INTO monitoring.rollup_changes (device_id, lo, hi)
SELECT id, %(hi)s, %(hi)s FROM app.devices;
"""


def statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


def setup_tick(url: Any, devices: int, sites: int) -> None:
    lo = NEWEST - timedelta(days=2)
    with connect(url, autocommit=True) as conn:
        values = {"sites": sites, "devices": devices, "lo": lo, "hi": NEWEST}
        for statement in statements(SETUP_SQL):
            conn.execute(statement, values)
        for kind, params in RULES:
            conn.execute(RULES_SQL, {"kind": kind, "params": params})
        states = {"watermark": NEWEST - timedelta(minutes=15), "hi": NEWEST}
        for statement in statements(STATES_SQL):
            conn.execute(statement, states)
        conn.execute("ANALYZE")
    vacuum_analyze(url)


async def measure_tick(
    url: Any, runs: int, warmup: int
) -> tuple[list[float], list[float], list[float], int]:
    database = Database.from_url(url)
    tick_ms: list[float] = []
    read_ms: list[float] = []
    input_ms: list[float] = []
    evaluated = 0
    device_ids: list[int] = []
    async with database.session() as db:
        device_ids = sorted((await repository.latest_readings(db, list(range(1, 100_000)))).keys())
        rule_ids = [int(r.id) for r in await repository.enabled_rule_rows(db)]
    lo = NEWEST - timedelta(minutes=15) - timedelta(minutes=75)
    for run in range(warmup + runs):
        # As timeit does: no garbage collection inside a timed section (a collection's pause
        # lands at random in one or the other and swamps the difference), one before each.
        gc.collect()
        gc.disable()
        try:
            async with database.session() as db:
                t0 = time.perf_counter()
                result = await Tick(db, NOW).run(clock=False)
                await db.flush()
                elapsed = (time.perf_counter() - t0) * 1000
                await db.rollback()
            gc.collect()
            async with database.session() as db:
                t0 = time.perf_counter()
                await repository.latest_readings(db, device_ids)
                await repository.buckets(db, device_ids, lo, NEWEST)
                bare = (time.perf_counter() - t0) * 1000
                # ... and every other row the tick reads: its rules, states and watermarks,
                # the sites, devices and virtual meters, the change log (not taken)
                await repository.enabled_rule_rows(db)
                await repository.states(db, rule_ids)
                await repository.watermarks(db)
                await repository.sites(db)
                await repository.devices(db)
                await repository.virtual_meters(db)
                await db.execute(text("SELECT device_id, lo, hi FROM monitoring.rollup_changes"))
                inputs = (time.perf_counter() - t0) * 1000
                await db.rollback()
        finally:
            gc.enable()
        if run >= warmup:
            tick_ms.append(elapsed)
            read_ms.append(bare)
            input_ms.append(inputs)
            evaluated = result.rules_evaluated
    await database.dispose()
    return tick_ms, read_ms, input_ms, evaluated


# ---------------------------------------------------------------- reading to mail


class Inbox:
    """A real SMTP server on loopback that notes when each mail arrived."""

    def __init__(self) -> None:
        self.port = free_port()
        self.arrived: dict[str, float] = {}
        self.condition = threading.Condition()
        inbox = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                subject = next(
                    (
                        line.split(":", 1)[1].strip()
                        for line in envelope.content.decode(errors="replace").splitlines()
                        if line.lower().startswith("subject:")
                    ),
                    "",
                )
                with inbox.condition:
                    inbox.arrived.setdefault(subject, time.perf_counter())
                    inbox.condition.notify_all()
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def wait(self, needle: str, timeout: float) -> float:
        with self.condition:
            found = self.condition.wait_for(lambda: any(needle in s for s in self.arrived), timeout)
            if not found:
                raise TimeoutError(f"no mail about {needle!r} within {timeout} s")
            return next(t for s, t in self.arrived.items() if needle in s)


def measure_mail(trials: int, workdir: Path, progress: Progress) -> list[float]:
    inbox = Inbox()
    inbox.controller.start()
    samples: list[float] = []
    try:
        with bench_database("mail") as url:
            env = {
                "PORTAL_SMTP__HOST": "127.0.0.1",
                "PORTAL_SMTP__PORT": str(inbox.port),
                "PORTAL_SMTP__SECURITY": "none",
                "PORTAL_SMTP__FROM_ADDRESS": "alerts@bench.example",
            }
            with PortalServer(url, workdir / "portal", extra_env=env) as server:
                admin = login(server.url)
                site = admin.post(
                    "/api/sites", json={"name": "Mail bench", "timezone": "Africa/Johannesburg"}
                ).json()
                task = progress.add_task("reading → mail trials", total=trials)
                start = NOW - timedelta(hours=2)
                for trial in range(trials):
                    device = admin.post(
                        f"/api/sites/{site['id']}/devices",
                        json={"name": f"Trial meter {trial:03d}", "serial": f"MAIL-{trial}"},
                    ).json()
                    token = admin.post(f"/api/devices/{device['id']}/tokens", json={}).json()
                    admin.post(
                        "/api/alert-rules",
                        json={
                            "name": f"Trial {trial:03d}",
                            "device_id": device["id"],
                            "kind": "demand_above",
                            "severity": "critical",
                            "params": {"unit": "kw", "threshold": 400},
                        },
                    ).raise_for_status()
                    rows = [
                        {
                            "time": (start + timedelta(minutes=i)).isoformat(),
                            "energy_import_kwh": 1000 + 600 * i / 60,
                        }
                        for i in range(46)
                    ]
                    response = admin.post(
                        "/api/ingest/measurements",
                        json={"measurements": rows},
                        headers={"Authorization": f"Bearer {token['token']}"},
                    )
                    response.raise_for_status()
                    answered = time.perf_counter()
                    arrived = inbox.wait(f"Trial {trial:03d}:", timeout=60)
                    samples.append((arrived - answered) * 1000)
                    progress.advance(task)
    finally:
        inbox.controller.stop()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 devices, 10 trials")
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--time-limit", type=int, default=TIME_LIMIT_SECONDS)
    args = parser.parse_args()
    if args.quick:
        args.devices, args.trials, args.runs = 500, 10, 5
    warn_if_busy()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-alerts-", dir="/tmp"))
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with time_limit(args.time_limit), Progress(*columns, console=console) as progress:
        with bench_database() as url:
            task = progress.add_task("writing devices, rules and two days of rollups", total=1)
            setup_tick(url, args.devices, args.sites)
            progress.advance(task)
            task = progress.add_task("ticks and bare reads", total=1)
            tick_ms, read_ms, input_ms, evaluated = asyncio.run(
                measure_tick(url, args.runs, args.warmup)
            )
            progress.advance(task)
        mail_ms = measure_mail(args.trials, workdir, progress)

    tick = latency_summary(tick_ms)
    read = latency_summary(read_ms)
    inputs = latency_summary(input_ms)
    mail = latency_summary(mail_ms)
    ratio = percentile(tick_ms, 50) / max(percentile(read_ms, 50), 1e-9)
    input_ratio = percentile(tick_ms, 50) / max(percentile(input_ms, 50), 1e-9)
    tick_ok = tick["p95_ms"] < TICK_TARGET_MS and input_ratio <= TICK_VS_READ_TARGET
    mail_ok = mail["p95_ms"] < MAIL_TARGET_MS
    table = Table(title=f"alerts: {args.devices} devices x {len(RULES)} rules")
    for column in ("measure", "p50 ms", "p95 ms", "target", "verdict"):
        table.add_column(column)
    table.add_row(
        f"tick ({evaluated} rule-subjects)",
        f"{tick['p50_ms']:.1f}",
        f"{tick['p95_ms']:.1f}",
        f"< {TICK_TARGET_MS:.0f} ms, <= {TICK_VS_READ_TARGET:.0f}x read",
        verdict(tick_ok),
    )
    for label, summary in (
        ("bare read: the readings and buckets", read),
        ("bare read: every row the tick reads", inputs),
    ):
        table.add_row(label, f"{summary['p50_ms']:.1f}", f"{summary['p95_ms']:.1f}", "", "")
    table.add_row("tick / readings and buckets (p50)", f"{ratio:.2f}x", "", "", "")
    table.add_row("tick / every row it reads (p50)", f"{input_ratio:.2f}x", "", "", "")
    table.add_row(
        f"reading → mail ({len(mail_ms)} trials)",
        f"{mail['p50_ms']:.0f}",
        f"{mail['p95_ms']:.0f}",
        f"p95 < {MAIL_TARGET_MS:.0f} ms",
        verdict(mail_ok),
    )
    console.print(table)
    path = write_results(
        NAME,
        {
            "devices": args.devices,
            "rules_per_device": len(RULES),
            "rule_subjects_evaluated": evaluated,
            "tick": tick,
            "bare_read_readings_and_buckets": read,
            "bare_read_every_input": inputs,
            "tick_vs_readings_and_buckets_p50": round(ratio, 2),
            "tick_vs_every_input_p50": round(input_ratio, 2),
            "reading_to_mail": mail,
            "targets": {
                "tick_p95_ms": TICK_TARGET_MS,
                "tick_vs_read": TICK_VS_READ_TARGET,
                "mail_p95_ms": MAIL_TARGET_MS,
            },
            "met": {"tick": tick_ok, "mail": mail_ok},
        },
    )
    console.print(f"results: {path}")
    return 0 if tick_ok and mail_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

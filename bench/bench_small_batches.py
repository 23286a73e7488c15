"""Small batches: one-row ingest requests from many devices, measured with ``wrk``.

Real gateways post a reading or a few at a time, every few seconds. Measured in one run,
against one ``portal serve`` (``--workers 1``, then ``--workers 2``) on one embedded
PostgreSQL, each with Debian's ``wrk`` (``-t8 -c32 -d10s`` by default):

- the floor: ``GET`` of an unknown ``/api/`` path (404: routing and middleware, no database);
- ``GET /api/health`` (one database round trip);
- one-row batches: ``POST /api/ingest/measurements`` from a Lua script that rotates over
  ``--devices`` devices (64), each request one JSON row with a time of its own (unique and
  increasing per wrk thread), so nothing is a duplicate.

Then a crash check: ``--clients`` asyncio + httpx clients post one-row batches with
unique times to a one-worker portal, which is killed with SIGKILL mid-stream; afterwards
every batch that was answered 200 must be stored (every acknowledged (device, time) is in
``monitoring.power_measurements``).

Targets (one worker): one-row batches >= 0.3 x the 404 rate, p99 < 250 ms; and >= 10 x the
rate measured before group commit (``--baseline-rate``, 200-290/s in issue 20).

    .venv/bin/python bench/bench_small_batches.py [--duration 10] [--devices 64]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.table import Table
from sqlalchemy.engine import URL

from common import (
    ADMIN_PASSWORD,
    PORTAL_BIN,
    BenchTimeoutError,
    Device,
    PortalServer,
    baseline_source,
    bench_database,
    connect,
    console,
    login,
    make_device,
    make_site,
    second_database,
    time_limit,
    url_string,
    verdict,
    warn_if_busy,
    write_results,
)

NAME = "small_batches"
TIME_LIMIT_SECONDS = 300
WRK = shutil.which("wrk") or "/usr/bin/wrk"
ISSUE_20_RATE = 290.0  # one-row batches/s with one worker before group commit (issue 20)
# The code before group commit (91fd494's parent): measured in the same run for the 10x target
BASELINE_REF = "9d36968"

# ``done`` prints one JSON line wrk's own summary cannot give in a parseable form.
_DONE_LUA = """
done = function(summary, latency, requests)
  io.write(string.format(
    '\\nWRK_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d,'
    .. ' "p50_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""

_INGEST_LUA = """
local tokens = {%(tokens)s}
local base = %(base)d
local threads = %(threads)d
local next_id = 0
counter = 0
thread_id = 0  -- a global: setup() sets it in each thread's own Lua state
setup = function(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end
request = function()
  -- unique per request across threads: base + counter * threads + thread_id (seconds)
  local t = base + counter * threads + thread_id
  local token = tokens[((counter * threads + thread_id) %% #tokens) + 1]
  counter = counter + 1
  local body = '{"measurements":[{"time":"' .. os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", t)
    .. '","power_kw":' .. (t %% 97) .. '.5,"energy_import_kwh":' .. t .. '}]}'
  return wrk.format("POST", "/api/ingest/measurements",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
"""


class WorkersPortal(PortalServer):
    """``portal serve --workers N`` in a process group of its own (SIGKILL hits every worker)."""

    def __init__(
        self, database_url: URL, workdir: Path, workers: int, env: dict[str, str] | None = None
    ) -> None:
        super().__init__(database_url, workdir, extra_env=env or {})
        self.workers = workers

    def start(self, timeout: float = 60) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env |= {
            "PORTAL_DATABASE_URL": url_string(self.database_url),
            "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PORTAL_DATA_DIR": str(self.workdir / "data"),
            "PORTAL_HOST": "127.0.0.1",
            "PORTAL_LOG_LEVEL": "WARNING",
        }
        env |= self.extra_env
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(PORTAL_BIN),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"portal exited with {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"portal not healthy within {timeout} s:\n{self.log()}")

    def kill(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "per_s": round(self.rate, 1),
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
        }


def run_wrk(url: str, script: str, workdir: Path, args: argparse.Namespace) -> WrkResult:
    path = workdir / f"wrk-{time.monotonic_ns()}.lua"
    path.write_text(script + _DONE_LUA)
    command = [WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    command += ["--timeout", "10s", "-s", str(path), url]
    out = subprocess.run(
        command, capture_output=True, text=True, timeout=args.duration + 60, check=True
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
    )


def ingest_script(devices: list[Device], base: int, threads: int) -> str:
    tokens = ", ".join(f'"{d.token}"' for d in devices)
    return _INGEST_LUA % {"tokens": tokens, "base": base, "threads": threads}


def get_script(path: str) -> str:
    return f'wrk.method = "GET"\nwrk.path = "{path}"\n'


def stored_rows(url: URL, device_ids: list[int]) -> int:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = ANY(%s)",
            (device_ids,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def measure(
    url: URL, server: str, devices: list[Device], workdir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """The 404 floor, /api/health and one-row batches against one running portal."""
    ids = [d.device_id for d in devices]
    before = stored_rows(url, ids)
    # A base far enough back that a 10 s run at any rate stays in the past, and unique per run.
    base = int((datetime.now(UTC) - timedelta(days=200)).timestamp()) + random.randrange(10**6)
    floor = run_wrk(f"{server}/api/no-such-path", get_script("/api/no-such-path"), workdir, args)
    health = run_wrk(f"{server}/api/health", get_script("/api/health"), workdir, args)
    ingest = run_wrk(server, ingest_script(devices, base, args.threads), workdir, args)
    stored = stored_rows(url, ids) - before
    return {
        "not_found": floor.as_dict(),
        "health": health.as_dict(),
        "one_row_batches": ingest.as_dict(),
        "rows_stored": stored,
        "ratio_to_404": round(ingest.rate / floor.rate, 3),
        "ratio_to_health": round(ingest.rate / health.rate, 3),
    }


async def crash_stream(
    server: str, devices: list[Device], clients: int, acknowledged: list[tuple[int, datetime]]
) -> tuple[int, int]:
    """``clients`` loops posting one-row batches until the portal stops answering; every 200
    is noted in ``acknowledged``. Returns (200s, failures)."""
    start = datetime.now(UTC) - timedelta(days=100)
    counter = 0
    failures = 0

    async def client(index: int) -> None:
        nonlocal counter, failures
        async with httpx.AsyncClient(base_url=server, timeout=10) as http:
            while True:
                counter += 1
                moment = start + timedelta(seconds=counter)
                device = devices[counter % len(devices)]
                body = {"measurements": [{"time": moment.isoformat(), "power_kw": index + 0.5}]}
                try:
                    response = await http.post(
                        "/api/ingest/measurements",
                        json=body,
                        headers={"Authorization": f"Bearer {device.token}"},
                    )
                except httpx.HTTPError:
                    failures += 1
                    return  # the portal is gone
                if response.status_code == 200:
                    acknowledged.append((device.device_id, moment))
                else:
                    failures += 1

    await asyncio.gather(*(client(i) for i in range(clients)))
    return len(acknowledged), failures


def crash_check(
    url: URL, devices: list[Device], workdir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """A one-worker portal killed with SIGKILL during a stream of one-row batches."""
    acknowledged: list[tuple[int, datetime]] = []
    portal = WorkersPortal(url, workdir / "crash", 1)
    portal.start()

    def killer() -> None:
        # kill once the stream is well under way (some hundreds of 200s), or after a while
        deadline = time.monotonic() + args.crash_after * 4
        while time.monotonic() < deadline and len(acknowledged) < 300:
            time.sleep(0.01)
        time.sleep(args.crash_after)
        portal.kill()

    async def run() -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        kill = loop.run_in_executor(None, killer)
        result = await crash_stream(portal.url, devices, args.clients, acknowledged)
        await kill
        return result

    ok, failures = asyncio.run(run())
    keys = sorted(acknowledged)
    with connect(url) as conn:
        conn.execute("CREATE TEMP TABLE acked (device_id bigint, time timestamptz) ON COMMIT DROP")
        with conn.cursor() as cursor, cursor.copy("COPY acked FROM STDIN") as copy:
            for key in keys:
                copy.write_row(key)
        row = conn.execute("""
            SELECT count(*) FILTER (WHERE m.device_id IS NULL), count(*) FROM acked a
            LEFT JOIN monitoring.power_measurements m
              ON m.device_id = a.device_id AND m.time = a.time
        """).fetchone()
    assert row is not None
    missing = int(row[0])
    return {"acknowledged": ok, "failed_or_cut": failures, "missing": missing, "pass": missing == 0}


def measure_baseline(
    url: URL, workdir: Path, args: argparse.Namespace, worker_counts: list[int]
) -> dict[str, dict[str, Any]]:
    """The same wrk runs (404 floor, one-row batches) against ``--baseline-ref``'s code with
    each worker count, on a database of its own that this code migrates at start."""
    source = baseline_source(args.baseline_ref, workdir)
    baseline_url = second_database(url, "bench_before")
    env = {"PYTHONPATH": str(source)}
    with WorkersPortal(baseline_url, workdir / "before-setup", 1, env) as server:
        admin = login(server.url)
        site = make_site(admin, "Bench site")
        devices = [make_device(admin, site, f"SMALL-{i}") for i in range(args.devices)]
        admin.close()
    ids = [d.device_id for d in devices]
    measured: dict[str, dict[str, Any]] = {}
    for workers in worker_counts:
        with WorkersPortal(baseline_url, workdir / f"before-w{workers}", workers, env) as server:
            stored_before = stored_rows(baseline_url, ids)
            days_back = 300 + 50 * workers  # times of their own, in the past
            base = int((datetime.now(UTC) - timedelta(days=days_back)).timestamp())
            base += random.randrange(10**6)
            floor = run_wrk(
                f"{server.url}/api/no-such-path", get_script("/api/no-such-path"), workdir, args
            )
            ingest = run_wrk(server.url, ingest_script(devices, base, args.threads), workdir, args)
            stored = stored_rows(baseline_url, ids) - stored_before
        measured[str(workers)] = {
            "ref": args.baseline_ref,
            "not_found": floor.as_dict(),
            "one_row_batches": ingest.as_dict(),
            "rows_stored": stored,
            "ratio_to_404": round(ingest.rate / floor.rate, 3),
        }
    return measured


def before_target(
    rate: float, before: dict[str, Any] | None, baseline_rate: float
) -> dict[str, Any]:
    """One-row batches against the code before group commit: measured in this run when
    ``before`` is there, else against the issue's figure."""
    if before is not None:
        then = before["one_row_batches"]["per_s"]
        name = f"one-row batches / {before['ref']}'s ({then:,.0f} per s, same run)"
    else:
        then = baseline_rate
        name = f"one-row batches / {baseline_rate:.0f} per s (before, the issue's figure)"
    return {
        "name": name,
        "value": round(rate / then, 2),
        "target": ">= 10",
        "pass": rate >= 10 * then,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=8, help="wrk threads (-t)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (-c)")
    parser.add_argument("--devices", type=int, default=64)
    parser.add_argument("--workers", default="1,2", help="worker counts to measure (1,2)")
    parser.add_argument("--clients", type=int, default=32, help="clients in the crash check")
    parser.add_argument(
        "--crash-after", type=float, default=2.0, help="seconds of stream before the SIGKILL"
    )
    parser.add_argument(
        "--baseline-ref",
        default=BASELINE_REF,
        help=f"the code before group commit, measured in the same run with one worker "
        f"(default {BASELINE_REF}); '' to compare with --baseline-rate instead",
    )
    parser.add_argument(
        "--baseline-rate",
        type=float,
        default=ISSUE_20_RATE,
        help="one-row batches/s before group commit, when --baseline-ref is ''",
    )
    parser.add_argument("--time-limit", type=int, default=TIME_LIMIT_SECONDS)
    args = parser.parse_args()
    if not Path(WRK).exists():
        console.print("[red]wrk not found: apt-get install -y wrk[/]")
        return 2
    warn_if_busy()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-small-", dir="/tmp"))
    runs: dict[str, dict[str, Any]] = {}
    before: dict[str, dict[str, Any]] | None = None
    try:
        with time_limit(args.time_limit), bench_database() as url:
            with WorkersPortal(url, workdir / "setup", 1) as server:
                admin = login(server.url)
                site = make_site(admin, "Bench site")
                devices = [make_device(admin, site, f"SMALL-{i}") for i in range(args.devices)]
                admin.close()
            for workers in [int(w) for w in args.workers.split(",")]:
                with (
                    WorkersPortal(url, workdir / f"w{workers}", workers) as server,
                    console.status(f"wrk against {workers} worker(s)"),
                ):
                    runs[str(workers)] = measure(url, server.url, devices, workdir, args)
            with console.status("SIGKILL during a stream of one-row batches"):
                crash = crash_check(url, devices, workdir, args)
            if args.baseline_ref:
                with console.status(f"the code before group commit: {args.baseline_ref}"):
                    before = measure_baseline(url, workdir, args, [int(w) for w in runs])
    except BenchTimeoutError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    table = Table(title=f"One-row batches, wrk -t{args.threads} -c{args.connections}")
    table.add_column("workers")
    table.add_column("path")
    table.add_column("req/s", justify="right")
    table.add_column("p50 ms", justify="right")
    table.add_column("p99 ms", justify="right")
    table.add_column("non-2xx", justify="right")
    for count, run in runs.items():
        for label, key in (
            ("404 floor", "not_found"),
            ("/api/health", "health"),
            ("one-row batch", "one_row_batches"),
        ):
            r = run[key]
            non_2xx = "-" if key == "not_found" else str(r["non_2xx"])
            table.add_row(
                count, label, f"{r['per_s']:,.0f}", f"{r['p50_ms']}", f"{r['p99_ms']}", non_2xx
            )
    for count, then in (before or {}).items():
        for label, key in (("404 floor", "not_found"), ("one-row batch", "one_row_batches")):
            r = then[key]
            non_2xx = "-" if key == "not_found" else str(r["non_2xx"])
            table.add_row(
                f"{count}, {args.baseline_ref} (before)",
                label,
                f"{r['per_s']:,.0f}",
                f"{r['p50_ms']}",
                f"{r['p99_ms']}",
                non_2xx,
            )
    console.print(table)
    targets: list[dict[str, Any]] = []
    if "1" in runs:
        one = runs["1"]
        rate = one["one_row_batches"]["per_s"]
        p99 = one["one_row_batches"]["p99_ms"]
        targets = [
            {
                "name": "one-row batches / 404, 1 worker",
                "value": one["ratio_to_404"],
                "target": ">= 0.3",
                "pass": one["ratio_to_404"] >= 0.3,
            },
            before_target(rate, None if before is None else before["1"], args.baseline_rate),
            {"name": "p99, 1 worker (ms)", "value": p99, "target": "< 250", "pass": p99 < 250},
            {
                "name": "every 200 stored after SIGKILL",
                "value": f"{crash['missing']} missing of {crash['acknowledged']}",
                "target": "0 missing",
                "pass": crash["pass"],
            },
        ]
    for count, run in runs.items():
        stored = run["rows_stored"]
        answered = run["one_row_batches"]["requests"] - run["one_row_batches"]["non_2xx"]
        console.print(
            f"{count} worker(s): batches/404 {run['ratio_to_404']}x, "
            f"batches/health {run['ratio_to_health']}x; rows stored {stored:,} "
            f"(wrk counted {answered:,} 2xx answers)"
        )
    for count, then in (before or {}).items():
        if count in runs:
            now = runs[count]["one_row_batches"]["per_s"]
            was = then["one_row_batches"]["per_s"]
            console.print(
                f"{count} worker(s): one-row batches {now:,.0f}/s against {was:,.0f}/s before "
                f"group commit ({args.baseline_ref}, same run): {now / was:.2f}x"
            )
    for t in targets:
        console.print(f"{verdict(t['pass'])} {t['name']}: {t['value']} (target {t['target']})")
    path = write_results(
        NAME,
        {
            "wrk": {
                "threads": args.threads,
                "connections": args.connections,
                "duration_s": args.duration,
            },
            "devices": args.devices,
            "runs": runs,
            "before": before,
            "crash": crash,
            "targets": targets,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
    console.print(f"results: {path}")
    return 0 if all(t["pass"] for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())

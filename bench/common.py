"""Shared set-up for the benchmarks (imported by ``bench_*.py``; not a benchmark itself).

- ``bench_database()``: an embedded PostgreSQL in a fresh temp dir under /tmp,
  migrated to head, stopped and removed on the way out.
- ``PortalServer``: a real ``portal serve`` subprocess on a free loopback port,
  pointed at that database through ``PORTAL_DATABASE_URL``.
- ``login()``, ``make_device()``: the admin session and site/device/token, via the API.
- ``acuvim_rows()``: realistic 1-minute Acuvim readings; ``json_batches()`` and
  ``copy_tuples()`` turn them into ingest bodies and COPY rows.
- ``copy_measurements()``: binary COPY straight into ``monitoring.power_measurements``.
- ``time_limit()``, ``percentile()``, ``timed()``, ``write_results()``: bench plumbing.

Everything listens on and talks to 127.0.0.1 (or the database's Unix socket) only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import structlog
from rich.console import Console
from sqlalchemy.engine import URL

from power_portal.db.embedded import EmbeddedPostgres
from power_portal.db.migrate import upgrade_to_head
from power_portal.measurements.fields import FIELD_NAMES

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
PORTAL_BIN = Path(sys.executable).parent / "portal"
ADMIN_EMAIL = "admin@localhost"
ADMIN_PASSWORD = "bench-admin-password-1"
TIMEZONE = "Africa/Johannesburg"
ZONE = ZoneInfo(TIMEZONE)

console = Console()
if not console.is_terminal:  # piped (make bench | tee): don't squeeze the tables into 80
    console = Console(width=120)

# The app's structlog lines (embedded_postgres.starting …) would drown the tables.
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


# ---------------------------------------------------------------- time limit


class BenchTimeoutError(RuntimeError):
    """The benchmark ran past its time limit."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise BenchTimeoutError in the main thread after ``seconds`` (SIGALRM).

    The exception unwinds the ``with`` blocks, so the server and the database
    are still stopped and the temp dir removed.
    """

    def on_alarm(_signum: int, _frame: object) -> None:
        raise BenchTimeoutError(f"the benchmark ran past its {seconds} s limit")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- database


def url_string(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def conninfo(url: URL) -> dict[str, Any]:
    """Keyword arguments for psycopg.connect from a SQLAlchemy URL."""
    args: dict[str, Any] = {"dbname": url.database, "user": url.username}
    if url.password:
        args["password"] = url.password
    host = url.host or url.query.get("host")
    if host:
        args["host"] = host
    if url.port:
        args["port"] = url.port
    return args


def connect(url: URL, **kwargs: Any) -> psycopg.Connection[Any]:
    """A direct connection, in UTC like the app's (``-c timezone=UTC``)."""
    return psycopg.connect(**conninfo(url), options="-c timezone=UTC", **kwargs)


# ``PORTAL_BENCH_ROW_SECURITY``: unset, the bench runs as the embedded server's superuser,
# which passes row-level security whatever the tables say; ``on``: every object is handed to a
# role that is not one (``portal_owner``, like the deploy/ stack's ``portal``) and the bench and
# the portal use it, so the forced policies of migration 0015 apply; ``off``: the same role with
# the policies disabled (the baseline for what they cost).
ROW_SECURITY_ENV = "PORTAL_BENCH_ROW_SECURITY"
BENCH_OWNER = "portal_owner"
ROW_SECURITY_TABLES = (
    "app.tenants",
    "app.tenant_meters",
    "app.devices",
    "app.virtual_meters",
    "monitoring.rollup_15m",
    "monitoring.rollup_1d",
)
_HAND_OVER_SQL = """
DO $owner$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT nspname FROM pg_namespace
                WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO portal_owner', item.nspname);
    END LOOP;
    FOR item IN SELECT n.nspname, c.relname FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm')
                  AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO portal_owner', item.nspname, item.relname);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO portal_owner', item.signature);
    END LOOP;
END
$owner$
"""


def row_security_mode() -> str | None:
    mode = os.environ.get(ROW_SECURITY_ENV) or None
    if mode not in (None, "on", "off"):
        raise SystemExit(f"{ROW_SECURITY_ENV} must be on or off, not {mode}")
    return mode


def as_owner(url: URL, row_security: str) -> URL:
    """Hand the database to BENCH_OWNER (policies ``on`` or ``off``); its URL."""
    with connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {BENCH_OWNER} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        conn.execute(f"ALTER DATABASE {url.database} OWNER TO {BENCH_OWNER}")
        conn.execute(_HAND_OVER_SQL)
        if row_security == "off":
            for table in ROW_SECURITY_TABLES:
                conn.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    return url.set(username=BENCH_OWNER)


@contextlib.contextmanager
def bench_database(name: str = "bench") -> Iterator[URL]:
    """A fresh embedded PostgreSQL in /tmp, migrated; removed afterwards (as BENCH_OWNER when
    ``PORTAL_BENCH_ROW_SECURITY`` is set)."""
    root = Path(tempfile.mkdtemp(prefix="portal-bench-", dir="/tmp"))
    # When run as root, the wheel runs PostgreSQL as an unprivileged user: let it in.
    root.chmod(0o755)
    server = EmbeddedPostgres(root / "pg", database=name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            url = server.start()
        upgrade_to_head(url)
        mode = row_security_mode()
        yield url if mode is None else as_owner(url, mode)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def baseline_source(ref: str, workdir: Path) -> Path:
    """``ref``'s ``src`` tree (``git archive``), for a portal run with PYTHONPATH at it."""
    target = workdir / "baseline"
    target.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", ref, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


def second_database(url: URL, name: str) -> URL:
    """A new, empty database on the same server (the portal migrates it at start)."""
    with connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name)


def pg_settings(url: URL) -> dict[str, str]:
    names = ("server_version", "shared_buffers", "work_mem", "synchronous_commit", "max_wal_size")
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
            (list(names),),
        ).fetchall()
    return dict(rows)


def vacuum_analyze(url: URL) -> None:
    with connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) monitoring.power_measurements")
        conn.execute("VACUUM (ANALYZE) monitoring.rollup_15m")


# ---------------------------------------------------------------- the portal


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PortalServer:
    """A real ``portal serve`` process (one worker) on the bench database."""

    database_url: URL
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "portal.log"

    def start(self, timeout: float = 60) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env |= {
            "PORTAL_DATABASE_URL": url_string(self.database_url),
            "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PORTAL_DATA_DIR": str(self.workdir / "data"),
            "PORTAL_HOST": "127.0.0.1",
        }
        env |= self.extra_env
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(PORTAL_BIN), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,  # no developer portal.toml is picked up
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

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def __enter__(self) -> PortalServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def login(base_url: str) -> httpx.Client:
    """A keep-alive client signed in as the first admin, sending the CSRF header."""
    http = httpx.Client(base_url=base_url, timeout=60)
    response = http.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    response.raise_for_status()
    http.headers["X-CSRF-Token"] = http.cookies["portal_csrf"]
    return http


@dataclass(frozen=True)
class Device:
    site_id: int
    device_id: int
    token: str


def make_site(admin: httpx.Client, name: str, timezone: str = TIMEZONE) -> int:
    site = admin.post("/api/sites", json={"name": name, "timezone": timezone})
    site.raise_for_status()
    return int(site.json()["id"])


def make_device(admin: httpx.Client, site_id: int, serial: str) -> Device:
    device = admin.post(
        f"/api/sites/{site_id}/devices",
        json={"name": f"Meter {serial}", "serial": serial, "model": "Acuvim II"},
    )
    device.raise_for_status()
    device_id = int(device.json()["id"])
    token = admin.post(f"/api/devices/{device_id}/tokens", json={})
    token.raise_for_status()
    return Device(site_id, device_id, token.json()["token"])


# ---------------------------------------------------------------- data

# What an Acuvim II pushes in our installs: 12 fields, three of them registers.
ACUVIM_FIELDS = (
    "voltage_l1_v",
    "voltage_l2_v",
    "voltage_l3_v",
    "current_l1_a",
    "current_l2_a",
    "current_l3_a",
    "power_kw",
    "power_factor",
    "frequency_hz",
    "energy_import_kwh",
    "energy_export_kwh",
    "apparent_energy_kvah",
)
assert set(ACUVIM_FIELDS) <= set(FIELD_NAMES)


def acuvim_rows(
    start: datetime, count: int, *, seed: int = 1, step: timedelta = timedelta(minutes=1)
) -> list[dict[str, Any]]:
    """``count`` readings from ``start`` (aware), ``step`` apart, like a commercial site.

    Load follows a day/night profile with noise; a small PV plant exports at midday;
    the registers are cumulative (kWh, kVAh), rounded like the meter's.
    """
    rng = random.Random(seed)
    hours = step.total_seconds() / 3600
    imp, exp, kvah = 125_000.0 + seed * 1000, 3_000.0, 140_000.0 + seed * 1000
    rows: list[dict[str, Any]] = []
    moment = start.astimezone(ZONE)
    for _ in range(count):
        local_hour = moment.hour + moment.minute / 60
        daylight = max(0.0, math.sin((local_hour - 6) / 12 * math.pi))
        load = 35 + 55 * daylight * (0.6 if moment.weekday() >= 5 else 1.0)
        load += rng.gauss(0, 3)
        solar = 30 * daylight * rng.uniform(0.7, 1.0)
        net = load - solar
        pf = min(0.995, max(0.80, rng.gauss(0.93, 0.02)))
        volts = [rng.gauss(230, 2.5) for _ in range(3)]
        amps = abs(net) * 1000 / (3 * 230 * pf)
        imp += max(net, 0) * hours
        exp += max(-net, 0) * hours
        kvah += abs(net) / pf * hours
        rows.append(
            {
                "time": moment,
                "voltage_l1_v": round(volts[0], 2),
                "voltage_l2_v": round(volts[1], 2),
                "voltage_l3_v": round(volts[2], 2),
                "current_l1_a": round(amps * rng.uniform(0.95, 1.05), 3),
                "current_l2_a": round(amps * rng.uniform(0.95, 1.05), 3),
                "current_l3_a": round(amps * rng.uniform(0.95, 1.05), 3),
                "power_kw": round(net, 3),
                "power_factor": round(pf, 3),
                "frequency_hz": round(rng.gauss(50, 0.02), 3),
                "energy_import_kwh": round(imp, 2),
                "energy_export_kwh": round(exp, 2),
                "apparent_energy_kvah": round(kvah, 2),
            }
        )
        moment += step
    return rows


def json_batches(rows: Sequence[dict[str, Any]], size: int) -> list[bytes]:
    """Ingest bodies of ``size`` rows (RFC 3339 times with the site's offset)."""
    bodies = []
    for i in range(0, len(rows), size):
        chunk = [{**r, "time": r["time"].isoformat()} for r in rows[i : i + size]]
        bodies.append(json.dumps({"measurements": chunk}, separators=(",", ":")).encode())
    return bodies


def copy_tuples(rows: Iterable[dict[str, Any]], device_id: int) -> list[tuple[Any, ...]]:
    """(device_id, time, every FIELD_NAMES value) rows for ``copy_measurements``."""
    return [
        (device_id, r["time"].astimezone(UTC), *(r.get(name) for name in FIELD_NAMES)) for r in rows
    ]


COPY_SQL = (
    "COPY monitoring.power_measurements (device_id, time, "
    + ", ".join(FIELD_NAMES)
    + ") FROM STDIN (FORMAT BINARY)"
)
COPY_TYPES = ["int8", "timestamptz", *(["float8"] * len(FIELD_NAMES))]


def copy_measurements(conn: psycopg.Connection[Any], rows: Iterable[tuple[Any, ...]]) -> None:
    """Binary COPY into monitoring.power_measurements (the caller commits)."""
    with conn.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
        copy.set_types(COPY_TYPES)
        for row in rows:
            copy.write_row(row)


# ---------------------------------------------------------------- measuring


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(fn: Callable[[], object], runs: int, warmup: int) -> list[float]:
    """Wall-clock milliseconds of ``runs`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def latency_summary(samples: Sequence[float]) -> dict[str, float]:
    return {
        "runs": len(samples),
        "p50_ms": round(percentile(samples, 50), 3),
        "p95_ms": round(percentile(samples, 95), 3),
        "min_ms": round(min(samples), 3),
        "max_ms": round(max(samples), 3),
    }


def git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    dirty = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    ).stdout.strip()
    return out.stdout.strip() + ("+dirty-src" if dirty else "")


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        # other work on the machine skews the figures: look here before comparing runs
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "git": git_revision(),
    }


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {
        "benchmark": name,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        **payload,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path


def warn_if_busy() -> None:
    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        console.print(
            f"[yellow]note: load average {load:.1f} on {os.cpu_count()} CPUs before starting; "
            "other work on the machine will skew the figures[/]"
        )


def verdict(ok: bool) -> str:
    return "[bold green]PASS[/]" if ok else "[bold red]MISS[/]"


if __name__ == "__main__":
    print("bench/common.py holds shared helpers; run bench/bench_*.py (or `make bench`).")

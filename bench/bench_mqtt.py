"""MQTT throughput: readings/s through the bridge into the database, with same-run baselines.

One message per reading (QoS 1, the gateway firmware's JSON, 12 fields), as a gateway
replaying its SD card sends them. Measured in one run, on one embedded PostgreSQL, one
mosquitto (Debian's package) and one ``portal serve`` process, all on loopback:

- raw MQTT (baseline): mosquitto delivers a queued backlog of the messages to a plain
  aiomqtt subscriber (the bridge's client library) that only counts them: the transport;
- bridge: the same backlog, queued for the portal's persistent session while it was
  stopped, delivered when it starts again: decoded, mapped, checked, batched and stored
  (COPY), until the last row is in ``monitoring.power_measurements``;
- HTTP ingest (baseline): the same readings POSTed in 5,000-row JSON batches;
- the previous bridge (baseline, ``--baseline-ref``, by default the last commit before the
  bridge acknowledged only after commit): that commit's ``src`` (``git archive``) run as a
  second ``portal serve`` on a second database of the same server, draining the same
  backlog the same way. Target: the bridge no slower than it.

Each runs ``--repeats`` rounds (fresh devices each); the median round is reported, and
the ratios are the median of each round's ratio (its phases ran back to back).

    .venv/bin/python bench/bench_mqtt.py [--messages 20000] [--repeats 5] [--baseline-ref REF]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import aiomqtt
import httpx
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from rich.table import Table

from common import (
    ZONE,
    BenchTimeoutError,
    PortalServer,
    acuvim_rows,
    baseline_source,
    bench_database,
    connect,
    console,
    free_port,
    json_batches,
    login,
    make_device,
    make_site,
    pg_settings,
    second_database,
    time_limit,
    warn_if_busy,
    write_results,
)

NAME = "mqtt"
TIME_LIMIT_SECONDS = 240
START = datetime(2025, 3, 1, tzinfo=ZONE)
MOSQUITTO = Path("/usr/sbin/mosquitto")
PORTAL_CLIENT_ID = "bench-portal"
HTTP_BATCH = 5000
BASELINE_CLIENT_ID = "bench-portal-baseline"
BASELINE_PREFIX = "previous"
# the last commit whose bridge acknowledged on receipt ("today's bridge" in issue 20)
BASELINE_REF = "ee1f6a2"


# ---------------------------------------------------------------- the broker


class Broker:
    """mosquitto on a free loopback port, with room for the whole backlog."""

    def __init__(self, workdir: Path, queued: int) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.queued = queued
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Broker:
        if not MOSQUITTO.exists():
            raise SystemExit("mosquitto is not installed: apt-get install mosquitto")
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            f"max_queued_messages {self.queued}\nuser root\nlog_dest stderr\nlog_type error\n"
        )
        self.process = subprocess.Popen(
            [str(MOSQUITTO), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with __import__("socket").create_connection(("127.0.0.1", self.port), 0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


def publish(port: int, topic: str, payloads: list[bytes]) -> float:
    """Publish every payload (QoS 1) and wait for the broker's acks; messages/s."""
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-gw-{time.monotonic_ns()}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        t0 = time.perf_counter()
        infos = [client.publish(topic, payload, qos=1) for payload in payloads]
        for info in infos:
            info.wait_for_publish(60)
            if not info.is_published():
                raise RuntimeError("the broker did not acknowledge a message")
        return len(payloads) / (time.perf_counter() - t0)
    finally:
        client.disconnect()
        client.loop_stop()


# ---------------------------------------------------------------- messages


def firmware_payloads(rows: list[dict[str, Any]], gateway_id: str) -> list[bytes]:
    """The readings as the ESP32 gateway firmware sends them (powers in W)."""
    payloads = []
    for r in rows:
        message = {
            "ts": int(r["time"].timestamp()),
            "dev": gateway_id,
            "v": {"a": r["voltage_l1_v"], "b": r["voltage_l2_v"], "c": r["voltage_l3_v"]},
            "i": {"a": r["current_l1_a"], "b": r["current_l2_a"], "c": r["current_l3_a"]},
            "p": {"t": round(r["power_kw"] * 1000, 1)},
            "pf": r["power_factor"],
            "f": r["frequency_hz"],
            "e": {
                "imp": r["energy_import_kwh"],
                "exp": r["energy_export_kwh"],
                "s": r["apparent_energy_kvah"],
            },
            "rp": 1,
        }
        payloads.append(json.dumps(message, separators=(",", ":")).encode())
    return payloads


# ---------------------------------------------------------------- phases


async def _raw_drain(port: int, client_id: str, topic: str, expected: int) -> float:
    async with aiomqtt.Client(
        "127.0.0.1", port, identifier=client_id, clean_session=False
    ) as client:
        t0 = time.perf_counter()
        await client.subscribe(topic, qos=1)
        count = 0
        async for _ in client.messages:
            count += 1
            if count == expected:
                return time.perf_counter() - t0
    raise RuntimeError("the subscriber stopped early")


async def _raw_session(port: int, client_id: str, topic: str) -> None:
    async with aiomqtt.Client(
        "127.0.0.1", port, identifier=client_id, clean_session=False
    ) as client:
        await client.subscribe(topic, qos=1)


def raw_rate(port: int, payloads: list[bytes], round_no: int) -> dict[str, Any]:
    """A counting subscriber drains the backlog queued for its session."""
    client_id, topic = f"bench-raw-{round_no}", f"rawbench/RAW-{round_no}/telemetry"
    asyncio.run(_raw_session(port, client_id, topic))
    publish_rate = publish(port, topic, payloads)
    seconds = asyncio.run(_raw_drain(port, client_id, topic, len(payloads)))
    return {
        "messages": len(payloads),
        "seconds": round(seconds, 3),
        "messages_per_s": round(len(payloads) / seconds),
        "publish_messages_per_s": round(publish_rate),
    }


def stored(url: Any, device_id: int) -> int:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = %s", (device_id,)
        ).fetchone()
    return int(row[0]) if row else 0


def bridge_status(base_url: str) -> dict[str, Any]:
    admin = login(base_url)
    try:
        status: dict[str, Any] = admin.get("/api/gateways/bridge").json()
        return status
    finally:
        admin.close()


def connected_times(server: PortalServer) -> list[float]:
    """When the portal's bridge connected, each time (its ``mqtt.connected`` log lines)."""
    if not server.log_path.exists():
        return []
    return [
        datetime.fromisoformat(line.split(" ", 1)[0]).timestamp()
        for line in server.log_path.read_text(errors="replace").splitlines()
        if " mqtt.connected " in line
    ]


def rollups_settled(url: Any, timeout: float = 120) -> None:
    """Until the portal's rollup worker has nothing left to rebuild."""
    deadline = time.monotonic() + timeout
    with connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('monitoring.rollup_pending')").fetchone() == (None,):
            return
        while conn.execute(
            "SELECT EXISTS (SELECT 1 FROM monitoring.rollup_pending)"
        ).fetchone() == (True,):
            if time.monotonic() > deadline:
                raise RuntimeError("the rollup worker did not catch up")
            time.sleep(0.02)


def bridge_rate(
    server: PortalServer,
    url: Any,
    port: int,
    payloads: list[bytes],
    serial: str,
    device_id: int,
    prefix: str = "acuvim",
) -> dict[str, Any]:
    """Stop the portal, queue the backlog for its session, start it, time the drain."""
    rollups_settled(url)  # earlier phases' rollup work must not compete with this one
    server.stop()
    publish_rate = publish(port, f"{prefix}/{serial}/telemetry", payloads)
    connections_before = len(connected_times(server))
    server.start()
    deadline = time.monotonic() + 120
    # The drain is timed from the bridge's connection, read from the portal's log: asking
    # the API (a sign-in, an argon2 check) would take CPU from the drain it measures.
    while len(connected := connected_times(server)) <= connections_before:
        if time.monotonic() > deadline:
            raise RuntimeError("the bridge did not connect")
        time.sleep(0.01)
    connected_at = connected[connections_before]
    with connect(url, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT count(*) FROM monitoring.power_measurements WHERE device_id = %s",
                (device_id,),
            ).fetchone()
            if row and row[0] >= len(payloads):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {row[0] if row else 0} of {len(payloads)} rows stored")
            time.sleep(0.01)
    seconds = time.time() - connected_at
    status = bridge_status(server.url)
    return {
        "messages": len(payloads),
        "seconds": round(seconds, 3),
        "messages_per_s": round(len(payloads) / seconds),
        "store_batches": status["batches_stored"],
        "rejected": status["rejected_messages"],
        "publish_messages_per_s": round(publish_rate),
    }


def http_rate(base_url: str, token: str, bodies: list[bytes], rows: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as http:
        http.get("/api/health").raise_for_status()
        t0 = time.perf_counter()
        for body in bodies:
            response = http.post("/api/ingest/measurements", content=body)
            if response.status_code != 200:
                raise RuntimeError(f"ingest answered {response.status_code}: {response.text[:300]}")
        seconds = time.perf_counter() - t0
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}


def median_of(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return sorted(runs, key=lambda r: r[key])[(len(runs) - 1) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000, help="readings per round")
    parser.add_argument("--repeats", type=int, default=5, help="rounds; medians reported")
    parser.add_argument(
        "--time-limit",
        type=int,
        default=TIME_LIMIT_SECONDS,
        help=f"stop (and clean up) after this many seconds (default {TIME_LIMIT_SECONDS})",
    )
    parser.add_argument(
        "--receive-maximum",
        type=int,
        default=None,
        help="the bridge's PORTAL_MQTT__RECEIVE_MAXIMUM (default: the portal's default)",
    )
    parser.add_argument(
        "--baseline-ref",
        default=BASELINE_REF,
        help=f"the previous bridge's commit (default {BASELINE_REF}); '' to skip it",
    )
    args = parser.parse_args()
    n = args.messages
    warn_if_busy()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-mqtt-", dir="/tmp"))
    raw_runs: list[dict[str, Any]] = []
    bridge_runs: list[dict[str, Any]] = []
    http_runs: list[dict[str, Any]] = []
    baseline_runs: list[dict[str, Any]] = []
    try:
        with (
            time_limit(args.time_limit),
            bench_database() as url,
            Broker(workdir, queued=2 * n) as broker,
        ):
            with console.status("preparing data"):
                rows = acuvim_rows(START, n, seed=1)
                bodies = json_batches(rows, HTTP_BATCH)
            server = PortalServer(
                url,
                workdir / "portal",
                extra_env={
                    "PORTAL_MQTT__URL": f"mqtt://127.0.0.1:{broker.port}",
                    "PORTAL_MQTT__CLIENT_ID": PORTAL_CLIENT_ID,
                }
                | (
                    {"PORTAL_MQTT__RECEIVE_MAXIMUM": str(args.receive_maximum)}
                    if args.receive_maximum
                    else {}
                ),
            )
            baseline: PortalServer | None = None
            if args.baseline_ref:
                with console.status(f"the previous bridge: {args.baseline_ref}'s src"):
                    source = baseline_source(args.baseline_ref, workdir)
                    baseline_url = second_database(url, "bench_baseline")
                baseline = PortalServer(
                    baseline_url,
                    workdir / "baseline-portal",
                    extra_env={
                        "PORTAL_MQTT__URL": f"mqtt://127.0.0.1:{broker.port}",
                        "PORTAL_MQTT__CLIENT_ID": BASELINE_CLIENT_ID,
                        # its own topics: neither portal sees the other's backlog
                        "PORTAL_MQTT__TOPIC_PREFIX": BASELINE_PREFIX,
                        "PYTHONPATH": str(source),
                    },
                )
                baseline.start()
                baseline_admin = login(baseline.url)
                baseline_site = make_site(baseline_admin, "Bench site")
                baseline_admin.close()
            with server:
                admin = login(server.url)
                site = make_site(admin, "Bench site")
                for round_no in range(1, args.repeats + 1):
                    serial = f"ACV-MQTT-{round_no}"
                    gateway = make_device(admin, site, serial)
                    http_device = make_device(admin, site, f"ACV-HTTP-{round_no}")
                    payloads = firmware_payloads(rows, serial)
                    label = f"[{round_no}/{args.repeats}]"
                    with console.status(f"{label} raw MQTT: a counting subscriber"):
                        raw_runs.append(raw_rate(broker.port, payloads, round_no))
                    with console.status(f"{label} the bridge drains {n:,} queued messages"):
                        admin.close()
                        bridge_runs.append(
                            bridge_rate(
                                server, url, broker.port, payloads, serial, gateway.device_id
                            )
                        )
                        admin = login(server.url)
                    if stored(url, gateway.device_id) != n:
                        raise RuntimeError("the bridge stored a different number of rows")
                    with console.status(f"{label} HTTP ingest, {HTTP_BATCH:,}-row batches"):
                        http_runs.append(http_rate(server.url, http_device.token, bodies, n))
                    if baseline is not None:
                        old_serial = f"ACV-OLD-{round_no}"
                        baseline_admin = login(baseline.url)
                        old_gateway = make_device(baseline_admin, baseline_site, old_serial)
                        baseline_admin.close()
                        with console.status(f"{label} the previous bridge drains the same"):
                            baseline_runs.append(
                                bridge_rate(
                                    baseline,
                                    baseline_url,
                                    broker.port,
                                    firmware_payloads(rows, old_serial),
                                    old_serial,
                                    old_gateway.device_id,
                                    BASELINE_PREFIX,
                                )
                            )
                        if stored(baseline_url, old_gateway.device_id) != n:
                            raise RuntimeError("the previous bridge stored a different number")
                settings = pg_settings(url)
                admin.close()
            if baseline is not None:
                baseline.stop()
    except BenchTimeoutError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    raw = median_of(raw_runs, "messages_per_s")
    bridge = median_of(bridge_runs, "messages_per_s")
    http = median_of(http_runs, "rows_per_s")
    # each round's phases ran back to back: the ratio per round, then the median of those,
    # is steadier than a ratio of medians on a machine whose load drifts
    vs_raw = statistics.median(
        b["messages_per_s"] / r["messages_per_s"]
        for b, r in zip(bridge_runs, raw_runs, strict=True)
    )
    vs_http = statistics.median(
        b["messages_per_s"] / h["rows_per_s"] for b, h in zip(bridge_runs, http_runs, strict=True)
    )

    vs_baseline = (
        statistics.median(
            b["messages_per_s"] / o["messages_per_s"]
            for b, o in zip(bridge_runs, baseline_runs, strict=True)
        )
        if baseline_runs
        else None
    )

    table = Table(title=f"MQTT: {n:,} readings, one message each (median of {args.repeats} rounds)")
    table.add_column("phase")
    table.add_column("seconds", justify="right")
    table.add_column("readings/s", justify="right")
    table.add_column("all rounds", justify="right")
    table.add_column("bridge ÷ this", justify="right")
    table.add_row(
        "raw MQTT: counting subscriber (baseline)",
        f"{raw['seconds']:.2f}",
        f"{raw['messages_per_s']:,}",
        " / ".join(f"{r['messages_per_s']:,}" for r in raw_runs),
        f"{vs_raw:.2f}x",
    )
    table.add_row(
        "bridge: MQTT → database",
        f"{bridge['seconds']:.2f}",
        f"{bridge['messages_per_s']:,}",
        " / ".join(f"{r['messages_per_s']:,}" for r in bridge_runs),
        "",
    )
    table.add_row(
        f"HTTP ingest, {HTTP_BATCH:,}-row batches (baseline)",
        f"{http['seconds']:.2f}",
        f"{http['rows_per_s']:,}",
        " / ".join(f"{r['rows_per_s']:,}" for r in http_runs),
        f"{vs_http:.2f}x",
    )
    if baseline_runs:
        previous = median_of(baseline_runs, "messages_per_s")
        table.add_row(
            f"previous bridge, {args.baseline_ref} (baseline: acknowledged on receipt)",
            f"{previous['seconds']:.2f}",
            f"{previous['messages_per_s']:,}",
            " / ".join(f"{r['messages_per_s']:,}" for r in baseline_runs),
            f"{vs_baseline:.2f}x",
        )
    console.print(table)
    console.print(
        "bridge ÷ this: the median of the rounds' own ratios (each round's phases ran back "
        "to back)\n"
        f"the bridge stored each round's {n:,} messages in "
        f"{' / '.join(str(r['store_batches']) for r in bridge_runs)} COPYs (store_batch calls); "
        f"rejected {bridge['rejected']}; a paho publisher queued them at "
        f"{bridge['publish_messages_per_s']:,} messages/s\n"
        f"PostgreSQL {settings.get('server_version')}; total {time.perf_counter() - started:.0f} s"
    )
    path = write_results(
        NAME,
        {
            "parameters": {"messages": n, "repeats": args.repeats, "http_batch": HTTP_BATCH},
            "postgres": settings,
            "raw_mqtt": {"median": raw, "rounds": raw_runs},
            "bridge": {"median": bridge, "rounds": bridge_runs},
            "http_ingest": {"median": http, "rounds": http_runs},
            "previous_bridge": {"ref": args.baseline_ref, "rounds": baseline_runs},
            "ratios": {
                "bridge_vs_raw_mqtt": round(vs_raw, 3),
                "bridge_vs_http_ingest": round(vs_http, 3),
                "bridge_vs_previous_bridge": (
                    None if vs_baseline is None else round(vs_baseline, 3)
                ),
            },
        },
    )
    console.print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

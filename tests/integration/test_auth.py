"""Login, lockout, sessions and CSRF over real HTTP on a real database."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.settings import AuthSettings, Settings
from tests.support.database import sql, url_string
from tests.support.portal import ADMIN_EMAIL, ADMIN_PASSWORD, Credentials, LiveServer, login_client

LOGIN = "/api/auth/login"


def login(http: httpx.Client, email: str, password: str) -> httpx.Response:
    return http.post(LOGIN, json={"email": email, "password": password})


# ---------------------------------------------------------------- bootstrap


def test_first_start_creates_the_admin_from_the_setting(client: httpx.Client) -> None:
    response = login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == ADMIN_EMAIL
    assert body["role"] == "admin"
    assert "password" not in response.text
    assert "password_hash" not in body


def test_password_hashes_are_argon2(client: httpx.Client, db_url: URL) -> None:
    [(stored,)] = sql(
        db_url, "SELECT password_hash FROM identity.users WHERE email = %s", ADMIN_EMAIL
    )
    assert isinstance(stored, str)
    assert stored.startswith("$argon2id$")
    assert ADMIN_PASSWORD not in stored


def test_bootstrap_happens_once(settings: Settings, db_url: URL) -> None:
    for _ in range(2):
        server = LiveServer(settings)
        server.start()
        server.stop()
    assert sql(db_url, "SELECT count(*) FROM identity.users") == [(1,)]


# ---------------------------------------------------------------- login


def test_login_sets_session_and_csrf_cookies(client: httpx.Client) -> None:
    response = login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("portal_session="))
    csrf = next(c for c in cookies if c.startswith("portal_csrf="))
    assert "HttpOnly" in session
    assert "samesite=lax" in session.lower()
    assert "Secure" not in session  # development over plain HTTP
    assert "HttpOnly" not in csrf  # the page's script must read it
    assert "samesite=lax" in csrf.lower()


def test_cookies_are_secure_in_production(db_url: URL, tmp_path: Path) -> None:
    settings = Settings(
        database_url=url_string(db_url),
        data_dir=tmp_path,
        env="production",
        admin_password="a-long-production-password",
    )
    server = LiveServer(settings)
    server.start()
    try:
        response = httpx.post(
            f"{server.url}{LOGIN}",
            json={"email": ADMIN_EMAIL, "password": "a-long-production-password"},
        )
        assert response.status_code == 200
        for cookie in response.headers.get_list("set-cookie"):
            assert "Secure" in cookie
    finally:
        server.stop()


def test_email_is_case_insensitive(client: httpx.Client) -> None:
    assert login(client, "  Admin@LOCALHOST ", ADMIN_PASSWORD).status_code == 200


def test_unknown_email_and_wrong_password_look_the_same(
    client: httpx.Client, viewer: Credentials
) -> None:
    wrong_password = login(client, viewer.email, "not-the-password")
    unknown_email = login(client, "nobody@example.com", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json() == {"detail": "wrong e-mail or password"}
    assert "set-cookie" not in wrong_password.headers
    assert "set-cookie" not in unknown_email.headers


def test_unknown_email_takes_about_as_long_as_wrong_password(
    client: httpx.Client, viewer: Credentials
) -> None:
    def timed(email: str) -> float:
        started = time.perf_counter()
        login(client, email, "not-the-password")
        return time.perf_counter() - started

    # Stay under the lockout threshold for the real account.
    known = statistics.median(timed(viewer.email) for _ in range(3))
    unknown = statistics.median(timed(f"ghost{i}@example.com") for i in range(3))
    # Both pay one Argon2 verification; without the decoy the unknown path is ~100x faster.
    assert 0.4 < unknown / known < 2.5, (known, unknown)


def test_malformed_login_body_is_422_naming_the_field(client: httpx.Client) -> None:
    response = client.post(LOGIN, json={"email": "a@b.c"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]


# ---------------------------------------------------------------- lockout


def test_five_failures_lock_the_account_even_for_the_right_password(
    client: httpx.Client, viewer: Credentials
) -> None:
    for attempt in range(1, 5):
        assert login(client, viewer.email, "wrong").status_code == 401, attempt
    fifth = login(client, viewer.email, "wrong")
    assert fifth.status_code == 423
    assert 1 <= int(fifth.headers["Retry-After"]) <= 300
    right = login(client, viewer.email, viewer.password)
    assert right.status_code == 423
    assert "locked" in right.json()["detail"]
    assert 1 <= int(right.headers["Retry-After"]) <= 300
    assert "set-cookie" not in right.headers


def test_a_success_resets_the_failure_count(client: httpx.Client, viewer: Credentials) -> None:
    for _ in range(4):
        login(client, viewer.email, "wrong")
    assert login(client, viewer.email, viewer.password).status_code == 200
    for _ in range(4):
        assert login(client, viewer.email, "wrong").status_code == 401
    assert login(client, viewer.email, viewer.password).status_code == 200


def test_admin_unlocks_a_locked_account(
    client: httpx.Client, admin_client: httpx.Client, viewer: Credentials
) -> None:
    for _ in range(5):
        login(client, viewer.email, "wrong")
    listed = {u["email"]: u for u in admin_client.get("/api/users").json()}
    assert listed[viewer.email]["is_locked"] is True
    response = admin_client.post(f"/api/users/{viewer.id}/unlock")
    assert response.status_code == 200
    assert response.json()["is_locked"] is False
    assert login(client, viewer.email, viewer.password).status_code == 200


@pytest.fixture
def quick_lockout_server(db_url: URL, tmp_path: Path) -> Iterator[LiveServer]:
    settings = Settings(
        database_url=url_string(db_url),
        data_dir=tmp_path,
        admin_password=ADMIN_PASSWORD,
        auth=AuthSettings(lockout_threshold=3, lockout_minutes=1.5 / 60),
    )
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


def test_lockout_threshold_and_duration_are_configurable(
    quick_lockout_server: LiveServer,
) -> None:
    with httpx.Client(base_url=quick_lockout_server.url) as http:
        assert login(http, ADMIN_EMAIL, "wrong").status_code == 401
        assert login(http, ADMIN_EMAIL, "wrong").status_code == 401
        third = login(http, ADMIN_EMAIL, "wrong")
        assert third.status_code == 423
        assert int(third.headers["Retry-After"]) <= 2
        assert login(http, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 423
        time.sleep(1.7)
        assert login(http, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200


def test_login_attempts_are_recorded(client: httpx.Client, db_url: URL) -> None:
    login(client, ADMIN_EMAIL, "wrong")
    login(client, "ghost@example.com", "wrong")
    login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    rows = sql(db_url, "SELECT email, outcome FROM identity.login_attempts ORDER BY id")
    assert rows == [
        (ADMIN_EMAIL, "bad_credentials"),
        ("ghost@example.com", "bad_credentials"),
        (ADMIN_EMAIL, "success"),
    ]


# ---------------------------------------------------------------- sessions


def test_me_needs_a_session(client: httpx.Client, admin_client: httpx.Client) -> None:
    assert client.get("/api/auth/me").status_code == 401
    me = admin_client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == ADMIN_EMAIL


def test_sessions_are_stored_hashed(admin_client: httpx.Client, db_url: URL) -> None:
    token = admin_client.cookies["portal_session"]
    stored = [str(row[0]) for row in sql(db_url, "SELECT token_sha256 FROM identity.sessions")]
    assert token not in stored
    assert len(stored) == 1
    assert len(stored[0]) == 64


def test_logout_ends_the_session(live_server: LiveServer, admin_client: httpx.Client) -> None:
    token = admin_client.cookies["portal_session"]
    assert admin_client.post("/api/auth/logout").status_code == 204
    with httpx.Client(base_url=live_server.url, cookies={"portal_session": token}) as replay:
        assert replay.get("/api/auth/me").status_code == 401


def test_logout_everywhere(live_server: LiveServer) -> None:
    first = login_client(live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    second = login_client(live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    response = first.post("/api/auth/logout-all")
    assert response.status_code == 200
    assert response.json() == {"sessions_ended": 2}
    assert first.get("/api/auth/me").status_code == 401
    assert second.get("/api/auth/me").status_code == 401


def test_idle_session_expires(admin_client: httpx.Client, db_url: URL) -> None:
    sql(db_url, "UPDATE identity.sessions SET last_seen_at = now() - interval '13 hours'")
    assert admin_client.get("/api/auth/me").status_code == 401
    assert sql(db_url, "SELECT count(*) FROM identity.sessions") == [(0,)]


def test_activity_keeps_a_session_alive(admin_client: httpx.Client, db_url: URL) -> None:
    sql(db_url, "UPDATE identity.sessions SET last_seen_at = now() - interval '11 hours'")
    assert admin_client.get("/api/auth/me").status_code == 200
    [(last_seen,)] = sql(db_url, "SELECT last_seen_at FROM identity.sessions")
    assert isinstance(last_seen, datetime)
    assert datetime.now(UTC) - last_seen < timedelta(minutes=1)


def test_absolute_session_lifetime(admin_client: httpx.Client, db_url: URL) -> None:
    sql(db_url, "UPDATE identity.sessions SET expires_at = now() - interval '1 second'")
    assert admin_client.get("/api/auth/me").status_code == 401


def test_login_replaces_a_presented_session(live_server: LiveServer) -> None:
    """No session fixation: logging in never keeps a session id the browser brought."""
    first = login_client(live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    old_token = first.cookies["portal_session"]
    again = first.post(LOGIN, json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert again.status_code == 200
    assert again.cookies["portal_session"] != old_token
    with httpx.Client(base_url=live_server.url, cookies={"portal_session": old_token}) as replay:
        assert replay.get("/api/auth/me").status_code == 401


def test_forged_session_cookie_is_refused(client: httpx.Client) -> None:
    client.cookies.set("portal_session", "forged-token")
    assert client.get("/api/auth/me").status_code == 401


def test_deactivated_user_loses_sessions_and_cannot_log_in(
    live_server: LiveServer, admin_client: httpx.Client, viewer: Credentials
) -> None:
    viewer_http = login_client(live_server.url, viewer.email, viewer.password)
    response = admin_client.patch(f"/api/users/{viewer.id}", json={"is_active": False})
    assert response.status_code == 200
    assert viewer_http.get("/api/auth/me").status_code == 401
    with httpx.Client(base_url=live_server.url) as http:
        refused = login(http, viewer.email, viewer.password)
        assert refused.status_code == 401
        assert refused.json() == {"detail": "wrong e-mail or password"}


def test_change_own_password_keeps_this_session_ends_others(
    live_server: LiveServer, viewer: Credentials
) -> None:
    here = login_client(live_server.url, viewer.email, viewer.password)
    elsewhere = login_client(live_server.url, viewer.email, viewer.password)
    wrong = here.post(
        "/api/auth/password",
        json={"current_password": "nope", "new_password": "a-brand-new-password"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "current_password"]
    ok = here.post(
        "/api/auth/password",
        json={"current_password": viewer.password, "new_password": "a-brand-new-password"},
    )
    assert ok.status_code == 204
    assert here.get("/api/auth/me").status_code == 200
    assert elsewhere.get("/api/auth/me").status_code == 401
    with httpx.Client(base_url=live_server.url) as http:
        assert login(http, viewer.email, "a-brand-new-password").status_code == 200


def test_wrong_current_passwords_count_like_failed_logins(
    live_server: LiveServer, viewer: Credentials, db_url: URL
) -> None:
    """A stolen session cannot try passwords without limit: the fifth wrong current password
    locks this address out of the account, for the right password too, and for sign-in."""
    here = login_client(live_server.url, viewer.email, viewer.password)

    def change(current: str) -> httpx.Response:
        return here.post(
            "/api/auth/password",
            json={"current_password": current, "new_password": "a-brand-new-password"},
        )

    assert [change(f"guess-{n}").status_code for n in range(4)] == [422] * 4
    fifth = change("guess-5")
    assert fifth.status_code == 423
    assert int(fifth.headers["Retry-After"]) >= 1
    right = change(viewer.password)
    assert right.status_code == 423
    with httpx.Client(base_url=live_server.url) as http:
        assert login(http, viewer.email, viewer.password).status_code == 423
    outcomes = sql(
        db_url,
        "SELECT outcome, count(*) FROM identity.login_attempts WHERE email = %s"
        " GROUP BY outcome ORDER BY outcome",
        viewer.email,
    )
    assert outcomes == [("bad_current_password", 5), ("success", 1)]


# ---------------------------------------------------------------- CSRF


def test_state_change_without_csrf_header_is_refused(
    live_server: LiveServer, admin_client: httpx.Client
) -> None:
    cookies = dict(admin_client.cookies.items())
    body = {"email": "x@example.com", "name": "X", "password": "long-enough-pw", "role": "viewer"}
    with httpx.Client(base_url=live_server.url, cookies=cookies) as no_header:
        refused = no_header.post("/api/users", json=body)
        assert refused.status_code == 403
        assert "X-CSRF-Token" in refused.json()["detail"]
        wrong = no_header.post("/api/users", json=body, headers={"X-CSRF-Token": "guess"})
        assert wrong.status_code == 403
        assert no_header.post("/api/auth/logout").status_code == 403
        # reads need no token
        assert no_header.get("/api/users").status_code == 200
    # the header alone, without the cookie, is not enough either
    token = admin_client.cookies["portal_csrf"]
    session_only = {"portal_session": admin_client.cookies["portal_session"]}
    with httpx.Client(base_url=live_server.url, cookies=session_only) as no_cookie:
        assert (
            no_cookie.post("/api/users", json=body, headers={"X-CSRF-Token": token}).status_code
            == 403
        )
    assert admin_client.post("/api/users", json=body).status_code == 201


def test_csrf_token_of_another_session_is_refused(live_server: LiveServer) -> None:
    mine = login_client(live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    other = login_client(live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    foreign = other.cookies["portal_csrf"]
    mine.cookies.set("portal_csrf", foreign)
    mine.headers["X-CSRF-Token"] = foreign
    assert mine.post("/api/auth/logout").status_code == 403


# ---------------------------------------------------------------- restart


@pytest.mark.slow
def test_session_survives_a_portal_restart(
    portal_process: Callable[..., object], db_url: URL
) -> None:
    from tests.support.portal import PortalProcess

    make = portal_process
    env = {"PORTAL_DATABASE_URL": url_string(db_url), "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD}
    first = make(**env)
    assert isinstance(first, PortalProcess)
    first.start()
    http = login_client(first.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    cookies = dict(http.cookies.items())
    assert first.terminate()

    second = make(**env)
    assert isinstance(second, PortalProcess)
    second.port = first.port
    second.start()
    with httpx.Client(base_url=second.url, cookies=cookies) as after:
        me = after.get("/api/auth/me")
        assert me.status_code == 200
        assert me.json()["email"] == ADMIN_EMAIL
        logout = after.post("/api/auth/logout", headers={"X-CSRF-Token": cookies["portal_csrf"]})
        assert logout.status_code == 204
    second.terminate()

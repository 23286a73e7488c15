"""`portal users …` and the first-start admin, as real processes on a real database."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.support.cli import portal
from tests.support.database import sql, url_string
from tests.support.portal import PortalProcess

pytestmark = pytest.mark.slow


def login_status(base_url: str, email: str, password: str) -> int:
    response = httpx.post(f"{base_url}/api/auth/login", json={"email": email, "password": password})
    return response.status_code


def test_generated_admin_password_is_printed_once_and_works(
    portal_process: Callable[..., PortalProcess], db_url: URL
) -> None:
    first = portal_process(PORTAL_DATABASE_URL=url_string(db_url))
    first.start()
    match = re.search(r"password: (\S+)", first.log())
    assert match, first.log()
    password = match.group(1)
    assert login_status(first.url, "admin@localhost", password) == 200
    # shown on the console banner only, never in a structured log line
    log_lines_with_password = [
        line for line in first.log().splitlines() if password in line and "password:" not in line
    ]
    assert log_lines_with_password == []
    assert first.terminate()

    second = portal_process(PORTAL_DATABASE_URL=url_string(db_url))
    second.start()
    assert "First start" not in second.log()
    assert login_status(second.url, "admin@localhost", password) == 200
    assert second.terminate()


def test_users_create_list_and_set_password(db_url: URL, client: httpx.Client) -> None:
    base = str(client.base_url)
    created = portal(
        db_url,
        "users",
        "create",
        "Ops@Example.com",
        "--name",
        "Olga Ops",
        "--role",
        "admin",
        "--password",
        "cli-created-password",
    )
    assert created.returncode == 0, created.stderr
    assert "ops@example.com" in created.stdout
    assert login_status(base, "ops@example.com", "cli-created-password") == 200

    listed = portal(db_url, "users", "list")
    assert listed.returncode == 0, listed.stderr
    assert "ops@example.com" in listed.stdout
    assert "admin@localhost" in listed.stdout

    # prompted password (typed twice), so it stays out of shell history
    changed = portal(
        db_url,
        "users",
        "set-password",
        "ops@example.com",
        stdin="another-long-password\nanother-long-password\n",
    )
    assert changed.returncode == 0, changed.stderr
    assert login_status(base, "ops@example.com", "cli-created-password") == 401
    assert login_status(base, "ops@example.com", "another-long-password") == 200


def test_users_cli_errors_are_clear(db_url: URL, tmp_path: Path) -> None:
    short = portal(db_url, "users", "create", "a@example.com", "--name", "A", "--password", "short")
    assert short.returncode == 1
    assert "at least 10 characters" in short.stderr
    bad_email = portal(db_url, "users", "create", "nope", "--name", "A", "--password", "x" * 12)
    assert bad_email.returncode == 1
    assert "email" in bad_email.stderr
    unknown = portal(db_url, "users", "set-password", "ghost@example.com", "--password", "x" * 12)
    assert unknown.returncode == 1
    assert "no user with e-mail ghost@example.com" in unknown.stderr


def test_users_cli_creates_a_tenant_user_only_with_its_tenant(db_url: URL) -> None:
    [(site,)] = sql(
        db_url, "INSERT INTO app.sites (name, timezone) VALUES ('S', 'UTC') RETURNING id"
    )
    [(tenant,)] = sql(
        db_url,
        "INSERT INTO app.tenants (site_id, name, rule_kind, apportion) "
        "VALUES (%s, 'Grocer', 'pass_through', 'energy') RETURNING id",
        site,
    )
    args = ["users", "create", "t@example.com", "--name", "T", "--password", "x" * 12]
    missing = portal(db_url, *args, "--role", "tenant")
    assert missing.returncode == 1
    assert "needs the tenant_id" in missing.stderr
    unknown = portal(db_url, *args, "--role", "tenant", "--tenant-id", "999999")
    assert unknown.returncode == 1
    assert "no tenant with id 999999" in unknown.stderr
    created = portal(db_url, *args, "--role", "tenant", "--tenant-id", str(tenant))
    assert created.returncode == 0, created.stderr
    listed = portal(db_url, "users", "list")
    row = next(line for line in listed.stdout.splitlines() if "t@example.com" in line)
    assert "tenant" in row
    assert f" {tenant} " in row

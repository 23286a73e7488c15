"""No secret setting ever appears in an API response or a log line.

Every setting typed as a secret is set to a marker value; then every GET route
of the API is called as an admin (and the config overview in particular), and
the responses and everything the server logged are searched for the marker.
A new secret setting is covered automatically: the test finds them by type.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, SecretStr
from sqlalchemy.engine import URL

from power_portal.settings import Settings
from tests.support.portal import ADMIN_EMAIL, LiveServer, login_client

MARKER = "S3cretMarker-4f9c2b7e"


def secret_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        if annotation is SecretStr or SecretStr in args:
            paths.append((*prefix, name))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths += secret_paths(annotation, (*prefix, name))
    return paths


def test_every_secret_setting_is_found() -> None:
    found = {".".join(p) for p in secret_paths(Settings)}
    assert {
        "database_url",
        "db.password",
        "database.url",
        "database.password",
        "admin_password",
        "fleet.customer_token",
        "mqtt.password",
    } <= found


def test_secrets_appear_in_no_response_and_no_log(
    db_url: URL, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    password = f"{MARKER}-admin-password"
    values: dict[str, Any] = {"data_dir": tmp_path, "admin_password": password}
    for path in secret_paths(Settings):
        if path == ("database_url",):
            # the test database trusts its Unix socket, so the password is carried, unused
            values["database_url"] = db_url.set(password=MARKER).render_as_string(
                hide_password=False
            )
        elif path == ("database", "url"):
            values.setdefault("database", {})["url"] = f"postgresql://u:{MARKER}@nowhere/db"
        elif path != ("admin_password",):
            target = values
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = MARKER
    settings = Settings(**values)
    server = LiveServer(settings)
    server.start()
    try:
        admin = login_client(server.url, ADMIN_EMAIL, password)
        document = admin.get("/openapi.json").json()
        checked = 0
        for route, item in document["paths"].items():
            if "get" not in item or "{" in route:
                continue
            response = admin.get(route)
            assert MARKER not in response.text, route
            checked += 1
        assert checked >= 8
        overview = admin.get("/api/config").json()
        assert overview["database"]["source"] == "url"
        assert overview["fleet"]["customer_token_set"] is True
        assert overview["mqtt"]["password_set"] is True
        assert MARKER not in str(overview)
        assert MARKER not in httpx.get(f"{server.url}/api/health").text
        # a failed login with the marker as password must not log it either
        httpx.post(f"{server.url}/api/auth/login", json={"email": ADMIN_EMAIL, "password": MARKER})
    finally:
        server.stop()
    logged = capfd.readouterr()
    assert "portal.started" in logged.err  # the server did log
    assert not re.search(MARKER, logged.out + logged.err)

"""``GET /api/gateways/bridge``: a viewer sees whether the bridge is connected and its
counters; where the broker is, the client id, the field map and the last error only an admin
(issue 21). The broker here is a port nobody listens on, so the bridge has an error to tell."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from power_portal.settings import Settings
from tests.support.database import url_string
from tests.support.portal import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    LiveServer,
    free_port,
    login_client,
    wait_until,
)

ADMIN_ONLY = ("broker", "client_id", "field_map", "last_error")


@pytest.fixture
def settings(db_url: URL, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        database_url=url_string(db_url),
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        mqtt={
            "url": f"mqtt://127.0.0.1:{free_port()}",
            "client_id": "portal-view-test",
            "reconnect_min_seconds": 0.2,
            "reconnect_max_seconds": 1.0,
        },
    )


def bridge(http: httpx.Client) -> dict[str, Any]:
    response = http.get("/api/gateways/bridge")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_viewer_sees_the_state_not_the_broker(
    admin_client: httpx.Client, make_user: Callable[..., Any], live_server: LiveServer
) -> None:
    admin_view = wait_until(
        lambda: (b := bridge(admin_client))["last_error"] and b, "the bridge fails to connect"
    )
    assert admin_view["broker"].startswith("127.0.0.1:")
    assert admin_view["client_id"] == "portal-view-test"
    assert admin_view["field_map"] == "default"
    assert admin_view["connected"] is False

    viewer = make_user("viewer", email="bridge-viewer@example.com")
    viewer_client = login_client(live_server.url, viewer.email, USER_PASSWORD)
    try:
        viewer_view = bridge(viewer_client)
    finally:
        viewer_client.close()
    assert {name: viewer_view[name] for name in ADMIN_ONLY} == dict.fromkeys(ADMIN_ONLY)
    # the rest is the admin's view: the state and the counters
    for name in ("enabled", "running", "connected", "tls", "topic_prefix"):
        assert viewer_view[name] == admin_view[name], name
    assert viewer_view["enabled"] is True
    assert set(viewer_view) == set(admin_view)

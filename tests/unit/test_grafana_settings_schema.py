"""Settings → Grafana rules that need no database: base URLs, and the CSP's frame origins."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from power_portal.grafana.schemas import GrafanaSettingsUpdate
from power_portal.grafana.service import frame_origins
from power_portal.settings import Settings
from power_portal.web.security import content_security_policy


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("/grafana", "/grafana"),
        ("/grafana/", "/grafana"),
        (" /tools/grafana ", "/tools/grafana"),
        ("https://grafana.example.com", "https://grafana.example.com"),
        ("http://10.0.0.5:3000/", "http://10.0.0.5:3000"),
    ],
)
def test_base_urls_accepted(given: str, stored: str) -> None:
    assert GrafanaSettingsUpdate(base_url=given).base_url == stored


@pytest.mark.parametrize(
    "given",
    [
        "grafana",
        "//grafana.example.com",
        "/grafana/../api",
        "/./grafana",
        "/grafana?orgId=1",
        "/grafana#x",
        "ftp://grafana.example.com",
        "javascript:alert(1)",
        "https://u:p@grafana.example.com",
        'https://grafana.example.com/"onload=x',
        "/",
        "/gra\\fana",
    ],
)
def test_base_urls_refused(given: str) -> None:
    with pytest.raises(ValidationError) as caught:
        GrafanaSettingsUpdate(base_url=given)
    assert caught.value.errors()[0]["loc"] == ("base_url",)


@pytest.mark.parametrize(
    ("grafana_url", "origins"),
    [
        (None, []),
        ("/grafana", []),
        ("https://grafana.example.com:3000/sub", ["https://grafana.example.com:3000"]),
        ("https://x.example.com; script-src *", []),
    ],
)
def test_only_a_valid_absolute_grafana_url_widens_frame_src(
    grafana_url: str | None, origins: list[str]
) -> None:
    assert frame_origins(Settings(grafana_url=grafana_url)) == origins
    policy = content_security_policy(origins)
    frame_src = next(d for d in policy.split("; ") if d.startswith("frame-src"))
    assert frame_src == " ".join(["frame-src 'self'", *origins])
    assert "script-src 'self';" in policy  # nothing else changes


def test_titles_without_control_characters() -> None:
    """JSONB cannot store NUL: refused as a field problem, never a server error."""
    with pytest.raises(ValidationError) as caught:
        GrafanaSettingsUpdate(base_url="/grafana", dashboards=[{"title": "a\x00b", "uid": "u"}])
    assert caught.value.errors()[0]["loc"] == ("dashboards", 0, "title")
    ok = GrafanaSettingsUpdate(base_url="/grafana", dashboards=[{"title": "Öst — 2", "uid": "u"}])
    assert ok.dashboards[0].title == "Öst — 2"

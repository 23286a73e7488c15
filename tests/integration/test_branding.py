"""Branding, uploads checked by content, the config overview, security headers."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from power_portal.settings import Settings

DEFAULT = {
    "product_name": "Power Portal",
    "primary_color": "#1677ff",
    "secondary_color": "#13c2c2",
    "theme": "light",
}


def image_bytes(fmt: str, size: tuple[int, int] = (300, 120), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 60))
    out = io.BytesIO()
    options: dict[str, object] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCameraMaker"  # Make
        data[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
        options["exif"] = data
    image.save(out, format=fmt, **options)
    return out.getvalue()


def upload(
    client: httpx.Client,
    data: bytes,
    name: str = "logo.png",
    content_type: str = "image/png",
    kind: str = "logo",
) -> httpx.Response:
    return client.post(f"/api/branding/{kind}", files={"file": (name, data, content_type)})


def test_branding_is_public_and_has_defaults(client: httpx.Client) -> None:
    body = client.get("/api/branding").json()
    assert {k: body[k] for k in DEFAULT} == DEFAULT
    assert body["logo_url"] is None


def test_admin_changes_branding_viewer_cannot(
    admin_client: httpx.Client, viewer_client: httpx.Client, client: httpx.Client
) -> None:
    update = {
        **DEFAULT,
        "product_name": "Acme Energy",
        "primary_color": "#AA3300",
        "tagline": "<script>alert(1)</script>",
        "support_email": "help@acme.example",
    }
    response = admin_client.put("/api/branding", json=update)
    assert response.status_code == 200, response.text
    assert response.json()["primary_color"] == "#aa3300"
    public = client.get("/api/branding").json()
    assert public["product_name"] == "Acme Energy"
    assert public["tagline"] == "<script>alert(1)</script>"  # stored as text; the UI escapes it
    assert viewer_client.put("/api/branding", json=update).status_code == 403
    bad = admin_client.put("/api/branding", json={**update, "primary_color": "red"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "primary_color"]
    bad_url = admin_client.put(
        "/api/branding", json={**update, "support_url": "javascript:alert(1)"}
    )
    assert bad_url.status_code == 422
    assert bad_url.json()["detail"][0]["loc"] == ["body", "support_url"]


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_real_images_are_accepted_re_encoded_and_served(
    admin_client: httpx.Client, client: httpx.Client, fmt: str, content_type: str
) -> None:
    response = upload(
        admin_client,
        image_bytes(fmt, exif=fmt != "WEBP"),
        name="../../evil.png",
        content_type="application/octet-stream",
    )
    assert response.status_code == 200, response.text
    logo_url = response.json()["logo_url"]
    assert logo_url.startswith("/api/branding/assets/")
    assert "evil" not in logo_url
    served = client.get(logo_url)
    assert served.status_code == 200
    assert served.headers["content-type"] == content_type
    assert "immutable" in served.headers["cache-control"]
    assert b"SecretCameraMaker" not in served.content
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == fmt
        assert image.size == (300, 120)
        assert not image.getexif()


def test_large_images_are_scaled_down(admin_client: httpx.Client, client: httpx.Client) -> None:
    response = upload(admin_client, image_bytes("PNG", size=(3000, 1500)))
    served = client.get(response.json()["logo_url"])
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == (1024, 512)
    favicon = upload(admin_client, image_bytes("PNG", size=(600, 600)), kind="favicon")
    with Image.open(io.BytesIO(client.get(favicon.json()["favicon_url"]).content)) as image:
        assert image.size == (256, 256)


@pytest.mark.parametrize(
    ("data", "status", "fragment"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 415, "SVG"),
        (b'<?xml version="1.0"?><svg/>', 415, "SVG"),
        (b"GIF89a" + b"\x00" * 100, 415, "not a PNG, JPEG or WebP"),
        (b"just some text pretending to be a png", 415, "not a PNG, JPEG or WebP"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, 415, "not a PNG, JPEG or WebP"),
    ],
)
def test_non_images_are_refused(
    admin_client: httpx.Client, data: bytes, status: int, fragment: str
) -> None:
    response = upload(admin_client, data, name="logo.png", content_type="image/png")
    assert response.status_code == status, response.text
    assert fragment in response.json()["detail"]
    assert admin_client.get("/api/branding").json()["logo_url"] is None


def test_gif_is_refused_by_content(admin_client: httpx.Client) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    response = upload(admin_client, out.getvalue(), name="logo.png")
    assert response.status_code == 415
    assert "GIF" in response.json()["detail"]


def test_too_many_pixels_and_too_many_bytes(admin_client: httpx.Client) -> None:
    huge = upload(admin_client, image_bytes("PNG", size=(5000, 4000)))
    assert huge.status_code == 422
    assert "pixels" in huge.json()["detail"]
    big = upload(admin_client, image_bytes("PNG") + b"\x00" * (3 * 1024 * 1024))
    assert big.status_code == 413


def test_replacing_a_logo_removes_the_old_file(
    admin_client: httpx.Client, client: httpx.Client, settings: Settings
) -> None:
    first = upload(admin_client, image_bytes("PNG")).json()["logo_url"]
    second = upload(admin_client, image_bytes("JPEG"), name="x.jpg").json()["logo_url"]
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    stored = list((settings.resolved_data_dir / "uploads" / "branding").iterdir())
    assert [p.name for p in stored] == [second.rsplit("/", 1)[1]]
    reset = admin_client.delete("/api/branding").json()
    assert reset["logo_url"] is None
    assert list((settings.resolved_data_dir / "uploads" / "branding").iterdir()) == []


def test_asset_names_cannot_traverse(client: httpx.Client, settings: Settings) -> None:
    secret = settings.resolved_data_dir / "secret.txt"
    secret.write_text("top secret")
    for name in ("..%2Fsecret.txt", "..%2F..%2Fsecret.txt", "secret.txt", "%2e%2e%2fsecret.txt"):
        response = client.get(f"/api/branding/assets/{name}")
        assert response.status_code == 404, name
        assert "top secret" not in response.text


def test_disk_full_is_a_clear_error(
    admin_client: httpx.Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No space left: 507 naming the problem, nothing half-written, the old logo kept."""
    first = upload(admin_client, image_bytes("PNG")).json()["logo_url"]

    def full(self: Path, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    response = upload(admin_client, image_bytes("PNG"))
    assert response.status_code == 507
    assert "No space left" in response.json()["detail"]
    monkeypatch.undo()
    assert admin_client.get("/api/branding").json()["logo_url"] == first
    stored = list((settings.resolved_data_dir / "uploads" / "branding").iterdir())
    assert len(stored) == 1


def test_config_overview(admin_client: httpx.Client, viewer_client: httpx.Client) -> None:
    overview = admin_client.get("/api/config").json()
    assert overview["run_mode"] == "standalone"
    assert overview["database"]["source"] == "url"
    assert overview["database"]["name"].startswith("test_")
    assert overview["admin_password_set"] is True
    assert overview["fleet"]["customer_token_set"] is False
    assert overview["features"]["fleet_push"] is False
    assert viewer_client.get("/api/config").status_code == 403


@pytest.mark.parametrize("path", ["/api/health", "/", "/settings", "/api/nope", "/api/branding"])
def test_security_headers_on_every_response(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert "strict-transport-security" not in response.headers  # plain HTTP in development

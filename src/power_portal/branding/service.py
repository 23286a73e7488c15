"""Reading and changing the brand; storing uploaded logos in the data directory."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from power_portal.branding.images import CleanImage, ImageKind
from power_portal.branding.models import Branding
from power_portal.branding.schemas import DEFAULTS, BrandingRead, BrandingUpdate
from power_portal.core.errors import PortalError

log = structlog.get_logger(__name__)

ASSET_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp)$")
ASSET_URL = "/api/branding/assets/"


class StorageFullError(PortalError):
    status_code = 507


def asset_dir(data_dir: Path) -> Path:
    return data_dir / "uploads" / "branding"


def to_read(row: Branding | None) -> BrandingRead:
    values = dict(DEFAULTS)
    logo = favicon = None
    if row is not None:
        values.update(
            product_name=row.product_name,
            primary_color=row.primary_color,
            secondary_color=row.secondary_color,
            theme=row.theme,
            tagline=row.tagline,
            support_email=row.support_email,
            support_url=row.support_url,
        )
        logo = f"{ASSET_URL}{row.logo_file}" if row.logo_file else None
        favicon = f"{ASSET_URL}{row.favicon_file}" if row.favicon_file else None
    return BrandingRead(**values, logo_url=logo, favicon_url=favicon)


async def get_row(db: AsyncSession) -> Branding | None:
    return await db.get(Branding, 1)


async def _row_for_update(db: AsyncSession) -> Branding:
    row = await db.get(Branding, 1, with_for_update=True)
    if row is None:
        row = Branding(id=1, **DEFAULTS)
        db.add(row)
    return row


async def update(db: AsyncSession, data: BrandingUpdate) -> BrandingRead:
    row = await _row_for_update(db)
    for field, value in data.model_dump().items():
        setattr(row, field, value)
    await db.commit()
    log.info("branding.updated")
    return to_read(row)


def _remove(data_dir: Path, name: str | None) -> None:
    if name and ASSET_NAME.fullmatch(name):
        (asset_dir(data_dir) / name).unlink(missing_ok=True)


async def store_image(
    db: AsyncSession, data_dir: Path, kind: ImageKind, image: CleanImage
) -> BrandingRead:
    """Write the cleaned image under a random name, point the brand at it, drop the old one."""
    folder = asset_dir(data_dir)
    name = f"{secrets.token_hex(16)}.{image.extension}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.part"
        temporary.write_bytes(image.data)
        temporary.replace(folder / name)
    except OSError as exc:
        (folder / f".{name}.part").unlink(missing_ok=True)
        raise StorageFullError(f"could not store the {kind}: {exc.strerror or exc}") from exc
    row = await _row_for_update(db)
    old = row.logo_file if kind == "logo" else row.favicon_file
    if kind == "logo":
        row.logo_file = name
    else:
        row.favicon_file = name
    try:
        await db.commit()
    except Exception:
        _remove(data_dir, name)
        raise
    _remove(data_dir, old)
    log.info("branding.image_stored", kind=kind, width=image.width, height=image.height)
    return to_read(row)


async def remove_image(db: AsyncSession, data_dir: Path, kind: ImageKind) -> BrandingRead:
    row = await _row_for_update(db)
    old = row.logo_file if kind == "logo" else row.favicon_file
    if kind == "logo":
        row.logo_file = None
    else:
        row.favicon_file = None
    await db.commit()
    _remove(data_dir, old)
    return to_read(row)


async def reset(db: AsyncSession, data_dir: Path) -> BrandingRead:
    row = await db.get(Branding, 1, with_for_update=True)
    if row is not None:
        files = (row.logo_file, row.favicon_file)
        await db.delete(row)
        await db.commit()
        for name in files:
            _remove(data_dir, name)
    return to_read(None)

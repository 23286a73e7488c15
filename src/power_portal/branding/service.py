"""Reading and changing the brand; storing uploaded logos in the data directory.

Files and the row move together: a new file is written before the row points at it and is
removed again if the transaction rolls back; a replaced or removed file goes only once the
transaction has committed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from power_portal.branding import repository
from power_portal.branding.images import CONTENT_TYPES, ImageKind, clean_image
from power_portal.branding.models import Branding
from power_portal.branding.schemas import DEFAULTS, BrandingUpdate
from power_portal.core.errors import NotFoundError, PortalError

log = structlog.get_logger(__name__)

ASSET_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp)$")


class StorageFullError(PortalError):
    status_code = 507


def asset_dir(data_dir: Path) -> Path:
    return data_dir / "uploads" / "branding"


@dataclass(frozen=True)
class Asset:
    path: Path
    content_type: str


def asset(data_dir: Path, name: str) -> Asset:
    """A stored logo or favicon by its (random) file name."""
    path = asset_dir(data_dir) / name
    if not ASSET_NAME.fullmatch(name) or not path.is_file():
        raise NotFoundError("no such asset")
    return Asset(path, CONTENT_TYPES[name.rsplit(".", 1)[1]])


def _after_transaction(
    db: AsyncSession,
    *,
    committed: Callable[[], None] | None = None,
    rolled_back: Callable[[], None] | None = None,
) -> None:
    """Once the request's transaction ends, run ``committed`` or ``rolled_back`` (whichever
    happens first; a later transaction on the same session changes nothing)."""
    pending = True

    def listener(action: Callable[[], None] | None) -> Callable[[Session], None]:
        def run(_: Session) -> None:
            nonlocal pending
            if pending:
                pending = False
                if action is not None:
                    action()

        return run

    event.listen(db.sync_session, "after_commit", listener(committed))
    event.listen(db.sync_session, "after_rollback", listener(rolled_back))


def _remove(data_dir: Path, name: str | None) -> None:
    if name and ASSET_NAME.fullmatch(name):
        (asset_dir(data_dir) / name).unlink(missing_ok=True)


async def get(db: AsyncSession) -> Branding:
    """The brand: the stored row, or the defaults (not stored) when there is none."""
    return await repository.get(db) or Branding(**DEFAULTS)


async def _row_for_update(db: AsyncSession) -> Branding:
    row = await repository.get(db, for_update=True)
    if row is None:
        row = Branding(id=1, **DEFAULTS)
        db.add(row)
    return row


async def update(db: AsyncSession, data: BrandingUpdate) -> Branding:
    row = await _row_for_update(db)
    for field, value in data.model_dump().items():
        setattr(row, field, value)
    await db.flush()
    log.info("branding.updated")
    return row


def _swap_file(
    db: AsyncSession, data_dir: Path, row: Branding, kind: ImageKind, new: str | None
) -> None:
    """Point the row's ``kind`` at ``new``; the old file goes when that commits."""
    old = row.logo_file if kind == "logo" else row.favicon_file
    if kind == "logo":
        row.logo_file = new
    else:
        row.favicon_file = new
    _after_transaction(db, committed=lambda: _remove(data_dir, old))


async def store_image(db: AsyncSession, data_dir: Path, kind: ImageKind, data: bytes) -> Branding:
    """Check and clean the upload, write it under a random name and point the brand at it."""
    image = clean_image(data, kind)
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
    _after_transaction(db, rolled_back=lambda: _remove(data_dir, name))
    row = await _row_for_update(db)
    _swap_file(db, data_dir, row, kind, name)
    await db.flush()
    log.info("branding.image_stored", kind=kind, width=image.width, height=image.height)
    return row


async def remove_image(db: AsyncSession, data_dir: Path, kind: ImageKind) -> Branding:
    row = await _row_for_update(db)
    _swap_file(db, data_dir, row, kind, None)
    await db.flush()
    return row


async def reset(db: AsyncSession, data_dir: Path) -> Branding:
    row = await repository.get(db, for_update=True)
    if row is not None:
        kinds: tuple[ImageKind, ...] = ("logo", "favicon")
        for kind in kinds:
            _swap_file(db, data_dir, row, kind, None)
        await db.delete(row)
        await db.flush()
    return Branding(**DEFAULTS)

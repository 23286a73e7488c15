"""Checking and cleaning uploaded images (pure: bytes in, bytes out).

Accepted: PNG, JPEG and WebP, recognised by their content (Pillow), never by
file name or declared type. Everything is re-encoded from the decoded pixels,
which drops metadata (EXIF, text chunks, ICC profiles) and anything hidden
after the image data; large images are scaled down. SVG is refused: it can
carry script, and we do not ship a sanitiser.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

from PIL import Image, UnidentifiedImageError

from power_portal.core.errors import PortalError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SOURCE_PIXELS = 4096 * 4096
MAX_EDGE = {"logo": 1024, "favicon": 256}
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = dict(FORMATS.values())

ImageKind = Literal["logo", "favicon"]


class ImageRejectedError(PortalError):
    """Not an image we take; ``status_code`` says why (413 too large, 415 type, 422 pixels)."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    extension: str
    content_type: str
    width: int
    height: int


def clean_image(data: bytes, kind: ImageKind) -> CleanImage:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRejectedError(
            f"the file is over {MAX_UPLOAD_BYTES // 1024 // 1024} MB", status_code=413
        )
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:512].lower():
        raise ImageRejectedError(
            "SVG is not accepted: upload a PNG, JPEG or WebP image", status_code=415
        )
    try:
        with Image.open(io.BytesIO(data)) as source:
            if source.format not in FORMATS:
                raise ImageRejectedError(
                    f"{source.format} images are not accepted: upload a PNG, JPEG or WebP image",
                    status_code=415,
                )
            width, height = source.size
            if width * height > MAX_SOURCE_PIXELS:
                raise ImageRejectedError(
                    f"the image is {width}x{height} pixels; at most "
                    f"{MAX_SOURCE_PIXELS:,} pixels are accepted",
                    status_code=422,
                )
            fmt = source.format
            source.load()
            image = source.copy()
    except ImageRejectedError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ImageRejectedError(
            "the file is not a PNG, JPEG or WebP image", status_code=415
        ) from exc
    image.info = {}  # no metadata survives
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if fmt in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    edge = MAX_EDGE[kind]
    image.thumbnail((edge, edge))
    extension, content_type = FORMATS[fmt]
    out = io.BytesIO()
    save_options: dict[str, object] = {"optimize": True} if fmt != "WEBP" else {"quality": 90}
    if fmt == "JPEG":
        save_options["quality"] = 90
    image.save(out, format=fmt, **save_options)
    return CleanImage(out.getvalue(), extension, content_type, image.width, image.height)

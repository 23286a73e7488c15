"""Encryption of stored secrets (the SMTP password, webhook secrets) with Fernet.

- ``SecretBox``: ``encrypt``/``decrypt`` text; ``decrypt`` raises ``SecretUnreadable`` when
  the key changed (the message says so and never holds the secret or the token).
- ``SecretBox.from_key_material``: any string stretched (HKDF-SHA256, fixed label) to a key.
- ``secret_box(secret_key, data_dir)``: the portal's box: ``PORTAL_SECRET_KEY`` when set,
  else the data directory's ``secret.key``, made on first use (0600, race-safe).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import os
import secrets
from pathlib import Path

import structlog
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = structlog.get_logger(__name__)

KEY_FILE_NAME = "secret.key"
HKDF_INFO = b"power-portal stored secrets v1"
KEY_FILE_BYTES = 32


class SecretUnreadable(ValueError):  # noqa: N818 - the name callers catch
    """A stored secret cannot be decrypted with this key: the key changed since it was saved."""


UNREADABLE_MESSAGE = (
    "a stored secret cannot be decrypted: the encryption key changed since it was saved "
    "(PORTAL_SECRET_KEY differs, or the data directory's secret.key was replaced); "
    "save the secret again"
)


class SecretBox:
    """Encrypts and decrypts short texts with one Fernet key (AES-128-CBC + HMAC-SHA256)."""

    def __init__(self, fernet_key: bytes) -> None:
        self._fernet = Fernet(fernet_key)

    @classmethod
    def from_key_material(cls, material: str) -> SecretBox:
        """A box whose key is ``material`` (any non-empty string) stretched with HKDF-SHA256."""
        if not material:
            raise ValueError("the key material is empty")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
            material.encode()
        )
        return cls(base64.urlsafe_b64encode(derived))

    def encrypt(self, plaintext: str) -> str:
        """The token (URL-safe base64 text) that stores ``plaintext``."""
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text stored in ``token``; ``SecretUnreadable`` when this key did not make it."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except (InvalidToken, UnicodeError, ValueError, TypeError):
            raise SecretUnreadable(UNREADABLE_MESSAGE) from None

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"


def _write_new_key_file(path: Path) -> None:
    """Create ``path`` holding a fresh random key, unless it exists (then leave it be).

    The key is written to a private temporary file first and linked into place, so the file
    is either absent or complete; a racer that loses (``FileExistsError``) reads the winner's.
    """
    material = base64.urlsafe_b64encode(secrets.token_bytes(KEY_FILE_BYTES))
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(material + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return
        except OSError:
            # A file system without hard links: create the file itself exclusively.
            _write_exclusively(path, material)
            return
        log.info("secret key file created", path=str(path))
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _write_exclusively(path: Path, material: bytes) -> None:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(material + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    log.info("secret key file created", path=str(path))


def key_file_material(path: Path) -> str:
    """The key material in ``path``, creating the file (mode 0600) on first use.

    Safe against concurrent callers (threads or processes): exactly one creates the file,
    every caller gets its content.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _write_new_key_file(path)
    material = path.read_text().strip()
    if not material:
        raise RuntimeError(f"the secret key file {path} is empty: remove it or restore it")
    return material


@functools.lru_cache(maxsize=16)
def _cached_box(secret_key: str | None, data_dir: str) -> SecretBox:
    if secret_key:
        return SecretBox.from_key_material(secret_key)
    return SecretBox.from_key_material(key_file_material(Path(data_dir) / KEY_FILE_NAME))


def secret_box(secret_key: str | None, data_dir: Path) -> SecretBox:
    """The box for stored secrets: ``secret_key`` (``PORTAL_SECRET_KEY``) when set and not
    empty, else the key file ``data_dir / "secret.key"`` (created on first use).

    Cached per (key, directory); ``forget_secret_boxes()`` empties the cache.
    """
    return _cached_box(secret_key or None, str(data_dir.expanduser().resolve()))


def forget_secret_boxes() -> None:
    """Empty ``secret_box``'s cache (tests; after the key file was replaced)."""
    _cached_box.cache_clear()

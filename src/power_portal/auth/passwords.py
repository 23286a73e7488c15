"""Password hashing with Argon2 (pwdlib), off the event loop."""

from __future__ import annotations

import secrets
from functools import lru_cache

from anyio import to_thread
from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(_hasher.hash, password)


async def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one should be upgraded)."""
    return await to_thread.run_sync(_hasher.verify_and_update, password, password_hash)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


async def burn_verification_time(password: str) -> None:
    """Spend as long as a real verification, so unknown e-mails cost the same time."""
    decoy = await to_thread.run_sync(_decoy_hash)
    await to_thread.run_sync(_hasher.verify, password, decoy)


def generate_password() -> str:
    return secrets.token_urlsafe(15)

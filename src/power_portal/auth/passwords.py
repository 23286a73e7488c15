"""Password hashing with Argon2 (pwdlib), off the event loop, a bounded number at a time."""

from __future__ import annotations

import asyncio
import math
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
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


class VerificationsBusyError(Exception):
    """Every verification slot stayed taken for the whole wait."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("too many sign-ins at once")
        self.retry_after_seconds = retry_after_seconds


@dataclass
class VerificationGate:
    """At most ``limit`` Argon2 verifications at once in this process (each takes 64 MiB and
    a core for a tenth of a second); a caller waits ``wait_seconds`` at most for a slot."""

    limit: int
    wait_seconds: float
    _slots: asyncio.Semaphore | None = field(default=None, init=False)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._slots is None:  # made on first use, on the serving loop
            self._slots = asyncio.Semaphore(self.limit)
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._slots.acquire()
        except TimeoutError:
            raise VerificationsBusyError(max(1, math.ceil(self.wait_seconds))) from None
        try:
            yield
        finally:
            self._slots.release()

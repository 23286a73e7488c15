"""The ingest body limit stops reading as soon as it is passed."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import HTTPException
from starlette.requests import Request

from power_portal.core.request_checks import read_limited as _read_limited

CHUNK = b"x" * 1024


def run(coroutine: Coroutine[Any, Any, bytes]) -> bytes:
    """Run on a fresh loop in a thread (the browser tests keep a loop in the main thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def request_streaming(chunks: int, consumed: list[int], content_length: int | None) -> Request:
    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    body = iter(range(chunks))

    async def receive() -> dict[str, object]:
        try:
            next(body)
        except StopIteration:
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed.append(1)
        return {"type": "http.request", "body": CHUNK, "more_body": True}

    return Request({"type": "http", "method": "POST", "headers": headers}, receive)


def test_stops_reading_right_after_the_limit() -> None:
    consumed: list[int] = []
    request = request_streaming(10_000, consumed, content_length=None)
    with pytest.raises(HTTPException) as caught:
        run(_read_limited(request, 10 * 1024))
    assert caught.value.status_code == 413
    assert len(consumed) == 11  # 10 KiB allowed, the 11th chunk trips it; 9,989 never read


def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    consumed: list[int] = []
    request = request_streaming(100, consumed, content_length=100 * 1024)
    with pytest.raises(HTTPException) as caught:
        run(_read_limited(request, 10 * 1024))
    assert caught.value.status_code == 413
    assert consumed == []


def test_body_within_the_limit_is_read_whole() -> None:
    consumed: list[int] = []
    request = request_streaming(5, consumed, content_length=None)
    assert run(_read_limited(request, 10 * 1024)) == CHUNK * 5

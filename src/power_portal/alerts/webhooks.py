"""Signed webhook POSTs that cannot be aimed inside (docs/api/alerts.md, "Webhooks").

- ``signature``: ``sha256=`` + hex HMAC-SHA256 of ``{timestamp}.{raw body}`` with the secret;
- ``WebhookPolicy``: what a send may do (allowed ranges, https only in production, timeout,
  answer cap, redirects); ``WebhookPolicy.from_settings`` reads ``PORTAL_ALERTS__*``;
- ``resolve_checked``: the URL checked, its host resolved, every address checked
  (``WebhookRefused`` when any is refused);
- ``post_webhook``: one delivery. It connects to the address that was checked (the URL's host
  is replaced by the IP; ``Host`` and the TLS name stay the real host name, so there is no
  second resolution), follows at most ``max_redirects`` 307/308 redirects (each checked
  again), reads at most ``max_response_bytes`` of the answer and says how it went in a
  ``WebhookAnswer`` whose ``detail`` never holds the secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urljoin, urlsplit

import httpx

from power_portal.alerts.addresses import (
    IPAddress,
    IPNetwork,
    address_refusal,
    parse_allow_cidrs,
    url_refusal,
)
from power_portal.settings import Settings

DETAIL_CHARS = 200
KEPT_REDIRECTS = (307, 308)  # the redirects that repeat the POST with its body
DEFAULT_PORTS = {"http": 80, "https": 443}


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Portal-Signature`` value: ``sha256=`` + hex HMAC-SHA256 over ``{ts}.{body}``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass(frozen=True)
class WebhookPolicy:
    """What a webhook send may do.

    ``allowed``: ranges reachable although loopback/private/…; ``production``: https only;
    ``tls_context``: the CAs to trust (None: the system's; tests pass their own CA).
    """

    allowed: tuple[IPNetwork, ...]
    production: bool
    timeout_seconds: float = 5.0
    max_response_bytes: int = 65536
    max_redirects: int = 3
    tls_context: ssl.SSLContext | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookPolicy:
        """The policy of ``PORTAL_ENV`` and ``PORTAL_ALERTS__WEBHOOK_*``."""
        alerts = settings.alerts
        return cls(
            allowed=parse_allow_cidrs(alerts.webhook_allow_cidrs),
            production=settings.is_production,
            timeout_seconds=alerts.webhook_timeout_seconds,
            max_response_bytes=alerts.webhook_max_response_bytes,
        )


@dataclass(frozen=True)
class WebhookAnswer:
    """How a delivery went. ``detail``: the status and the first 200 characters of the
    answer, or the error. ``refused``: the URL or an address it reached is not allowed, a
    permanent failure (dead-letter at once)."""

    ok: bool
    status: int | None
    detail: str
    refused: bool = False


class WebhookError(Exception):
    """A delivery could not be made; the message says why (no secret in it)."""


class WebhookRefused(WebhookError):  # noqa: N818 - the name callers catch
    """The URL, or an address its host resolves to, is not allowed."""


@dataclass(frozen=True)
class CheckedTarget:
    """A URL that passed the checks, with every address its host resolved to (all allowed).

    ``url``: without fragment; ``host``: the name (or IP literal) for ``Host`` and TLS;
    ``netloc``: the ``Host`` header value.
    """

    url: str
    scheme: str
    host: str
    port: int
    netloc: str
    addresses: tuple[IPAddress, ...]


def _ascii_host(host: str) -> str:
    """``host`` as sent on the wire: an internationalised name in its IDNA (``xn--``) form."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise WebhookRefused(f"not a valid host name: {host!r}") from None


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ip_address(host)
    except ValueError:
        return None


async def _resolve(host: str, port: int, within: float) -> tuple[IPAddress, ...]:
    """The addresses ``host`` resolves to (TCP), in the resolver's order, without repeats."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(within):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise WebhookError(f"cannot resolve {host}: timed out after {within:g} s") from None
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise WebhookError(f"cannot resolve {host}: {reason}") from None
    found: dict[IPAddress, None] = {}
    for *_, sockaddr in infos:
        found.setdefault(ip_address(str(sockaddr[0]).split("%", 1)[0]), None)
    if not found:
        raise WebhookError(f"cannot resolve {host}: no address")
    return tuple(found)


async def resolve_checked(url: str, policy: WebhookPolicy) -> CheckedTarget:
    """``url`` checked, its host resolved and every address checked.

    Raises ``WebhookRefused`` when the URL or any resolved address is not allowed, and
    ``WebhookError`` when the host does not resolve.
    """
    refusal = url_refusal(url, policy.production)
    if refusal is not None:
        raise WebhookRefused(refusal)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = _ascii_host(parts.hostname or "")
    port = parts.port or DEFAULT_PORTS[scheme]
    literal = _literal_address(host)
    addresses = (literal,) if literal else await _resolve(host, port, policy.timeout_seconds)
    for address in addresses:
        reason = address_refusal(address, policy.allowed)
        if reason is not None:
            shown = host if literal else f"{host} ({address})"
            raise WebhookRefused(f"{shown} is not allowed: {reason}")
    return CheckedTarget(
        url=parts._replace(fragment="").geturl(),
        scheme=scheme,
        host=host,
        port=port,
        netloc=(f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else ""),
        addresses=addresses,
    )


@dataclass(frozen=True)
class _Reply:
    status: int
    text: str
    location: str | None


class _AnswerTooLargeError(WebhookError):
    def __init__(self, status: int, cap: int) -> None:
        size = f"{cap // 1024} kB" if cap % 1024 == 0 else f"{cap} bytes"
        super().__init__(f"{status}: answer larger than {size}")
        self.status = status


def _request_url(target: CheckedTarget, address: IPAddress) -> httpx.URL:
    """``target.url`` aimed at ``address``: same scheme, port, path and query."""
    try:
        url = httpx.URL(target.url)
    except httpx.InvalidURL:
        raise WebhookRefused("not a valid URL") from None
    return url.copy_with(scheme=target.scheme, host=str(address), port=target.port)


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _AnswerTooLargeError(response.status_code, cap)
    received = bytearray()
    async for chunk in response.aiter_raw():
        received += chunk
        if len(received) > cap:
            raise _AnswerTooLargeError(response.status_code, cap)
    return bytes(received)


def _decoded(raw: bytes, charset: str | None) -> str:
    """The answer as text in its declared charset (UTF-8 when none or an unknown one)."""
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


async def _post_once(
    client: httpx.AsyncClient,
    target: CheckedTarget,
    body: bytes,
    headers: Mapping[str, str],
    policy: WebhookPolicy,
) -> _Reply:
    """POST to the target's checked addresses in turn (the next only when one refuses the
    connection); the answer's status, text and ``Location``."""
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    for index, address in enumerate(target.addresses):
        try:
            async with client.stream(
                "POST",
                _request_url(target, address),
                content=body,
                headers={**headers, "Host": target.netloc},
                extensions=extensions,
            ) as response:
                raw = await _read_capped(response, policy.max_response_bytes)
                return _Reply(
                    status=response.status_code,
                    text=_decoded(raw, response.charset_encoding),
                    location=response.headers.get("location"),
                )
        except httpx.ConnectError:
            if index == len(target.addresses) - 1:
                raise
    raise WebhookError("no address to connect to")  # unreachable: addresses is never empty


def _answer_detail(status: int, text: str) -> str:
    return f"{status} {' '.join(text.split())[:DETAIL_CHARS]}".strip()


async def _deliver(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    policy: WebhookPolicy,
) -> WebhookAnswer:
    current = url
    for hop in range(policy.max_redirects + 1):
        try:
            target = await resolve_checked(current, policy)
        except WebhookRefused as refused:
            prefix = f"redirect to {current} refused: " if hop else ""
            raise WebhookRefused(f"{prefix}{refused}") from None
        async with asyncio.timeout(2 * policy.timeout_seconds):  # connect + read, in all
            reply = await _post_once(client, target, body, headers, policy)
        if 200 <= reply.status < 300:
            return WebhookAnswer(True, reply.status, _answer_detail(reply.status, reply.text))
        if reply.status in KEPT_REDIRECTS and reply.location:
            if hop == policy.max_redirects:
                return WebhookAnswer(
                    False, reply.status, f"{reply.status}: more than {hop} redirects"
                )
            current = urljoin(current, reply.location)
            continue
        if 300 <= reply.status < 400:
            why = (
                "only 307 and 308 repeat the POST"
                if reply.status not in KEPT_REDIRECTS
                else "no Location"
            )
            where = f" to {reply.location}" if reply.location else ""
            return WebhookAnswer(
                False, reply.status, f"{reply.status} redirect{where} not followed: {why}"
            )
        return WebhookAnswer(False, reply.status, _answer_detail(reply.status, reply.text))
    raise AssertionError("unreachable: the loop returns")


def _without(secret: str, text: str) -> str:
    return text.replace(secret, "***") if secret else text


async def post_webhook(
    url: str,
    body: bytes,
    *,
    secret: str,
    delivery_key: str,
    policy: WebhookPolicy,
    timestamp: int | None = None,
) -> WebhookAnswer:
    """POST ``body`` (JSON) to ``url``, signed with ``secret``; never raises for the
    receiver's sake: every outcome is a ``WebhookAnswer``."""
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "power-portal",
        "Accept-Encoding": "identity",  # the cap counts the bytes we hold, not a zip bomb
        "X-Portal-Delivery": delivery_key,
        "X-Portal-Timestamp": str(stamp),
        "X-Portal-Signature": signature(secret, stamp, body),
    }
    timeout = policy.timeout_seconds
    try:
        async with httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout),
            verify=policy.tls_context or True,
            # No connection outlives its request: a TLS session verified for one name is
            # never reused for another name on the same address.
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as client:
            answer = await _deliver(client, url, body, headers, policy)
    except WebhookRefused as refused:
        answer = WebhookAnswer(False, None, str(refused), refused=True)
    except _AnswerTooLargeError as large:
        answer = WebhookAnswer(False, large.status, str(large))
    except WebhookError as error:
        answer = WebhookAnswer(False, None, str(error))
    except (httpx.TimeoutException, TimeoutError):
        answer = WebhookAnswer(False, None, f"no answer within {timeout:g} s")
    except httpx.HTTPError as error:
        answer = WebhookAnswer(False, None, f"{type(error).__name__}: {error}")
    return WebhookAnswer(answer.ok, answer.status, _without(secret, answer.detail), answer.refused)

"""Where a webhook may point: pure checks (no I/O) that keep webhooks from being aimed inside.

- ``parse_allow_cidrs``: the operator's allowed ranges (``PORTAL_ALERTS__WEBHOOK_ALLOW_CIDRS``);
- ``address_refusal``: why an IP address may not be reached (loopback, private, link-local,
  shared, unspecified, multicast, reserved, and the same inside IPv4-mapped, 6to4 and NAT64
  IPv6 addresses), or None when it may; an allowed range always wins;
- ``url_refusal``: why a URL may not be used at all (scheme, credentials, host, port), or None.

The caller resolves the host and checks every address with ``address_refusal`` (docs/api/
alerts.md, "Webhooks").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    ip_network,
)
from urllib.parse import urlsplit

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

SHARED_ADDRESS_SPACE = IPv4Network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
PRIVATE_IPV4 = (
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
)
UNIQUE_LOCAL_IPV6 = IPv6Network("fc00::/7")
NAT64_PREFIX = IPv6Network("64:ff9b::/96")  # RFC 6052: an IPv4 address in the last 32 bits
SCHEMES = ("http", "https")
_SEPARATORS = re.compile(r"[\s,]+")
_UNSAFE_URL_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")


def parse_allow_cidrs(text: str) -> tuple[IPNetwork, ...]:
    """The ranges in ``text`` (comma- or space-separated, e.g. ``"127.0.0.1/32, ::1"``).

    A bare address is its own range (/32, /128); host bits are masked off. ``ValueError``
    names the first entry that is no range.
    """
    networks: list[IPNetwork] = []
    for entry in _SEPARATORS.split(text.strip()):
        if not entry:
            continue
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"not an address range: {entry!r}") from None
    return tuple(networks)


def _in_any(address: IPAddress, allowed: Iterable[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in allowed)


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries to its destination (mapped, 6to4, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_PREFIX:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _own_refusal(address: IPAddress) -> str | None:
    """Why ``address`` itself (not what it embeds) is not a public destination."""
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local (cloud metadata)"
    if isinstance(address, IPv4Address) and address in SHARED_ADDRESS_SPACE:
        return "shared address space"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, IPv4Address) and any(address in net for net in PRIVATE_IPV4):
        return "private"
    if isinstance(address, IPv6Address) and address in UNIQUE_LOCAL_IPV6:
        return "private"
    if isinstance(address, IPv6Address) and address.is_site_local:
        return "site-local"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "reserved (special-purpose range)"
    return None


def address_refusal(address: IPAddress, allowed: Iterable[IPNetwork] = ()) -> str | None:
    """Why a webhook may not connect to ``address`` (e.g. ``"loopback"``), or None.

    An address inside one of ``allowed`` is always accepted. An IPv6 address that carries
    an IPv4 destination (IPv4-mapped, 6to4, NAT64) is judged by that IPv4 address.
    """
    allowed = tuple(allowed)
    if _in_any(address, allowed):
        return None
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return None if _in_any(embedded, allowed) else _own_refusal(embedded)
    return _own_refusal(address)


def url_refusal(url: str, production: bool) -> str | None:
    """Why ``url`` may not be a webhook's address, or None (its host is checked later).

    Only ``http``/``https`` (``https`` alone in production), no user name or password, a
    host, a valid port, no spaces or control characters. A fragment is allowed (never sent).
    """
    if _UNSAFE_URL_CHARACTERS.search(url):
        return "the URL holds spaces, backslashes or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a valid URL"
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        return "only http and https URLs are accepted"
    if production and scheme != "https":
        return "only https URLs are accepted in production"
    if "@" in parts.netloc:
        return "credentials in the URL are not accepted"
    if not parts.hostname:
        return "the URL has no host"
    if port == 0:
        return "not a valid port"
    return None

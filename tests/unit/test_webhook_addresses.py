"""Where webhooks may point: allowed ranges, refused addresses and refused URLs (tables)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

import pytest

from power_portal.alerts.addresses import address_refusal, parse_allow_cidrs, url_refusal

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.1.2.3", "loopback"),
    ("::1", "loopback"),
    ("10.0.0.5", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("169.254.169.254", "link-local (cloud metadata)"),
    ("fe80::1", "link-local (cloud metadata)"),
    ("100.64.0.1", "shared address space"),
    ("100.127.255.254", "shared address space"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("fec0::1", "site-local"),
    ("192.0.2.10", "reserved (special-purpose range)"),  # documentation
    ("198.18.0.1", "reserved (special-purpose range)"),  # benchmarking
    ("0.1.2.3", "reserved (special-purpose range)"),  # "this network"
    ("2001:db8::1", "reserved (special-purpose range)"),  # documentation
    # IPv6 addresses that carry an IPv4 destination are judged by it.
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.1.2.3", "private"),
    ("::ffff:169.254.169.254", "link-local (cloud metadata)"),
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::1", "link-local (cloud metadata)"),  # 6to4 of 169.254.169.254
    ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
    ("::127.0.0.1", "reserved"),  # IPv4-compatible (deprecated)
]

ACCEPTED = [
    "8.8.8.8",
    "1.1.1.1",
    "203.0.114.1",
    "172.32.0.1",  # just past 172.16/12
    "100.128.0.1",  # just past 100.64/10
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_inside_addresses_are_refused_with_a_reason(address: str, reason: str) -> None:
    assert address_refusal(ip_address(address), ()) == reason


@pytest.mark.parametrize("address", ACCEPTED)
def test_public_addresses_are_accepted(address: str) -> None:
    assert address_refusal(ip_address(address), ()) is None


@pytest.mark.parametrize(
    ("address", "allowed", "expected"),
    [
        ("127.0.0.1", "127.0.0.1/32", None),
        ("127.0.0.2", "127.0.0.1/32", "loopback"),
        ("::ffff:127.0.0.1", "127.0.0.1/32", None),
        ("10.1.2.3", "10.0.0.0/8", None),
        ("10.1.2.3", "10.0.0.0/16", "private"),
        ("192.168.1.1", "10.0.0.0/8, 192.168.0.0/16", None),
        ("::1", "127.0.0.1/32", "loopback"),
        ("::1", "::1/128", None),
        ("fd00::5", "fd00::/8", None),
        ("169.254.169.254", "127.0.0.0/8", "link-local (cloud metadata)"),
    ],
)
def test_an_allowed_range_wins(address: str, allowed: str, expected: str | None) -> None:
    assert address_refusal(ip_address(address), parse_allow_cidrs(allowed)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("   ", ()),
        ("127.0.0.1/32", (IPv4Network("127.0.0.1/32"),)),
        ("127.0.0.1", (IPv4Network("127.0.0.1/32"),)),
        ("10.0.0.0/8,192.168.0.0/16", (ip_network("10.0.0.0/8"), ip_network("192.168.0.0/16"))),
        (" 10.0.0.0/8 ,  ::1 ", (ip_network("10.0.0.0/8"), IPv6Network("::1/128"))),
        ("10.0.0.0/8 fd00::/8", (ip_network("10.0.0.0/8"), ip_network("fd00::/8"))),
        ("10.1.2.3/8", (ip_network("10.0.0.0/8"),)),  # host bits masked off
    ],
)
def test_allow_lists_parse(text: str, expected: tuple[object, ...]) -> None:
    assert parse_allow_cidrs(text) == expected


@pytest.mark.parametrize(
    ("text", "bad"), [("10.0.0.0/33", "10.0.0.0/33"), ("127.0.0.1/32, localhost", "localhost")]
)
def test_a_bad_allow_entry_is_named(text: str, bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        parse_allow_cidrs(text)


@pytest.mark.parametrize(
    ("url", "production", "expected"),
    [
        ("https://hooks.example.com/x", True, None),
        ("https://hooks.example.com:8443/x?y=1", True, None),
        ("http://hooks.example.com/x", False, None),
        ("HTTPS://Hooks.Example.com/x", True, None),
        ("https://hooks.example.com/x#fragment", True, None),
        ("http://127.0.0.1:8080/x", False, None),  # the address is checked after resolution
        ("http://[::1]:8080/x", False, None),
        ("http://hooks.example.com/x", True, "only https URLs are accepted in production"),
        ("ftp://hooks.example.com/x", False, "only http and https URLs are accepted"),
        ("file:///etc/passwd", False, "only http and https URLs are accepted"),
        ("gopher://hooks.example.com/", False, "only http and https URLs are accepted"),
        ("hooks.example.com/x", False, "only http and https URLs are accepted"),
        ("https://user:pw@hooks.example.com/", True, "credentials in the URL are not accepted"),
        ("https://user@hooks.example.com/", True, "credentials in the URL are not accepted"),
        ("https:///x", True, "the URL has no host"),
        ("https://:443/x", True, "the URL has no host"),
        ("https://hooks.example.com:99999/", True, "not a valid URL"),
        ("https://hooks.example.com:port/", True, "not a valid URL"),
        ("https://hooks.example.com:0/", True, "not a valid port"),
        ("https://[::1/", True, "not a valid URL"),
        (
            "https://hooks.example.com/a b",
            True,
            "the URL holds spaces, backslashes or control characters",
        ),
        (
            "https://evil.example\\@127.0.0.1/",
            True,
            "the URL holds spaces, backslashes or control characters",
        ),
        (
            "https://hooks.example.com/\r\nX: y",
            True,
            "the URL holds spaces, backslashes or control characters",
        ),
    ],
)
def test_urls(url: str, production: bool, expected: str | None) -> None:
    assert url_refusal(url, production) == expected

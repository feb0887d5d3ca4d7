"""Where webhooks may point: http(s) only, and never into the host's own networks unless the
operator allows it (COLLOQUY_WEBHOOK_ALLOW_PRIVATE), so that a subscription cannot be used to
reach services behind the firewall.

The URL is judged when subscribing; for each connection a delivery makes, the name is resolved
once, every address it resolves to is judged, and the connection goes to one of those addresses
(`connect`): a name cannot answer the check with one address and the connection with another
(DNS rebinding)."""

import asyncio
import ipaddress
import socket
import ssl
from contextlib import suppress
from urllib.parse import urlsplit

from app.proxies import Address

# Well-known NAT64 (RFC 6052): the IPv4 address is the last 32 bits.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Local-use NAT64 (RFC 8215): where the IPv4 address sits is the network's own choice, and the
# prefix is not globally reachable, so it is refused whatever it seems to carry.
LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


class RefusedTarget(Exception):
    """The target's name resolves to an address webhooks may not reach."""


def _carried_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: IPv4-mapped and -compatible, NAT64, 6to4,
    Teredo (its server and its client)."""
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if int(ip) >> 32 == 0:  # IPv4-compatible, ::/96 (:: and ::1 included)
        return [ipaddress.IPv4Address(int(ip))]
    if ip in NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip.teredo:
        return list(ip.teredo)
    return []


def _private_ip(ip: Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return True
        if carried := _carried_ipv4(ip):
            return any(_private_ip(v4) for v4 in carried)
    return not ip.is_global or ip.is_multicast


def _private(address: str) -> bool:
    return _private_ip(ipaddress.ip_address(address))


def refusal(url: str, allow_private: bool) -> str | None:
    """Why `url` may not be a target, judged from the URL alone; None if it may."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "the target must be an http(s) URL with a host"
    if allow_private:
        return None
    host = parts.hostname.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback targets are not allowed"
    try:
        if _private(host):
            return "private, loopback and link-local addresses are not allowed"
    except ValueError:
        pass  # a name: checked when it is resolved, at each delivery
    return None


def origin(url: str) -> str:
    """scheme://host[:port] of `url`, for logs: its userinfo, path and query may be secrets."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(not a valid URL)"
    host = parts.hostname or ""
    return f"{parts.scheme}://{f'[{host}]' if ':' in host else host}{port}"


async def checked_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to now, if none is private; else RefusedTarget. A name
    that does not resolve raises OSError: that may pass, so the delivery is tried again."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if any(_private(address) for address in addresses):
        raise RefusedTarget("the host resolves to a private or loopback address")
    return addresses


async def connect(
    host: str, port: int, tls: ssl.SSLContext | None, checked: bool
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to `host`: with `checked`, to one of the addresses `checked_addresses`
    passed (the first that answers), so that the address judged is the address connected to.
    TLS is verified against the name, whatever the address."""
    *others, last = await checked_addresses(host, port) if checked else [host]
    server_hostname = host if tls else None
    for address in others:
        with suppress(OSError):
            return await asyncio.open_connection(
                address, port, ssl=tls, server_hostname=server_hostname
            )
    return await asyncio.open_connection(last, port, ssl=tls, server_hostname=server_hostname)

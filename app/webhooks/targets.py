"""Where webhooks may point: http(s) only, and never into the host's own networks unless the
operator allows it (COLLOQUY_WEBHOOK_ALLOW_PRIVATE), so that a subscription cannot be used to
reach services behind the firewall."""

import asyncio
import ipaddress
from urllib.parse import urlsplit


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


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


async def resolved_refusal(url: str, allow_private: bool) -> str | None:
    """As `refusal`, and also for every address the host name resolves to now. A name that
    does not resolve raises OSError: that may pass, so the delivery is tried again."""
    if (reason := refusal(url, allow_private)) or allow_private:
        return reason
    parts = urlsplit(url)
    infos = await asyncio.get_running_loop().getaddrinfo(
        parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    )
    if any(_private(str(info[4][0])) for info in infos):
        return "the host resolves to a private or loopback address"
    return None

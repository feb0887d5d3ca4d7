"""Who the client is, when reverse proxies or a CDN stand between it and us.

Forwarded (RFC 7239) and X-Forwarded-For are believed only from peers in
COLLOQUY_TRUSTED_PROXIES; anyone else could write any address there. The hops are read from
the right, the one nearest us, skipping the trusted proxies: the first other address is the
client. An IPv6 client is its /64, the block one subscriber usually gets, so that walking
through its addresses does not make a new client each time.
"""

import ipaddress
from collections.abc import Iterable
from typing import Any

from litestar import Request
from litestar.di import NamedDependency

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TrustedProxies:
    def __init__(self, cidrs: Iterable[str]) -> None:
        """Raises ValueError naming a block that is not a CIDR (or a single address)."""
        self.networks: list[Network] = [ipaddress.ip_network(c, strict=False) for c in cidrs]

    def trusts(self, address: Address) -> bool:
        return any(address in network for network in self.networks)

    def trusts_peer(self, peer: str) -> bool:
        address = _address(peer)
        return address is not None and self.trusts(address)

    def client(self, peer: str | None, headers: Iterable[tuple[bytes, bytes]]) -> str:
        """The client as one key: an IPv4 address, an IPv6 /64, or "unknown"."""
        address = self._resolve(peer, headers)
        return "unknown" if address is None else _client_key(address)

    def address(self, peer: str | None, headers: Iterable[tuple[bytes, bytes]]) -> str:
        """The client's own address (for logs), or "unknown". Without trusted proxies it is
        the peer as the server gave it, unparsed: this is on the path of every request."""
        if not self.networks:
            return peer or "unknown"
        return str(self._resolve(peer, headers) or "unknown")

    def _resolve(self, peer: str | None, headers: Iterable[tuple[bytes, bytes]]) -> Address | None:
        address = _address(peer)
        if address is None or not (self.networks and self.trusts(address)):
            return address
        for hop in reversed(_forwarded_hops(headers)):
            hop_address = _address(hop)
            if hop_address is None:
                break  # "unknown" or an obfuscated name: the chain says no more
            address = hop_address
            if not self.trusts(address):
                break
        return address


def _address(text: str | None) -> Address | None:
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _client_key(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _forwarded_hops(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    """The client addresses the proxies wrote, nearest last; Forwarded wins over XFF."""
    forwarded: list[str] = []
    x_forwarded_for: list[str] = []
    for name, value in headers:
        match name.lower():
            case b"forwarded":
                forwarded += _forwarded_for(value.decode("latin-1"))
            case b"x-forwarded-for":
                x_forwarded_for += [h.strip() for h in value.decode("latin-1").split(",")]
    return forwarded or x_forwarded_for


def _forwarded_for(value: str) -> list[str]:
    """`for=` of each element: `for=192.0.2.1`, `for="[2001:db8::1]:4711"`, `for=unknown`."""
    hops = []
    for element in value.split(","):
        for pair in element.split(";"):
            name, _, node = pair.strip().partition("=")
            if name.strip().lower() == "for":
                hops.append(_node_address(node.strip().strip('"')))
    return hops


def _node_address(node: str) -> str:
    if node.startswith("["):  # [v6]:port
        return node[1:].partition("]")[0]
    if node.count(":") == 1:  # v4:port
        return node.partition(":")[0]
    return node


def provide_client(request: Request[Any, Any, Any]) -> str:
    proxies: TrustedProxies = request.app.state.proxies
    peer = request.client.host if request.client else None
    return proxies.client(peer, request.scope["headers"])


ClientAddress = NamedDependency[str]
"""A handler parameter `client: ClientAddress` gets the client's address (see above)."""

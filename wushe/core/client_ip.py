"""The address of the client that sent a request, for rate limits and sign-in throttling.

Behind a TLS proxy ``REMOTE_ADDR`` is the proxy's. ``WUSHE_TRUSTED_PROXIES`` lists the proxies'
networks (CIDR): when the peer is one of them, the client is the right-most address of
``X-Forwarded-For`` that is not (each trusted proxy appends the peer it saw; anything to the
left of the first untrusted address was written by the client and may be forged). With the
setting empty, ``X-Forwarded-For`` is ignored.

``counted_as`` is what rate limits count: an IPv6 client by its /64, the block one household
or phone is given, from which it can pick any address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "WUSHE_TRUSTED_PROXIES", ()) or ()))


def _parse(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # "::ffff:10.0.0.1" is 10.0.0.1
    return mapped or address


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: Any) -> str:
    """The client's address as text; "unknown" when the peer gave none."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_networks()
    peer = _parse(remote)
    if peer is None:
        return remote or "unknown"
    if not networks or not _trusted(peer, networks):
        return str(peer)
    closest = peer
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a trusted proxy wrote no address here: go by the nearest one known
        if not _trusted(address, networks):
            return str(address)
        closest = address
    return str(closest)


def counted_as(address: str) -> str:
    """The key a rate limit counts ``address`` under: itself, or its /64 for IPv6."""
    parsed = _parse(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return address

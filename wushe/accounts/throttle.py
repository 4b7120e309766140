"""Sign-in throttling. Failures are counted three ways and any count at its cap pauses the
sign-ins it covers for a while:

- a user name from one client address (5): stops one guesser on one account at once;
- one client address (30): stops one guesser spraying many accounts;
- a user name from any address (50): stops guessing spread over many addresses.

No single address can lock another address out: it reaches its own caps (5 per account, 30 in
all) long before an account's 50. The address is the client's (``wushe.core.client_ip``), not
the proxy's; an IPv6 client counts by its /64. Counts live in the cache (Redis in production),
so every web process sees the same counts."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from wushe.core.client_ip import counted_as
from wushe.core.windowed_counts import any_at_limit, count_once

MAX_PER_USERNAME_AT_ADDRESS = 5
MAX_PER_ADDRESS = 30
MAX_PER_USERNAME = 50
WINDOW_S = 15 * 60


def _key(kind: str, *values: str) -> str:
    text = "\x00".join(v.strip().lower() for v in values)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return f"wushe:login-failures:{kind}:{digest}"


def _limits(username: str, address: str) -> dict[str, int]:
    address = counted_as(address)
    return {
        _key("user-addr", username, address): MAX_PER_USERNAME_AT_ADDRESS,
        _key("addr", address): MAX_PER_ADDRESS,
        _key("user", username): MAX_PER_USERNAME,
    }


def is_locked(*, username: str, address: str) -> bool:
    return any_at_limit(_limits(username, address))


def record_failure(*, username: str, address: str) -> None:
    for key in _limits(username, address):
        count_once(key, WINDOW_S)


def clear(*, username: str, address: str) -> None:
    """After a successful sign-in: that user's failures from that address are forgotten (the
    account's count from everywhere runs out with its window)."""
    cache.delete(_key("user-addr", username, counted_as(address)))

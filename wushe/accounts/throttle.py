"""Sign-in throttling: after too many failed attempts for one user name, or from one address,
sign-in pauses for a while. Counts live in the cache (Redis in production), so every web
process sees the same counts."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

MAX_PER_USERNAME = 5
MAX_PER_ADDRESS = 30
WINDOW_S = 15 * 60


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"wushe:login-failures:{kind}:{digest}"


def is_locked(*, username: str, address: str) -> bool:
    counts = cache.get_many([_key("user", username), _key("addr", address)])
    return (
        counts.get(_key("user", username), 0) >= MAX_PER_USERNAME
        or counts.get(_key("addr", address), 0) >= MAX_PER_ADDRESS
    )


def record_failure(*, username: str, address: str) -> None:
    for key in (_key("user", username), _key("addr", address)):
        cache.add(key, 0, WINDOW_S)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_S)


def clear(*, username: str) -> None:
    cache.delete(_key("user", username))

"""Counts that live for a window in the shared cache (Redis in production, so every web process
sees the same counts): sign-in failures, public-form requests, whole-number searches."""

from __future__ import annotations

from django.core.cache import cache


def count_once(key: str, window_s: int) -> int:
    """Add one to ``key``'s count (started when it was first counted, kept ``window_s``
    seconds); the count now."""
    cache.add(key, 0, window_s)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_s)
        return 1


def any_at_limit(limits: dict[str, int]) -> bool:
    """Whether any key of ``limits`` (key -> limit) has reached its limit."""
    counts = cache.get_many(list(limits))
    return any(int(counts.get(key, 0)) >= limit for key, limit in limits.items())

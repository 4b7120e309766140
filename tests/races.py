"""Race tests: real concurrent writers, one database connection per thread. Only PostgreSQL
races (SQLite serialises writers), so these tests are skipped elsewhere and marked slow."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection, connections

POSTGRES_RACE = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a real race needs concurrent writers: run with DATABASE_URL=postgres://…",
    ),
]


def run_at_once(calls: Sequence[Callable[[], Any]], *, timeout: float = 30) -> list[Any]:
    """Start every call in its own thread, release them together (a barrier) and return what
    each returned, or the exception it raised, in the order given. Each thread closes its
    own database connections."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the race's loser is what the test reads
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results

"""Entry points of the import's worker processes. Kept free of model imports at module level:
a spawned worker unpickles these names before Django is set up."""

from __future__ import annotations

from typing import Any


def init_worker() -> None:
    """Worker-process start: Django settings (keys) and apps; no database use."""
    import django

    django.setup()


def run_batch(rows: list[Any], **options: Any) -> Any:
    from wushe.residents.preparing import prepare_batch

    return prepare_batch(rows, **options)

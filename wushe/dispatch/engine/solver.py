"""Batch dispatch entry point :func:`solve` (placeholder: construction only)."""

from __future__ import annotations

from typing import Any

from wushe.dispatch.engine.construct import cheapest_insertion
from wushe.dispatch.engine.problem import validate_instance
from wushe.dispatch.engine.solution import to_document


def solve(instance: dict[str, Any], time_limit_s: float, seed: int = 0) -> dict[str, Any]:
    problem = validate_instance(instance)
    return to_document(problem, cheapest_insertion(problem).routes)

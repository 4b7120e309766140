"""Conversion between solution documents and internal routes (task indices per volunteer)."""

from __future__ import annotations

from typing import Any

from wushe.dispatch.engine.errors import SolutionError
from wushe.dispatch.engine.problem import Problem

SOLUTION_FORMAT = "wushe-dispatch-solution/1"

Routes = list[list[int]]


def to_document(problem: Problem, routes: Routes) -> dict[str, Any]:
    """Solution document: one route per volunteer with tasks, the rest unassigned."""
    served = {t for r in routes for t in r}
    return {
        "format": SOLUTION_FORMAT,
        "routes": [
            {"volunteer": problem.vol_ids[v], "tasks": [problem.task_ids[t] for t in r]}
            for v, r in enumerate(routes)
            if r
        ],
        "unassigned": [tid for t, tid in enumerate(problem.task_ids) if t not in served],
    }


def from_document(problem: Problem, solution: dict[str, Any]) -> Routes:
    """Routes (task indices per volunteer index) of a solution document."""
    routes: Routes = [[] for _ in range(problem.n_vols)]
    if not isinstance(solution, dict) or not isinstance(solution.get("routes", []), list):
        raise SolutionError("solution: expected an object with a list of routes")
    for route in solution.get("routes", []):
        vid = route.get("volunteer") if isinstance(route, dict) else None
        if vid not in problem.vol_index:
            raise SolutionError(f"unknown volunteer {vid!r}")
        for tid in route.get("tasks", []):
            if tid not in problem.task_index:
                raise SolutionError(f"unknown task {tid!r}")
            routes[problem.vol_index[vid]].append(problem.task_index[tid])
    return routes

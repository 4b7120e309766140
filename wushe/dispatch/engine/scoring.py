"""Solution scoring with the hard rules of ``shared/dispatch/check.py``.

:func:`score` returns ``{"priority", "assigned", "travel_s", "routes"}`` or raises
:class:`SolutionError` with the first violated rule. It is an independent implementation
of the same rules; on top of them it rejects a volunteer that has two routes (the shared
checker would let each copy start its shift afresh).
"""

from __future__ import annotations

from typing import Any

from wushe.dispatch.engine.errors import SolutionError
from wushe.dispatch.engine.problem import Problem, validate_instance


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _route_list(solution: object) -> list[dict[str, Any]]:
    if not isinstance(solution, dict):
        raise SolutionError("solution: expected an object")
    routes = solution.get("routes", [])
    if not isinstance(routes, list) or not all(isinstance(r, dict) for r in routes):
        raise SolutionError("routes: expected a list of {volunteer, tasks} objects")
    return routes


def score_problem(problem: Problem, solution: dict[str, Any]) -> dict[str, int]:
    """Score ``solution`` against an already validated problem."""
    routes = _route_list(solution)
    served: set[str] = set()
    used_vols: set[str] = set()
    priority = assigned = travel_total = n_routes = 0
    for route in routes:
        vid = route.get("volunteer")
        v = problem.vol_index.get(vid) if isinstance(vid, str) else None
        if v is None or not isinstance(vid, str):
            raise SolutionError(f"unknown volunteer {vid!r}")
        if vid in used_vols:
            raise SolutionError(f"volunteer {vid} has more than one route")
        used_vols.add(vid)
        tids = route.get("tasks", [])
        if not isinstance(tids, list):
            raise SolutionError(f"volunteer {vid}: tasks must be a list")
        clock = float(problem.vol_shift0[v])
        here = int(problem.vol_start[v])
        load = 0.0
        has = problem.vol_has[v]
        for tid in tids:
            t = problem.task_index.get(tid) if isinstance(tid, str) else None
            if t is None:
                raise SolutionError(f"unknown task {tid!r}")
            if tid in served:
                raise SolutionError(f"task {tid!r} appears twice")
            served.add(tid)
            lacking = problem.task_needs[t] & ~has
            if lacking.any():
                names = sorted(s for s, miss in zip(problem.skills, lacking, strict=True) if miss)
                raise SolutionError(f"volunteer {vid} lacks {names} for {tid}")
            loc = int(problem.task_loc[t])
            leg = problem.travel(here, loc)
            travel_total += leg
            clock += leg
            if clock > problem.task_w1[t]:
                window = [_plain(problem.task_w0[t]), _plain(problem.task_w1[t])]
                raise SolutionError(f"{tid} reached at {clock:g}s, after its window {window}")
            clock = max(clock, float(problem.task_w0[t])) + float(problem.task_service[t])
            here = loc
            load += float(problem.task_load[t])
            priority += int(problem.task_priority[t])
            assigned += 1
        end = int(problem.vol_end[v])
        if end >= 0 and tids:
            leg = problem.travel(here, end)
            travel_total += leg
            clock += leg
        if load > problem.vol_capacity[v]:
            raise SolutionError(
                f"volunteer {vid} carries {load:g} > capacity {problem.vol_capacity[v]:g}"
            )
        if clock > problem.vol_shift1[v]:
            raise SolutionError(
                f"volunteer {vid} finishes at {clock:g}s, after shift end {problem.vol_shift1[v]:g}"
            )
        n_routes += bool(tids)
    raw_unassigned = solution.get("unassigned", [])
    if not isinstance(raw_unassigned, list):
        raise SolutionError("unassigned: expected a list of task ids")
    unassigned = set(raw_unassigned)
    both = unassigned & served
    if both:
        raise SolutionError(f"tasks both routed and unassigned: {sorted(both)[:5]}")
    missing = set(problem.task_ids) - served - unassigned
    if missing:
        raise SolutionError(f"tasks missing from the solution: {sorted(missing)[:5]}")
    unknown = unassigned - set(problem.task_ids)
    if unknown:
        raise SolutionError(f"unknown task {sorted(unknown)[0]!r} in unassigned")
    return {
        "priority": priority,
        "assigned": assigned,
        "travel_s": int(travel_total),
        "routes": n_routes,
    }


def score(instance: dict[str, Any], solution: dict[str, Any]) -> dict[str, int]:
    """Score a solution document against an instance document (raises SolutionError)."""
    return score_problem(validate_instance(instance), solution)


def objective_key(figures: dict[str, int]) -> tuple[int, int, int]:
    """Sort key where larger is better: (priority, assigned, -travel)."""
    return figures["priority"], figures["assigned"], -figures["travel_s"]

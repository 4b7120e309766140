"""The engine's scorer agrees with shared/dispatch/check.py."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

import pytest

from wushe.dispatch.engine import SolutionError, score, validate_instance
from wushe.dispatch.engine.construct import cheapest_insertion, nearest_volunteer_greedy
from wushe.dispatch.engine.solution import to_document


def _both(check: ModuleType, instance: dict[str, Any], solution: dict[str, Any]) -> tuple[Any, Any]:
    try:
        theirs: Any = check.score(instance, solution)
    except ValueError as exc:
        theirs = ("infeasible", str(exc))
    try:
        ours: Any = score(instance, solution)
    except SolutionError as exc:
        ours = ("infeasible", str(exc))
    return theirs, ours


@pytest.mark.parametrize(("n_tasks", "n_vols", "seed"), [(60, 5, 1), (200, 12, 2), (400, 30, 3)])
def test_scores_match_shared_checker(
    shared_check: ModuleType, shared_generate: ModuleType, n_tasks: int, n_vols: int, seed: int
) -> None:
    instance = shared_generate.generate(n_tasks, n_vols, seed)
    problem = validate_instance(instance)
    for routes in (cheapest_insertion(problem).routes, nearest_volunteer_greedy(problem)):
        solution = to_document(problem, routes)
        theirs, ours = _both(shared_check, instance, solution)
        assert theirs == ours
        assert ours["assigned"] > 0


def _corruptions(solution: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    routes = [r for r in solution["routes"] if r["tasks"]]
    # a task twice
    bad = copy.deepcopy(solution)
    bad["routes"][0]["tasks"].append(routes[1]["tasks"][0])
    out.append(bad)
    # a task missing
    bad = copy.deepcopy(solution)
    bad["routes"][0]["tasks"].pop()
    out.append(bad)
    # unknown volunteer / task
    bad = copy.deepcopy(solution)
    bad["routes"][0]["volunteer"] = "nobody"
    out.append(bad)
    bad = copy.deepcopy(solution)
    bad["routes"][0]["tasks"].append("t-none")
    out.append(bad)
    # all unassigned tasks crammed into one route (capacity / shift / skills)
    bad = copy.deepcopy(solution)
    bad["routes"][0]["tasks"] += bad["unassigned"]
    bad["unassigned"] = []
    out.append(bad)
    # a route reversed (windows)
    for r in routes[:5]:
        bad = copy.deepcopy(solution)
        for br in bad["routes"]:
            if br["volunteer"] == r["volunteer"]:
                br["tasks"].reverse()
        out.append(bad)
    return out


def test_violations_match_shared_checker(
    shared_check: ModuleType, shared_generate: ModuleType
) -> None:
    instance = shared_generate.generate(300, 20, 4)
    problem = validate_instance(instance)
    solution = to_document(problem, cheapest_insertion(problem).routes)
    infeasible = 0
    for bad in _corruptions(solution):
        theirs, ours = _both(shared_check, instance, bad)
        assert theirs == ours
        infeasible += isinstance(ours, tuple)
    assert infeasible >= 5


def test_solomon_scores_match(shared_check: ModuleType, solomon_instance: Any) -> None:
    instance = solomon_instance("R101")
    problem = validate_instance(instance)
    solution = to_document(problem, cheapest_insertion(problem).routes)
    theirs, ours = _both(shared_check, instance, solution)
    assert theirs == ours


def test_volunteer_with_two_routes_is_rejected(tiny: dict[str, Any]) -> None:
    solution = {
        "routes": [{"volunteer": "v2", "tasks": ["t2"]}, {"volunteer": "v2", "tasks": ["t3"]}],
        "unassigned": ["t1"],
    }
    with pytest.raises(SolutionError, match="more than one route"):
        score(tiny, solution)

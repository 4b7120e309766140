"""Online insertion of a new task and re-dispatch of a declined one."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from wushe.dispatch.engine import (
    DispatchPlan,
    SolutionError,
    insert_task,
    redispatch_task,
    validate_instance,
)
from wushe.dispatch.engine.construct import cheapest_insertion
from wushe.dispatch.engine.solution import to_document


def _plan(
    shared_generate: ModuleType, n: int, m: int, seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    instance = shared_generate.generate(n, m, seed)
    problem = validate_instance(instance)
    return instance, to_document(problem, cheapest_insertion(problem).routes)


def test_insert_task_places_it_feasibly(shared_check: ModuleType, tiny: dict[str, Any]) -> None:
    solution = {"routes": [{"volunteer": "v2", "tasks": ["t3"]}], "unassigned": ["t1", "t2"]}
    new = {"id": "t9", "location": 2, "service_s": 30, "load": 1, "priority": 60}
    result = insert_task(tiny, solution, new)
    extended = dict(tiny, tasks=[*tiny["tasks"], new])
    figures = shared_check.score(extended, result)
    assert figures["assigned"] == 2
    assert "t9" not in result["unassigned"]
    # the existing route is kept, only extended
    route = next(r for r in result["routes"] if "t3" in r["tasks"])
    assert route["volunteer"] == "v2"


def test_insert_task_that_cannot_fit_is_unassigned(tiny: dict[str, Any]) -> None:
    solution = {"routes": [], "unassigned": ["t1", "t2", "t3"]}
    new = {"id": "t9", "location": 2, "load": 99, "priority": 60}
    result = insert_task(tiny, solution, new)
    assert "t9" in result["unassigned"]


def test_insert_task_rejects_duplicate_id(tiny: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="already in the instance"):
        insert_task(
            tiny, {"routes": [], "unassigned": ["t1", "t2", "t3"]}, {"id": "t1", "location": 0}
        )


def test_redispatch_moves_task_away_from_decliner(
    shared_check: ModuleType, shared_generate: ModuleType
) -> None:
    instance, solution = _plan(shared_generate, 300, 20, 8)
    route = next(r for r in solution["routes"] if len(r["tasks"]) >= 2)
    task_id, declined = route["tasks"][0], route["volunteer"]
    result = redispatch_task(instance, solution, task_id, declined)
    shared_check.score(instance, result)
    owner = {t: r["volunteer"] for r in result["routes"] for t in r["tasks"]}
    assert owner.get(task_id) != declined
    # other tasks stay with their volunteers
    before = {t: r["volunteer"] for r in solution["routes"] for t in r["tasks"]}
    moved = [t for t, v in before.items() if t != task_id and owner.get(t) != v]
    assert moved == []


def test_redispatch_unknown_ids(tiny: dict[str, Any]) -> None:
    solution = {"routes": [], "unassigned": ["t1", "t2", "t3"]}
    with pytest.raises(SolutionError, match="unknown task"):
        redispatch_task(tiny, solution, "nope", "v1")
    with pytest.raises(SolutionError, match="unknown volunteer"):
        redispatch_task(tiny, solution, "t1", "nobody")


def test_plan_sequence_stays_feasible(
    shared_check: ModuleType, shared_generate: ModuleType
) -> None:
    instance, solution = _plan(shared_generate, 400, 25, 9)
    plan = DispatchPlan(instance, solution)
    for i in range(20):
        plan.add_task({**instance["tasks"][i], "id": f"new{i}"})
    for r in solution["routes"][:10]:
        plan.redispatch(r["tasks"][0], r["volunteer"])
    shared_check.score(plan.instance, plan.solution())
    assert len(plan.instance["tasks"]) == 420


def test_insertion_into_a_2000_task_plan_stays_feasible(
    shared_generate: ModuleType, shared_check: ModuleType
) -> None:
    # Its speed (median under 50 ms) is measured by bench/dispatch.py, not asserted here.
    instance, solution = _plan(shared_generate, 2000, 100, 1)
    for i in range(3):
        task = {**instance["tasks"][i * 11], "id": f"new{i}"}
        solution = insert_task(instance, solution, task)
        instance = {**instance, "tasks": [*instance["tasks"], task]}
        placed = {t for r in solution["routes"] for t in r["tasks"]} | set(solution["unassigned"])
        assert task["id"] in placed
    shared_check.score(instance, solution)


def test_invalid_new_task_is_named(tiny: dict[str, Any]) -> None:
    from wushe.dispatch.engine import InstanceError

    solution = {"routes": [], "unassigned": ["t1", "t2", "t3"]}
    with pytest.raises(
        InstanceError, match=r"^task\.location: index 9 out of range \(4 locations\)"
    ):
        insert_task(tiny, solution, {"id": "t9", "location": 9})

"""Search phases: the skill sub-problem and the prize floor of the local-search walk."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from wushe.dispatch.engine import pyvrp_backend, validate_instance
from wushe.dispatch.engine.solver import candidate_tasks, skill_part, solve_problem


def _street(n_counselling: int) -> dict[str, Any]:
    """Two counsellors, one plain volunteer; more counselling visits than fit a shift."""
    tasks = [
        {"id": f"c{i}", "location": 1 + i % 3, "service_s": 1200, "load": 0,
         "skills": ["counsellor"], "priority": 50}
        for i in range(n_counselling)
    ] + [
        {"id": f"g{i}", "location": 1 + i % 3, "service_s": 60, "load": 1, "priority": 20}
        for i in range(6)
    ]  # fmt: skip
    return {
        "locations": [[0, 0], [300, 0], [0, 300], [300, 300]],
        "volunteers": [
            {"id": "a", "start": 0, "capacity": 2, "skills": ["counsellor"], "shift": [0, 3700]},
            {"id": "b", "start": 0, "capacity": 2, "skills": ["counsellor"], "shift": [0, 3700]},
            {"id": "p", "start": 0, "capacity": 2, "shift": [0, 3700]},
        ],
        "tasks": tasks,
    }


def test_skill_part_holds_the_skilled_volunteers_and_what_they_could_add() -> None:
    problem = validate_instance(_street(8))
    k = problem.skills.index("counsellor")
    cands = candidate_tasks(problem)
    # a serves c0 and g0; b idles; p serves g1
    routes: list[list[int]] = [[0, 8], [], [9]]
    part = skill_part(problem, routes, cands, k, np.zeros(problem.n_vols, dtype=bool))
    assert part is not None
    tasks, vols = part
    assert vols.tolist() == [0, 1]
    # a's own tasks plus every unserved candidate; p's task stays out
    served_elsewhere = {9}
    assert set(tasks.tolist()) == set(cands.tolist()) - served_elsewhere
    # volunteers already given to another skill's phase are left out
    skip = np.array([True, False, False])
    part = skill_part(problem, routes, cands, k, skip)
    assert part is not None and part[1].tolist() == [1]


def test_no_skill_part_when_every_skilled_candidate_is_served() -> None:
    problem = validate_instance(_street(2))
    k = problem.skills.index("counsellor")
    routes: list[list[int]] = [[0], [1], []]
    assert skill_part(problem, routes, candidate_tasks(problem), k, np.zeros(3, dtype=bool)) is None


def test_skilled_shifts_are_filled(shared_check: ModuleType) -> None:
    # each counsellor fits two 20-minute visits plus travel in a 3,700 s shift
    instance = _street(8)
    problem = validate_instance(instance)
    from wushe.dispatch.engine.solution import to_document

    solution = to_document(problem, solve_problem(problem, 5.0, max_iterations=200))
    figures = shared_check.score(instance, solution)
    served = {t for r in solution["routes"] for t in r["tasks"]}
    assert sum(t.startswith("c") for t in served) == 4
    assert figures["priority"] == 4 * 50 + 6 * 20


class _Plan:
    def __init__(self, name: str, cost: float, prize: int) -> None:
        self.name, self.cost, self.prize = name, cost, prize

    def prizes(self) -> int:
        return self.prize

    def is_feasible(self) -> bool:
        return True


class _Costs:
    def cost(self, plan: _Plan) -> float:
        return plan.cost

    penalised_cost = cost


class _Penalties:
    def cost_evaluator(self) -> _Costs:
        return _Costs()

    def register(self, plan: _Plan) -> None:
        pass


def _walk(prize_floor: int | None) -> list[str]:
    """Scripted search: the first step finds a better plan X; the second offers Y, cheaper
    than the start but with 20 less prize. Returns the plans the search was run from."""
    start, x, y = _Plan("start", 100, 100), _Plan("X", 90, 100), _Plan("Y", 95, 80)
    script = iter([x, y, x, y])
    seen: list[str] = []

    def search(plan: _Plan, costs: _Costs, exhaustive: bool = False) -> _Plan:
        if exhaustive:
            return plan
        seen.append(plan.name)
        return next(script)

    calls = iter(range(10))
    best = pyvrp_backend.iterated_local_search(
        _Penalties(),  # type: ignore[arg-type]
        search,
        start,  # type: ignore[arg-type]
        lambda cost: next(calls) >= 3,
        exhaustive_on_best=True,
        refresh_every=0,
        prize_floor=prize_floor,
    )
    assert best is x
    return seen


def test_walk_stays_within_the_prize_floor_of_the_best_plan() -> None:
    # without a floor, late acceptance moves on to Y (cheaper than the start)
    assert _walk(None) == ["start", "X", "Y"]
    # with a floor of 10, Y (20 below the best's prize) is refused: the walk stays at X
    assert _walk(10) == ["start", "X", "X"]
    assert _walk(20) == ["start", "X", "Y"]


def test_large_skill_part_keeps_skilled_tasks_and_the_nearest_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wushe.dispatch.engine import solver

    instance = _street(3)
    instance["locations"].append([5000, 5000])  # far from everything
    instance["tasks"].append(
        {"id": "far", "location": 4, "service_s": 60, "load": 1, "priority": 20}
    )
    problem = validate_instance(instance)
    k = problem.skills.index("counsellor")
    far = problem.task_ids.index("far")
    routes: list[list[int]] = [[0], [], []]
    monkeypatch.setattr(solver, "SKILL_PART_MAX_TASKS", 6)
    part = skill_part(problem, routes, candidate_tasks(problem), k, np.zeros(3, dtype=bool))
    assert part is not None
    tasks = set(part[0].tolist())
    assert {0, 1, 2} <= tasks  # own and unserved counselling visits
    assert far not in tasks
    assert len(tasks) == 6


def test_regret_is_used_only_while_its_tiers_are_affordable():
    from wushe.dispatch.engine import construct
    from wushe.dispatch.engine.problem import validate_instance

    def instance(priorities: list[int]) -> dict:
        return {
            "format": "wushe-dispatch/1",
            "locations": [[0.0, 0.0], [100.0, 0.0]],
            "travel": {"speed_mps": 1.0},
            "horizon_s": 9000,
            "volunteers": [
                {"id": f"v{v}", "start": 0, "capacity": 1, "shift": [0, 9000]} for v in range(250)
            ],
            "tasks": [
                {"id": f"t{i}", "location": 1, "service_s": 60, "load": 1, "priority": p}
                for i, p in enumerate(priorities)
            ],
        }

    few = validate_instance(instance([10, 20, 50, 100] * 100))  # 4 tiers x 250 routes
    many = validate_instance(instance(list(range(1, 101)) * 4))  # 100 tiers x 250 routes
    assert construct.regret_affordable(few, construct.value_order(few))
    assert not construct.regret_affordable(many, construct.value_order(many))

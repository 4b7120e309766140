"""Property tests on random small instances: plans are feasible by the shared checker and
list every task exactly once; online insertion keeps them feasible."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wushe.dispatch.engine import insert_task, redispatch_task, solve

SKILLS = ["driver", "medical"]


@st.composite
def instances(draw: st.DrawFn) -> dict[str, Any]:
    n_loc = draw(st.integers(1, 6))
    coord = st.floats(0, 2000, allow_nan=False).map(lambda x: round(x, 1))
    locations = [[draw(coord), draw(coord)] for _ in range(n_loc)]
    durations = None
    if draw(st.booleans()):
        durations = [
            [0 if i == j else draw(st.integers(0, 1500)) for j in range(n_loc)]
            for i in range(n_loc)
        ]
    loc = st.integers(0, n_loc - 1)
    skills = st.lists(st.sampled_from(SKILLS), unique=True, max_size=2)
    volunteers = []
    for v in range(draw(st.integers(0, 3))):
        s0 = draw(st.integers(0, 1800))
        volunteers.append(
            {
                "id": f"v{v}",
                "start": draw(loc),
                "end": draw(st.none() | loc),
                "capacity": draw(st.integers(0, 6)),
                "skills": draw(skills),
                "shift": [s0, s0 + draw(st.integers(0, 7200))],
            }
        )
    tasks = []
    for t in range(draw(st.integers(0, 10))):
        window = None
        if draw(st.booleans()):
            w0 = draw(st.integers(0, 5400))
            window = [w0, w0 + draw(st.integers(0, 3600))]
        tasks.append(
            {
                "id": f"t{t}",
                "location": draw(loc),
                "service_s": draw(st.integers(0, 600)),
                "load": draw(st.integers(0, 3)),
                "skills": draw(skills),
                "priority": draw(st.integers(0, 100)),
                "window": window,
            }
        )
    return {
        "format": "wushe-dispatch/1",
        "locations": locations,
        "travel": {"speed_mps": draw(st.sampled_from([1.0, 1.2, 4.0]))},
        "durations": durations,
        "horizon_s": 9000,
        "volunteers": volunteers,
        "tasks": tasks,
    }


SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(instance=instances(), seed=st.integers(0, 3))
def test_solutions_are_feasible_and_complete(
    shared_check: ModuleType, every_task_once: Any, instance: dict[str, Any], seed: int
) -> None:
    solution = solve(instance, 0.5, seed=seed, max_iterations=40)
    shared_check.score(instance, solution)
    assert every_task_once(instance, solution)
    vols = [r["volunteer"] for r in solution["routes"]]
    assert len(vols) == len(set(vols))


@SETTINGS
@given(instance=instances(), data=st.data())
def test_online_changes_stay_feasible(
    shared_check: ModuleType, every_task_once: Any, instance: dict[str, Any], data: st.DataObject
) -> None:
    solution = solve(instance, 0.5, max_iterations=20)
    new = {
        "id": "new",
        "location": data.draw(st.integers(0, len(instance["locations"]) - 1)),
        "service_s": data.draw(st.integers(0, 300)),
        "load": data.draw(st.integers(0, 2)),
        "priority": data.draw(st.integers(0, 100)),
        "window": data.draw(st.none() | st.just([0, 4000])),
    }
    extended = dict(instance, tasks=[*instance["tasks"], new])
    after = insert_task(instance, solution, new)
    shared_check.score(extended, after)
    assert every_task_once(extended, after)
    routed = [(r["volunteer"], t) for r in after["routes"] for t in r["tasks"]]
    if routed:
        vid, tid = data.draw(st.sampled_from(routed))
        moved = redispatch_task(extended, after, tid, vid)
        shared_check.score(extended, moved)
        assert every_task_once(extended, moved)
        assert (vid, tid) not in [(r["volunteer"], t) for r in moved["routes"] for t in r["tasks"]]


@SETTINGS
@given(instance=instances(), penalty=st.sampled_from([0.0, 1000.0]))
def test_regret_construction_is_feasible(
    shared_check: ModuleType,
    every_task_once: Any,
    instance: dict[str, Any],
    penalty: float,
    monkeypatch: Any,
) -> None:
    from wushe.dispatch.engine import construct
    from wushe.dispatch.engine.problem import validate_instance
    from wushe.dispatch.engine.solution import to_document

    monkeypatch.setattr(construct, "SKILL_PENALTY", penalty)
    problem = validate_instance(instance)
    routes = construct.regret_insertion(problem, construct.value_order(problem)).routes
    solution = to_document(problem, routes)
    shared_check.score(instance, solution)
    assert every_task_once(instance, solution)
    if instance["durations"] is not None:
        return  # without the triangle inequality an insertion may open room for another
    # nothing left out that still fits somewhere
    rs = construct.RouteSet(problem, routes)
    assert all(rs.best_insertion(t) is None for t in range(problem.n_tasks) if t not in rs.where)

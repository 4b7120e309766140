"""The cooperative parallel main search (two forked processes, epoch by epoch):
feasibility, determinism under an iteration budget, halves that partition the plan,
children that always stop, and the fallback where forking is not allowed."""

from __future__ import annotations

import multiprocessing
import os
import time
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from wushe.dispatch.engine import decompose, pyvrp_backend, search, solve, solver
from wushe.dispatch.engine.construct import cheapest_insertion
from wushe.dispatch.engine.problem import validate_instance

pytestmark = pytest.mark.skipif(
    not pyvrp_backend.available() or not search.fork_available(),
    reason="needs PyVRP and fork",
)


@pytest.fixture
def small_cooperative(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small instances for speed: let the cooperative search run on them.
    monkeypatch.setattr(solver, "COOPERATIVE_MIN_TASKS", 50)
    monkeypatch.setattr(solver, "EPOCH_ITERATIONS", 40)


@pytest.mark.parametrize("mode", ["split", "share"])
def test_cooperative_search_is_feasible_and_reproducible(
    shared_check: ModuleType,
    shared_generate: ModuleType,
    every_task_once: Any,
    small_cooperative: None,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    monkeypatch.setattr(solver, "COOPERATIVE_MODE", mode)
    instance = shared_generate.generate(300, 16, 4)
    first = solve(instance, 60.0, seed=2, max_iterations=120, workers=2)
    second = solve(instance, 60.0, seed=2, max_iterations=120, workers=2)
    assert first == second
    shared_check.score(instance, first)
    assert every_task_once(instance, first)
    assert multiprocessing.active_children() == []


def test_cooperative_search_runs_and_improves(
    shared_check: ModuleType,
    shared_generate: ModuleType,
    small_cooperative: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    epochs: list[int] = []
    real = search.run_pair

    def counting(*args: Any, **kwargs: Any) -> Any:
        epochs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(solver, "run_pair", counting)
    instance = shared_generate.generate(300, 16, 5)
    constructed = solve(instance, 60.0, seed=0, max_iterations=1, workers=1)
    searched = solve(instance, 60.0, seed=0, max_iterations=120, workers=2)
    assert len(epochs) == 3  # 120 iterations in epochs of 40
    before = shared_check.score(instance, constructed)
    after = shared_check.score(instance, searched)
    key = lambda f: (f["priority"], f["assigned"], -f["travel_s"])  # noqa: E731
    assert key(after) >= key(before)


def test_one_worker_never_forks(
    shared_generate: ModuleType, small_cooperative: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("workers=1 must not fork")

    monkeypatch.setattr(solver, "run_pair", refuse)
    monkeypatch.setattr(search, "run_jobs", refuse)
    solve(shared_generate.generate(300, 16, 4), 60.0, seed=0, max_iterations=50, workers=1)


def test_halves_partition_the_plan(shared_generate: ModuleType) -> None:
    problem = validate_instance(shared_generate.generate(400, 24, 3))
    routes = cheapest_insertion(problem).routes
    tasks = solver.candidate_tasks(problem)
    vols = np.arange(problem.n_vols, dtype=np.int64)
    routed = {t for r in routes for t in r}
    for angle in (0.0, 1.0, 2.4):
        (t0, v0), (t1, v1) = decompose.halves(problem, tasks, vols, routes, angle)
        assert len(v0) and len(v1)
        assert sorted([*v0.tolist(), *v1.tolist()]) == list(range(problem.n_vols))
        assert not set(t0.tolist()) & set(t1.tolist())
        assert set(t0.tolist()) | set(t1.tolist()) == set(tasks.tolist()) | routed
        for half_tasks, half_vols in ((t0, v0), (t1, v1)):
            own = {t for v in half_vols for t in routes[int(v)]}
            assert own <= set(half_tasks.tolist())


def _pair_jobs(instance: dict[str, Any], budget: float) -> tuple[Any, Any, Any]:
    problem = validate_instance(instance)
    routes = cheapest_insertion(problem).routes
    tasks = solver.candidate_tasks(problem)
    vols = np.arange(problem.n_vols, dtype=np.int64)
    halves = decompose.halves(problem, tasks, vols, routes, 0.0)
    jobs = tuple(search.Job(t, v, i, budget, None) for i, (t, v) in enumerate(halves))
    return problem, routes, jobs


def test_children_stop_at_the_deadline(
    shared_generate: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, routes, jobs = _pair_jobs(shared_generate.generate(300, 16, 4), 0.3)
    parent = os.getpid()
    real = search.run_job

    def stuck_child(*args: Any) -> Any:
        if os.getpid() != parent:
            time.sleep(60)  # a child that never answers
        return real(*args)

    monkeypatch.setattr(search, "CHILD_GRACE_S", 0.2)
    monkeypatch.setattr(search, "run_job", stuck_child)
    started = time.perf_counter()
    results = search.run_pair(problem, routes, jobs, time.perf_counter() + 0.3)
    assert time.perf_counter() - started < 3.0
    assert results[0] is not None and results[1] is None
    assert multiprocessing.active_children() == []


def test_child_is_killed_when_the_parent_is_interrupted(
    shared_generate: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, routes, jobs = _pair_jobs(shared_generate.generate(300, 16, 4), 30.0)
    parent = os.getpid()

    def interrupted(*args: Any) -> Any:
        if os.getpid() != parent:
            time.sleep(60)
        raise KeyboardInterrupt

    monkeypatch.setattr(search, "run_job", interrupted)
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        search.run_pair(problem, routes, jobs, time.perf_counter() + 30.0)
    assert time.perf_counter() - started < 3.0
    assert multiprocessing.active_children() == []


def _solve_in_daemon(instance: dict[str, Any], out: Any) -> None:
    solver.COOPERATIVE_MIN_TASKS = 50
    out.send(solve(instance, 60.0, seed=0, max_iterations=60, workers=2))


def test_daemonic_parent_falls_back_to_one_process(
    shared_check: ModuleType, shared_generate: ModuleType
) -> None:
    # A Celery prefork worker is a daemonic process: multiprocessing refuses children
    # there, so the search runs in that process alone (and still answers).
    instance = shared_generate.generate(300, 16, 4)
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_solve_in_daemon, args=(instance, send), daemon=True)
    proc.start()
    assert recv.poll(120)
    solution = recv.recv()
    proc.join(10)
    shared_check.score(instance, solution)

"""Batch dispatch: :func:`solve`.

Pipeline (each step keeps a feasible plan, so the answer improves with time):

1. validate; pick candidate tasks -- in priority-per-load order until their load is
   ``CANDIDATE_LOAD_FACTOR`` times the fleet capacity (plus every zero-load task): when
   capacity binds, the rest cannot enter an optimal plan, and leaving them out makes the
   search much faster;
2. construct: where capacity binds, by regret-3 insertion tier by tier of equal priority per
   load (:func:`~wushe.dispatch.engine.construct.regret_insertion`) when its tiers are few
   enough to afford, else by cheapest feasible insertion in that order;
3. when tasks needing a skill are left unserved, search on each such skill's
   volunteers alone (:func:`skill_part`): their shifts bind, and a small sub-problem
   re-plans their day far faster than the search over everyone;
4. improve with PyVRP's iterated local search (per region for large instances, see
   :mod:`~wushe.dispatch.engine.decompose`); on one region, by default in two processes
   that each improve one geographic half of the plan per epoch (:func:`_cooperative`);
5. insert leftovers, swap in higher-priority tasks, verify with the scorer.

Determinism: with ``max_iterations`` the search stops on an iteration budget and the
result depends only on the instance, seed and budget. Without it the search stops on the
wall clock, so a slower or busier machine may return a different (feasible) plan.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from wushe.dispatch.engine import decompose, pyvrp_backend
from wushe.dispatch.engine.construct import (
    cheapest_insertion,
    regret_affordable,
    regret_insertion,
    value_order,
)
from wushe.dispatch.engine.improve import insert_leftovers, repair, swap_in
from wushe.dispatch.engine.problem import BoolArray, IntArray, Problem, validate_instance
from wushe.dispatch.engine.routes import RouteSet
from wushe.dispatch.engine.scoring import objective_key, score_problem
from wushe.dispatch.engine.search import (
    Job,
    default_workers,
    fork_available,
    run_jobs,
    run_pair,
)
from wushe.dispatch.engine.solution import Routes, to_document

log = logging.getLogger(__name__)

CANDIDATE_LOAD_FACTOR = 1.3
# Share of the time limit kept for post-processing and conversion; the priority swap-in
# may use all of it but the last ``POST_TAIL_SHARE`` (leftovers, repair, conversion:
# ~0.1 s at 5,000 tasks). The swap-in used to run to the deadline: 1.1 s at 5,000 tasks
# for 0-1 swaps, time the search uses better.
RESERVE_SHARE = 0.05
POST_TAIL_SHARE = 0.02
# Most of the search time may go to finding a full plan when everything may fit.
REQUIRED_PHASE_SHARE = 0.7
# Share of the search time (and iteration budget) for the skill-focused phase.
SKILL_PHASE_SHARE = 0.25
# Largest skill sub-problem (20,000x1,000: the counsellors' part had 4,400 tasks and
# doubled the peak memory through its dense matrices).
SKILL_PART_MAX_TASKS = 2500
# The skill phase runs on the constructed plan, before the main search (which then keeps
# its priority through the walk's prize floor). 5,000x250 seed 1, 9 s, solver seeds 0-4:
# priority 1.0001-1.0008 of VROOM's with it first, 0.9982-1.0012 (4 of 5 below) after the
# main search; travel 1.34-1.50 of VROOM's first vs 1.21-1.34 after (the main search
# then works on more tasks). 2,000x100 seeds 1-3: priority 1.0019 / 1.0019 / 1.0008 vs
# 1.0000 / 1.0015 / 1.0014, travel 1.142 / 1.246 / 0.940 vs 1.107 / 1.187 / 0.948.
SKILL_PHASE_FIRST = True
# Cooperative parallel main search (two processes): "split" improves two geographic
# halves of the plan at once for an epoch, then merges them and cuts again along another
# direction; "share" runs two walks on the whole plan with different seeds and both go on
# from the better one each epoch. None: the main search runs in one process.
COOPERATIVE_MODE: str | None = "split"
# Used by default (``workers=None``) when True; ``workers=1`` never forks. Chosen on
# CPU-matched iteration budgets (2,000x100 seeds 1-3 x solver seeds 0-1, 5,000x250 seeds
# 1-2: ahead on the objective in all 8); time-limited at load ~2.5 ahead in 8 of 11
# pairs but not on travel alone (bench/README, "What is left").
COOPERATIVE_DEFAULT = True
COOPERATIVE_MIN_TASKS = 400
# Epochs of a time-limited cooperative search: EPOCHS, each at least EPOCH_MIN_S (the
# main search of 2,000x100 at 4.5 s: ~0.7 s epochs, about the 700 half-iterations per
# epoch measured with iteration budgets; of 5,000x250 at 9 s: ~1.1 s).
EPOCHS = 4
EPOCH_MIN_S = 0.4
COOPERATIVE_HALF_PASSES = False
EPOCH_ITERATIONS = 700
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def skill_part(
    problem: Problem, routes: Routes, candidates: IntArray, skill: int, skip: BoolArray
) -> tuple[IntArray, IntArray] | None:
    """A small sub-problem for a skill whose tasks are left unserved: its volunteers
    (except ``skip``) with their current tasks plus every unserved candidate they could
    take. Skilled volunteers are few and their skill tasks long (a counselling visit
    takes 20 minutes), so their shifts bind; a plan serves more of those tasks only by
    re-arranging their whole day, which a search over all volunteers reaches slowly."""
    served = np.zeros(problem.n_tasks, dtype=bool)
    for r in routes:
        served[r] = True
    free = candidates[~served[candidates]]
    if not problem.task_needs[free, skill].any():
        return None
    vols = np.nonzero(problem.vol_has[:, skill] & ~skip)[0].astype(np.int64)
    if not len(vols):
        return None
    own = np.asarray([t for v in vols for t in routes[int(v)]], dtype=np.int64)
    needs = problem.task_needs[free]
    fits = (~needs[:, None, :] | problem.vol_has[vols][None, :, :]).all(axis=2).any(axis=1)
    free = free[fits]
    room = SKILL_PART_MAX_TASKS - len(own)
    if len(free) > room:
        # Large instances: keep the skilled tasks and the other tasks nearest to the
        # skilled volunteers' current work (their starts when idle).
        skilled = problem.task_needs[free].any(axis=1)
        anchors = np.concatenate(
            (problem.task_loc[np.concatenate((own, free[skilled]))], problem.vol_start[vols])
        )
        dist, _ = cKDTree(problem.coords[anchors]).query(problem.coords[problem.task_loc[free]])
        dist = np.where(skilled, -1.0, dist)
        keep = np.argsort(dist, kind="stable")[: max(room, int(skilled.sum()))]
        free = free[np.sort(keep)]
    return np.sort(np.concatenate((own, free))), vols


def candidate_tasks(problem: Problem, factor: float | None = None) -> IntArray:
    """Tasks worth routing: best priority-per-load first, up to ``factor`` x capacity
    (default ``CANDIDATE_LOAD_FACTOR``)."""
    if factor is None:
        factor = CANDIDATE_LOAD_FACTOR
    order = value_order(problem)
    if not np.isfinite(problem.vol_capacity).all():
        return np.sort(order)
    load = problem.task_load[order]
    budget = factor * float(problem.vol_capacity.sum())
    keep = (np.cumsum(load) <= budget) | (load == 0)
    return np.sort(order[keep])


def _key(problem: Problem, routes: Routes) -> tuple[int, int, int]:
    return objective_key(score_problem(problem, to_document(problem, routes)))


def _may_all_fit(problem: Problem) -> bool:
    """Whether every task might be served: total load within total capacity and a
    volunteer with the right skills for each task."""
    if problem.task_load.sum() > problem.vol_capacity.sum():
        return False
    return bool(problem.compatibility_matrix().any(axis=1).all())


def _search(
    problem: Problem,
    initial: Routes,
    parts: list[tuple[IntArray, IntArray]],
    until: float,
    seed: int,
    max_iterations: int | None,
    workers: int,
    required: bool,
    until_feasible: bool = False,
) -> list[tuple[Routes, bool]]:
    """Improve ``initial`` region by region (or as a seed portfolio); returns candidate
    plans with PyVRP's feasibility verdict."""
    portfolio = len(parts) == 1 and workers > 1
    if portfolio:
        parts = parts * workers
    rounds = -(-len(parts) // workers)
    budget = (until - time.perf_counter()) / rounds
    if budget <= 0.05 and max_iterations is None:
        return []
    iters = None if max_iterations is None else max(1, max_iterations // rounds)
    jobs = [
        Job(tasks, vols, seed + (i if portfolio else 0), budget, iters, required, until_feasible)
        for i, (tasks, vols) in enumerate(parts)
    ]
    results = run_jobs(problem, initial, jobs, workers)
    merged = [list(r) for r in initial]
    plans: list[tuple[Routes, bool]] = []
    for result, feasible in results:
        if portfolio:
            merged = [list(r) for r in initial]
        for v, r in result.items():
            merged[v] = r
        if portfolio:
            plans.append((merged, feasible))
    if not portfolio:
        plans.append((merged, all(f for _, f in results)))
    return plans


def _skill_phase(
    problem: Problem,
    best: Routes,
    best_key: tuple[int, int, int],
    candidates: IntArray,
    until: float,
    seed: int,
    max_iterations: int | None,
    start: float,
) -> tuple[Routes, tuple[int, int, int]]:
    """For each skill whose tasks are left unserved, search its volunteers again alone
    (:func:`skill_part`) until ``until``; returns the best plan and its key."""
    if not (pyvrp_backend.available() and problem.n_vols and len(candidates) and problem.skills):
        return best, best_key
    skip = np.zeros(problem.n_vols, dtype=bool)
    served = np.zeros(problem.n_tasks, dtype=bool)
    for r in best:
        served[r] = True
    free = candidates[~served[candidates]]
    todo = [k for k in range(len(problem.skills)) if problem.task_needs[free, k].any()]
    for i, k in enumerate(todo):
        part = skill_part(problem, best, candidates, k, skip)
        if part is None:
            continue
        skip[part[1]] = True
        share = (until - time.perf_counter()) / (len(todo) - i)
        outcome = _search(
            problem,
            best,
            [part],
            time.perf_counter() + share,
            seed + 7 + k,
            None
            if max_iterations is None
            else max(1, int(max_iterations * SKILL_PHASE_SHARE / len(todo))),
            1,
            required=False,
        )
        for routes, _ in outcome:
            improved = repair(problem, routes)
            key = _key(problem, improved)
            log.debug(
                "skill %s phase %s at %.2fs",
                problem.skills[k],
                key,
                time.perf_counter() - start,
            )
            if key > best_key:
                best, best_key = improved, key
    return best, best_key


def _cooperative(
    problem: Problem,
    best: Routes,
    best_key: tuple[int, int, int],
    tasks: IntArray,
    until: float,
    seed: int,
    max_iterations: int | None,
    start: float,
) -> tuple[Routes, tuple[int, int, int]]:
    """Main search in two processes, epoch by epoch (``COOPERATIVE_MODE``). With an
    iteration budget every epoch gives each process ``EPOCH_ITERATIONS`` (the last one
    the rest), so the result depends only on the instance, seed and budget; with a time
    limit there are ``EPOCHS`` of equal length (fewer when short of ``EPOCH_MIN_S``)."""
    vols = np.arange(problem.n_vols, dtype=np.int64)
    current = best
    # Full local-search passes as the one-process search would have them (by the whole
    # region's size): halves of 5,000x250 (1,700 tasks each) with passes on every new
    # best took 1.7x the CPU per iteration.
    options: dict[str, Any] = {
        "exhaustive": None
        if COOPERATIVE_HALF_PASSES
        else len(tasks) <= pyvrp_backend.EXHAUSTIVE_MAX_TASKS
    }
    if max_iterations is not None:
        n_epochs = max(1, -(-max_iterations // EPOCH_ITERATIONS))
    else:
        n_epochs = max(1, min(EPOCHS, int((until - time.perf_counter()) / EPOCH_MIN_S)))
    for epoch in range(n_epochs):
        if max_iterations is None:
            left = until - time.perf_counter()
            if left <= 0.1:
                break
            epoch_until = time.perf_counter() + left / (n_epochs - epoch)
            iters = None
        else:
            epoch_until = np.inf
            iters = max_iterations // n_epochs + (epoch < max_iterations % n_epochs)
        if COOPERATIVE_MODE == "split":
            parts = decompose.halves(problem, tasks, vols, current, epoch * GOLDEN_ANGLE)
        else:
            parts = [(tasks, vols), (tasks, vols)]
        budget = epoch_until - time.perf_counter()
        jobs = (
            Job(parts[0][0], parts[0][1], seed * 7919 + 2 * epoch, budget, iters, **options),
            Job(parts[1][0], parts[1][1], seed * 7919 + 2 * epoch + 1, budget, iters, **options),
        )
        results = run_pair(
            problem, current, jobs, None if max_iterations is not None else epoch_until
        )
        if COOPERATIVE_MODE == "split":
            merged = [list(r) for r in current]
            for result in results:
                if result is not None:
                    for v, r in result[0].items():
                        merged[v] = r
            plans = [merged]
        else:
            plans = []
            for result in results:
                if result is not None:
                    plan = [list(r) for r in current]
                    for v, r in result[0].items():
                        plan[v] = r
                    plans.append(plan)
        epoch_best: tuple[Routes, tuple[int, int, int]] | None = None
        for plan in plans:
            improved = repair(problem, plan)
            key = _key(problem, improved)
            if epoch_best is None or key > epoch_best[1]:
                epoch_best = (improved, key)
        if epoch_best is None:
            continue
        current = epoch_best[0]
        log.debug(
            "cooperative epoch %d %s at %.2fs", epoch, epoch_best[1], time.perf_counter() - start
        )
        if epoch_best[1] > best_key:
            best, best_key = epoch_best
    return best, best_key


def solve_problem(
    problem: Problem,
    time_limit_s: float,
    seed: int = 0,
    max_iterations: int | None = None,
    workers: int | None = None,
) -> Routes:
    start = time.perf_counter()
    deadline = start + max(time_limit_s, 0.0)
    candidates = candidate_tasks(problem)
    parts: list[tuple[IntArray, IntArray]] | None = None
    if len(candidates) > decompose.split_threshold(problem, candidates):
        region_max = decompose.region_task_limit(problem, candidates)
        # Large: split first, then construct each region on its own (a global insertion
        # over a thousand routes would take a good part of the time limit).
        parts = decompose.task_regions(problem, candidates, -(-len(candidates) // region_max))
        best: Routes = [[] for _ in range(problem.n_vols)]
        for tasks, vols in parts:
            sub = problem.subset(tasks, vols)
            for v, route in zip(vols, cheapest_insertion(sub).routes, strict=True):
                best[int(v)] = [int(tasks[t]) for t in route]
    else:
        cand_set = set(candidates.tolist())
        order = np.array([t for t in value_order(problem) if int(t) in cand_set], dtype=np.int64)
        # Regret where capacity binds (bench/README: travel 1.12 / 1.09 / 0.88 of VROOM's
        # at 2,000x100 against 1.46 / 1.28 / 1.11 from cheapest insertion).
        if _may_all_fit(problem) or not regret_affordable(problem, order):
            best = cheapest_insertion(problem, order=order).routes
        else:
            best = regret_insertion(problem, order).routes
    best_key = _key(problem, best)
    log.debug("construction %s at %.2fs", best_key, time.perf_counter() - start)

    search_until = deadline - RESERVE_SHARE * time_limit_s
    main_until = search_until
    # Decomposed instances keep the skill phase last: it moves tasks between regions,
    # which the per-region searches then undo (20,000x1,000: travel 3.0M first vs 1.8M).
    skill_first = SKILL_PHASE_FIRST and parts is None
    if problem.skills and skill_first:
        best, best_key = _skill_phase(
            problem,
            best,
            best_key,
            candidates,
            time.perf_counter() + SKILL_PHASE_SHARE * (search_until - time.perf_counter()),
            seed,
            max_iterations,
            start,
        )
    elif problem.skills:
        main_until -= SKILL_PHASE_SHARE * (search_until - time.perf_counter())
    if pyvrp_backend.available() and problem.n_vols and len(candidates):
        n_workers = default_workers() if workers is None else max(1, workers)
        if n_workers > 1 and not fork_available():
            # e.g. a Celery prefork worker (daemonic: no children): one search with the
            # whole budget rather than a portfolio or regions run one after another.
            n_workers = 1
        if parts is None:
            parts = decompose.regions(problem, candidates, best)
        phases = [False]
        cooperative = (
            COOPERATIVE_MODE is not None
            and (COOPERATIVE_DEFAULT if workers is None else workers > 1)
            and len(parts) == 1
            and len(parts[0][0]) >= COOPERATIVE_MIN_TASKS
            and not _may_all_fit(problem)
            and fork_available()
        )
        if cooperative:
            phases = []
            best, best_key = _cooperative(
                problem, best, best_key, parts[0][0], main_until, seed, max_iterations, start
            )
        elif len(parts) == 1 and _may_all_fit(problem):
            # Try to serve everything first (required tasks, PyVRP's own penalties) until
            # a full plan appears or half the time is gone; then go on from the full plan,
            # or collect prizes if there is none.
            phases = [True, True]
        full_plan_found = False
        for i, required in enumerate(phases):
            if i == 1:
                required = full_plan_found
            remaining = main_until - time.perf_counter()
            until = time.perf_counter() + remaining / (len(phases) - i)
            if i == 0 and len(phases) == 2:
                until = time.perf_counter() + remaining * REQUIRED_PHASE_SHARE
            iters = None if max_iterations is None else max(1, max_iterations // len(phases))
            outcome = _search(
                problem,
                best,
                parts,
                until,
                seed + i,
                iters,
                n_workers,
                required=required,
                until_feasible=len(phases) == 2 and i == 0,
            )
            full_plan_found = False
            for routes, feasible in outcome:
                improved = repair(problem, routes)
                key = _key(problem, improved)
                log.debug(
                    "search (%d jobs, required=%s) %s at %.2fs",
                    len(parts),
                    required,
                    key,
                    time.perf_counter() - start,
                )
                full_plan_found |= required and feasible
                if key > best_key:
                    best, best_key = improved, key

    if not skill_first:
        best, best_key = _skill_phase(
            problem, best, best_key, candidates, search_until, seed, max_iterations, start
        )

    rs = RouteSet(problem, best)
    placed = insert_leftovers(rs)
    swaps = swap_in(
        rs,
        deadline=deadline - POST_TAIL_SHARE * time_limit_s if max_iterations is None else np.inf,
    )
    final = repair(problem, rs.routes)
    log.debug(
        "post: %d inserted, %d swapped in, %s at %.2fs",
        placed,
        swaps,
        _key(problem, final),
        time.perf_counter() - start,
    )
    if _key(problem, final) >= best_key:
        best = final
    return best


def solve(
    instance: dict[str, Any],
    time_limit_s: float,
    seed: int = 0,
    *,
    max_iterations: int | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Dispatch ``instance`` within about ``time_limit_s`` seconds; returns a solution
    document (format ``wushe-dispatch-solution/1``) that satisfies every hard rule.

    Raises :class:`InstanceError` for an invalid instance. ``max_iterations`` replaces
    the wall-clock stop of the search by an iteration budget (reproducible results);
    ``workers`` caps the search processes: ``None`` (default) runs the cooperative main
    search in two processes where it applies (``COOPERATIVE_DEFAULT``) and regions one
    after another; 1 never forks; 2 also runs regions two at a time. A daemonic caller
    (a Celery prefork worker) never forks either.
    """
    problem = validate_instance(instance)
    routes = solve_problem(problem, time_limit_s, seed, max_iterations, workers)
    solution = to_document(problem, routes)
    score_problem(problem, solution)  # never hand out a plan that breaks a hard rule
    return solution

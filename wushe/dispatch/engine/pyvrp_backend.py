"""Improvement by PyVRP's iterated local search (C++ core) on a (sub-)problem.

Mapping of the dispatch rules onto PyVRP's prize-collecting VRPTW:

- every task is an optional client with prize ``priority * A + B``; ``B`` exceeds any
  single insertion's travel and ``A`` is several ``B``, so the solver first serves
  priority, then count, then travel (approximately lexicographic; the final choice
  between candidate solutions uses the exact lexicographic key);
- skills: tasks that need skills get their own copy of their location; a routing profile
  per distinct volunteer skill set makes arcs into copies it may not serve prohibitively
  long (the "forbidden arcs" encoding; only copies differ, so the matrices stay small);
- an open route end (``end`` null) is a dummy depot reached from anywhere at zero cost;
- shifts are vehicle time windows; volunteers with identical attributes share a type.

Matrices are over the instance locations used by the sub-problem (not per task), so
tasks sharing a building cost nothing extra. Every result is re-checked by the caller.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial import cKDTree

from wushe.dispatch.engine.problem import IntArray, Problem
from wushe.dispatch.engine.solution import Routes

if TYPE_CHECKING:
    import pyvrp

log = logging.getLogger(__name__)

FORBIDDEN = 10**9
PRIORITY_FACTOR = 20
PENALTY_INIT_SHARE = 2.0
PENALTY_MIN_SHARE = 2.0
PENALTY_MAX_SHARE = 20.0
# Many tasks share a building: a wider granular neighbourhood measured better (80 vs 50).
NUM_NEIGHBOURS = 80
# Late-acceptance history of the iterated local search (PyVRP's default: 300).
ILS_HISTORY_LENGTH = 300
EXHAUSTIVE_ON_BEST = True
# A full local-search pass on every new best costs ~0.4 s at 3,400 tasks: above this size
# it ate the budget (5,000x250: travel 405k with it, 302k without).
EXHAUSTIVE_MAX_TASKS = 2500
KDTREE_NEIGHBOURS_FROM = 1500
# Clients perturbed per iteration, at most (PyVRP's default: 25).
MAX_PERTURBATIONS = 25
# Iterations between full local-search passes on the walk's current plan (only where
# a full pass is cheap enough, see EXHAUSTIVE_MAX_TASKS).
REFRESH_EVERY = 100
# The walk of the local search may not fall below the best plan's priority (slack under
# one priority point, in count units): it may still trade count for travel. Letting it
# drop priority made it wander far from the best and rarely come back (2,000x100 at
# 2,500 iterations: priority 0.997-0.998 of VROOM's without this floor, 1.001 with it).
WALK_PRIZE_SLACK: float | None = PRIORITY_FACTOR - 1
BIG_TIME = 2**40


@dataclass
class PyVRPModel:
    data: pyvrp.ProblemData
    tasks: IntArray  # client index -> task index
    type_vols: list[list[int]]  # vehicle type -> volunteer indices
    vol_type: dict[int, int]
    max_prize: int
    unit: int = 1
    required: bool = False
    # Granular neighbourhood from a k-d tree (large models), else PyVRP computes it.
    neighbours: list[np.ndarray[Any, Any]] | None = None


def available() -> bool:
    try:
        import pyvrp  # noqa: F401
    except ImportError:  # pragma: no cover - pyvrp is a declared dependency
        return False
    return True


def _int_time(value: float, default: int) -> int:
    return default if not math.isfinite(value) else int(value)


def build_model(
    problem: Problem, tasks: IntArray, vols: IntArray, required: bool = False
) -> PyVRPModel:
    """PyVRP data for the given task and volunteer subsets. With ``required`` every task
    must be served (no prizes): used when everything may fit, where PyVRP's own
    penalty schedule finds full-service plans far more often than prize collecting."""
    import pyvrp

    tasks = np.asarray(tasks, dtype=np.int64)
    vols = np.asarray(vols, dtype=np.int64)
    # PyVRP's clock starts at 0: leave out whatever only fits before it (rare; such tasks
    # and volunteers keep their constructed routes).
    w1 = problem.task_w1[tasks]
    tasks = tasks[~(np.floor(w1) < np.maximum(0.0, np.ceil(problem.task_w0[tasks])))]
    vols = vols[np.floor(problem.vol_shift1[vols]) >= np.maximum(0.0, problem.vol_shift0[vols])]
    # -- locations: depots first (volunteer starts/ends), then task locations -----------
    inst_locs: list[int] = []
    key_index: dict[tuple[int, bytes], int] = {}

    def loc_of(inst_loc: int, needs: bytes = b"") -> int:
        key = (inst_loc, needs)
        idx = key_index.get(key)
        if idx is None:
            idx = key_index[key] = len(inst_locs)
            inst_locs.append(inst_loc)
        return idx

    depot_locs: list[int] = []
    depot_of: dict[int, int] = {}
    for v in vols:
        for where in (int(problem.vol_start[v]), int(problem.vol_end[v])):
            if where >= 0 and where not in depot_of:
                depot_of[where] = len(depot_locs)
                depot_locs.append(loc_of(where))
    has_open = bool((problem.vol_end[vols] < 0).any())
    needs_rows = problem.task_needs[tasks]
    client_locs = [
        loc_of(int(problem.task_loc[t]), needs_rows[i].tobytes() if needs_rows[i].any() else b"")
        for i, t in enumerate(tasks)
    ]
    n_real = len(inst_locs)
    base = problem.travel_matrix(np.asarray(inst_locs, dtype=np.int64))
    if has_open:
        dummy = n_real
        matrix = np.full((n_real + 1, n_real + 1), FORBIDDEN, dtype=np.int64)
        matrix[:n_real, :n_real] = base
        matrix[:, dummy] = 0
        depot_of[-1] = len(depot_locs)
        depot_locs.append(dummy)
    else:
        matrix = base
    del base

    # -- profiles: one per distinct set of skill requirements a volunteer can meet -------
    copy_needs: dict[int, np.ndarray] = {}
    for (_, needs), idx in key_index.items():
        if needs:
            copy_needs[idx] = np.frombuffer(needs, dtype=bool)
    profile_of_vol: dict[int, int] = {}
    profile_keys: dict[tuple[int, ...], int] = {}
    matrices: list[np.ndarray[Any, Any]] = []
    for v in vols:
        has = problem.vol_has[v]
        forbidden = tuple(sorted(idx for idx, needs in copy_needs.items() if (needs & ~has).any()))
        p = profile_keys.get(forbidden)
        if p is None:
            p = profile_keys[forbidden] = len(matrices)
            if forbidden:
                m = matrix.copy()
                m[:, list(forbidden)] = FORBIDDEN
                for idx in forbidden:
                    m[idx, idx] = 0
            else:
                m = matrix
            matrices.append(m)
        profile_of_vol[int(v)] = p

    # -- prizes: priority first, then count, then travel ---------------------------------
    max_edge = int(matrix[matrix < FORBIDDEN].max()) if matrix.size else 1
    unit = 2 * max_edge + 1
    prio_unit = PRIORITY_FACTOR * unit

    locations = [pyvrp.Location(*map(float, problem.coords[inst_locs[i]])) for i in range(n_real)]
    if has_open:
        locations.append(pyvrp.Location(0.0, 0.0))
    depots = [pyvrp.Depot(location=loc) for loc in depot_locs]
    clients = []
    for i, t in enumerate(tasks):
        w0, w1 = problem.task_w0[t], problem.task_w1[t]
        clients.append(
            pyvrp.Client(
                location=client_locs[i],
                delivery=[math.ceil(problem.task_load[t])],
                service_duration=math.ceil(problem.task_service[t]),
                tw_early=max(0, math.ceil(w0)) if math.isfinite(w0) else 0,
                tw_late=math.floor(w1) if math.isfinite(w1) else BIG_TIME,
                prize=0 if required else int(problem.task_priority[t]) * prio_unit + unit,
                required=required,
            )
        )
    # -- vehicle types ------------------------------------------------------------------
    type_key: dict[tuple[int, ...], int] = {}
    type_vols: list[list[int]] = []
    vtypes_args: list[dict[str, int | list[int]]] = []
    for v in vols:
        v = int(v)
        end = int(problem.vol_end[v])
        cap = problem.vol_capacity[v]
        args: dict[str, int | list[int]] = {
            "capacity": [int(min(math.floor(cap), BIG_TIME))],
            "start_depot": depot_of[int(problem.vol_start[v])],
            "end_depot": depot_of[end if end >= 0 else -1],
            "tw_early": max(0, _int_time(math.ceil(problem.vol_shift0[v]), 0)),
            "tw_late": _int_time(math.floor(problem.vol_shift1[v]), BIG_TIME),
            "profile": profile_of_vol[v],
        }
        key = tuple(x if isinstance(x, int) else x[0] for x in args.values())
        k = type_key.get(key)
        if k is None:
            k = type_key[key] = len(type_vols)
            type_vols.append([])
            vtypes_args.append(args)
        type_vols[k].append(v)
    vehicle_types = [
        pyvrp.VehicleType(num_available=len(vs), **args)  # type: ignore[arg-type]
        for vs, args in zip(type_vols, vtypes_args, strict=True)
    ]
    data = pyvrp.ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=matrices,
        duration_matrices=matrices,
    )
    vol_type = {v: k for k, vs in enumerate(type_vols) for v in vs}
    max_prize = max((c.prize for c in clients), default=1)
    neighbours = (
        kdtree_neighbours(problem, tasks, NUM_NEIGHBOURS)
        if len(tasks) > KDTREE_NEIGHBOURS_FROM
        else None
    )
    return PyVRPModel(
        data=data,
        tasks=tasks,
        type_vols=type_vols,
        vol_type=vol_type,
        max_prize=max_prize,
        unit=unit,
        required=required,
        neighbours=neighbours,
    )


def kdtree_neighbours(problem: Problem, tasks: IntArray, k: int) -> list[np.ndarray[Any, Any]]:
    """For each task, the ``k`` nearest others by PyVRP's proximity (travel + 0.2 x
    minimum wait + minimum time warp), searched among the 2k nearest buildings' tasks by
    a k-d tree: O(n k log n) instead of PyVRP's all-pairs computation, which took over a
    second at 3,400 tasks."""
    n = len(tasks)
    k = min(k, n - 1)
    if k <= 0:
        return [np.zeros(0, dtype=np.int64) for _ in range(n)]
    loc = problem.task_loc[tasks]
    pts = problem.coords[loc]
    kk = min(n, 2 * k + 1)
    _, idx = cKDTree(pts).query(pts, k=kk)
    idx = np.asarray(idx, dtype=np.int64).reshape(n, kk)
    i = np.repeat(np.arange(n), kk)
    j = idx.ravel()
    d = problem.travel_pairs(loc[i], loc[j])
    early = np.nan_to_num(problem.task_w0[tasks], neginf=0.0)
    late = np.nan_to_num(problem.task_w1[tasks], posinf=float(BIG_TIME))
    service = problem.task_service[tasks]
    wait = np.maximum(early[j] - d - service[i] - late[i], 0.0)
    warp = np.maximum(early[i] + service[i] + d - late[j], 0.0)
    prox = (d + 0.2 * wait + warp).reshape(n, kk)
    prox[idx == np.arange(n)[:, None]] = np.inf
    best = np.argsort(prox, axis=1, kind="stable")[:, :k]
    return list(np.take_along_axis(idx, best, axis=1))


def to_pyvrp_solution(model: PyVRPModel, routes: Routes) -> pyvrp.Solution:
    """PyVRP solution for internal routes (tasks outside the model are ignored)."""
    import pyvrp

    client_of = {int(t): i for i, t in enumerate(model.tasks)}
    pv_routes = []
    for v, k in model.vol_type.items():
        visits = [client_of[t] for t in routes[v] if t in client_of]
        if visits:
            pv_routes.append(pyvrp.Route(model.data, visits, k))
    return pyvrp.Solution(model.data, pv_routes)


def from_pyvrp_solution(model: PyVRPModel, solution: pyvrp.Solution, n_vols: int) -> Routes:
    """Internal routes of a PyVRP solution (volunteers of a type in listed order)."""
    import pyvrp

    routes: Routes = [[] for _ in range(n_vols)]
    free = [list(vs) for vs in model.type_vols]
    for route in solution.routes():
        visits = [int(model.tasks[a.idx]) for a in route if a.type == pyvrp.ActivityType.CLIENT]
        if visits:
            v = free[route.vehicle_type()].pop(0)
            routes[v] = visits
    return routes


def improve(
    model: PyVRPModel,
    initial: Routes,
    n_vols: int,
    seed: int,
    time_limit_s: float,
    max_iterations: int | None = None,
    until_feasible: bool = False,
    deadline: float | None = None,
    exhaustive: bool | None = None,
) -> tuple[Routes, bool]:
    """Run PyVRP's ILS from ``initial``; stop on the iteration budget when given
    (deterministic), else on the time limit; with ``until_feasible`` also at the first
    feasible plan. With ``deadline`` (perf_counter seconds) the time limit is what is left
    of it once the search is set up. Returns the routes and whether PyVRP
    considers them feasible (with required tasks: all served)."""
    import pyvrp
    from pyvrp import stop
    from pyvrp.search import (
        OPERATORS,
        LocalSearch,
        NeighbourhoodParams,
        PerturbationManager,
        PerturbationParams,
        compute_neighbours,
    )

    criterion: stop.StoppingCriterion = (
        stop.MaxIterations(max_iterations)
        if max_iterations is not None
        else stop.MaxRuntime(max(time_limit_s, 0.0))
    )
    if until_feasible:
        criterion = stop.MultipleCriteria([stop.FirstFeasible(), criterion])
    # Prizes dwarf distances, so PyVRP's default penalties (at most 1e5 per unit of excess
    # load or time warp) would make overloaded or late routes pay; start above the
    # largest prize and let the penalty manager adapt within [min, max].
    n_loads = model.data.num_load_dimensions
    if model.required:
        penalty_params = pyvrp.PenaltyParams()
        pm = pyvrp.PenaltyManager(penalty_params.midpoint_penalties(model.data), penalty_params)
    else:
        top = float(model.max_prize)
        penalty_params = pyvrp.PenaltyParams(
            min_penalty=PENALTY_MIN_SHARE * top, max_penalty=PENALTY_MAX_SHARE * top
        )
        init = PENALTY_INIT_SHARE * top
        pm = pyvrp.PenaltyManager(([init] * n_loads, init, init), penalty_params)
    rng = pyvrp.RandomNumberGenerator(seed=seed)
    if model.neighbours is not None:
        client = pyvrp.ActivityType.CLIENT
        acts = [pyvrp.Activity(client, i) for i in range(len(model.tasks))]
        neighbours = {
            acts[i]: [acts[j] for j in row.tolist()] for i, row in enumerate(model.neighbours)
        }
    else:
        neighbourhood = NeighbourhoodParams(num_neighbours=NUM_NEIGHBOURS)
        neighbours = compute_neighbours(model.data, neighbourhood)
    ls = LocalSearch(
        model.data, rng, neighbours, PerturbationManager(PerturbationParams(1, MAX_PERTURBATIONS))
    )
    for op in OPERATORS:
        if op.supports(model.data):
            ls.add_operator(op(model.data))
    init_sol = to_pyvrp_solution(model, initial)
    if model.required and not init_sol.is_complete():
        # The search needs a complete start to repair: PyVRP's own random plan + descent.
        random_sol = pyvrp.Solution.make_random(model.data, rng)
        init_sol = ls(random_sol, pm.max_cost_evaluator(), exhaustive=True)
    if max_iterations is None and deadline is not None:
        # the clock starts now: model setup above already used part of the budget
        criterion = stop.MaxRuntime(max(deadline - time.perf_counter(), 0.0))
        if until_feasible:
            criterion = stop.MultipleCriteria([stop.FirstFeasible(), criterion])
    if exhaustive is None:
        exhaustive = len(model.tasks) <= EXHAUSTIVE_MAX_TASKS
    exhaustive = EXHAUSTIVE_ON_BEST and exhaustive
    best = iterated_local_search(
        pm,
        ls,
        init_sol,
        criterion,
        exhaustive,
        REFRESH_EVERY if exhaustive and not model.required else 0,
        None if model.required or WALK_PRIZE_SLACK is None else int(WALK_PRIZE_SLACK * model.unit),
    )
    return from_pyvrp_solution(model, best, n_vols), bool(best.is_feasible())


def iterated_local_search(
    pm: pyvrp.PenaltyManager,
    ls: Any,
    init: pyvrp.Solution,
    stop: Any,
    exhaustive_on_best: bool,
    refresh_every: int,
    prize_floor: int | None = None,
) -> pyvrp.Solution:
    """PyVRP's iterated local search with late-acceptance hill climbing (the loop of
    ``pyvrp.IteratedLocalSearch`` 0.14), with two changes for prize collecting:

    - the walk never accepts a plan whose collected prize is more than ``prize_floor``
      below the best plan's. Otherwise it drops a task to shorten routes, spends the
      rest of the run improving travel on a plan of lower priority, and the best plan
      (found early, with poor routes) is never replaced;
    - every ``refresh_every`` iterations the walk's plan gets a full local-search pass,
      which re-inserts tasks the perturbed search (only around a few clients) left out.
    """
    from pyvrp.RingBuffer import RingBuffer

    history: RingBuffer[pyvrp.Solution] = RingBuffer(ILS_HISTORY_LENGTH)
    best = curr = init
    cost_eval = pm.cost_evaluator()
    iters = improved = 0
    started = time.perf_counter()
    while not stop(cost_eval.cost(best)):
        iters += 1
        cost_eval = pm.cost_evaluator()
        cand = ls(curr, cost_eval, exhaustive=False)
        pm.register(cand)
        if refresh_every and iters % refresh_every == 0:
            cand = ls(cand, cost_eval, exhaustive=True)
        if cost_eval.cost(cand) < cost_eval.cost(best):
            improved += 1
            best = cand
            if exhaustive_on_best:
                cand = ls(cand, cost_eval, exhaustive=True)
                if cand.is_feasible():
                    best = cand
        cand_cost = cost_eval.penalised_cost(cand)
        curr_cost = cost_eval.penalised_cost(curr)
        late = history.peek()
        late_cost = cost_eval.penalised_cost(init if late is None else late)
        walk_ok = prize_floor is None or cand.prizes() >= best.prizes() - prize_floor
        if walk_ok and (cand_cost < late_cost or cand_cost < curr_cost):
            curr, curr_cost = cand, cand_cost
        if curr_cost < late_cost or late is None:
            history.append(curr)
        else:
            history.skip()
    log.debug(
        "ILS: %d iterations, %d new bests, %.2fs", iters, improved, time.perf_counter() - started
    )
    return best

"""Post-optimisation moves in pure numpy/Python: leftover insertion, priority swap-in
(eject a lower-priority task to make room for a higher one) and feasibility repair."""

from __future__ import annotations

import time

import numpy as np

from wushe.dispatch.engine.construct import value_order
from wushe.dispatch.engine.problem import Problem
from wushe.dispatch.engine.routes import RouteSet, RouteState, evaluate_route
from wushe.dispatch.engine.solution import Routes


def violation(problem: Problem, v: int, tasks: list[int]) -> float:
    """Time warp (lateness, PyVRP-style: the clock is set back to the window end) plus
    excess load of a route; zero exactly when the route is feasible."""
    clock = float(problem.vol_shift0[v])
    here = int(problem.vol_start[v])
    warp = 0.0
    for t in tasks:
        loc = int(problem.task_loc[t])
        clock += problem.travel(here, loc)
        if clock > problem.task_w1[t]:
            warp += clock - problem.task_w1[t]
            clock = float(problem.task_w1[t])
        clock = max(clock, float(problem.task_w0[t])) + float(problem.task_service[t])
        here = loc
    end = int(problem.vol_end[v])
    if end >= 0 and tasks:
        clock += problem.travel(here, end)
    warp += max(0.0, clock - float(problem.vol_shift1[v]))
    excess = float(problem.task_load[tasks].sum()) - float(problem.vol_capacity[v]) if tasks else 0
    return warp + max(0.0, excess) * 1e6


def repair(problem: Problem, routes: Routes) -> Routes:
    """Make every route feasible by removing tasks: first those needing a skill the
    volunteer lacks, then repeatedly the one whose removal
    leaves the least violation (then the lowest priority). Removed tasks become
    unassigned; callers may re-insert them elsewhere."""
    fixed: Routes = []
    for v, tasks in enumerate(routes):
        if problem.skills and tasks:
            lacking = problem.task_needs[np.asarray(tasks)] & ~problem.vol_has[v]
            tasks = [t for t, bad in zip(tasks, lacking.any(axis=1), strict=True) if not bad]
        tasks = list(tasks)
        if tasks and not evaluate_route(problem, v, tasks).feasible:
            while tasks and violation(problem, v, tasks) > 0:
                options = [
                    (
                        violation(problem, v, tasks[:i] + tasks[i + 1 :]),
                        int(problem.task_priority[t]),
                        i,
                    )
                    for i, t in enumerate(tasks)
                ]
                tasks.pop(min(options)[2])
        fixed.append(tasks)
    return fixed


def insert_leftovers(rs: RouteSet) -> int:
    """Cheapest-insert every unassigned task in value order; return how many were placed."""
    placed = 0
    for t in value_order(rs.problem):
        t = int(t)
        if t in rs.where:
            continue
        ins = rs.best_insertion(t)
        if ins is not None:
            rs.insert(t, ins.vol, ins.slot)
            placed += 1
    return placed


def slot_insertion(problem: Problem, state: RouteState, v: int, task: int) -> tuple[float, int]:
    """(travel delta, slot) of the cheapest feasible slot of ``task`` in one route, or
    (inf, -1). Skills are the caller's concern."""
    if state.load + problem.task_load[task] > problem.vol_capacity[v]:
        return np.inf, -1
    loc = np.int64(problem.task_loc[task])
    d_in = problem.travel_pairs(state.prev_loc, loc)
    open_end = state.next_loc < 0
    d_out = problem.travel_pairs(loc, np.where(open_end, loc, state.next_loc))
    d_out[open_end] = 0.0
    arrive = state.prev_depart + d_in
    ok = arrive <= problem.task_w1[task]
    begin = np.maximum(arrive, problem.task_w0[task])
    ok &= begin + problem.task_service[task] + d_out <= state.next_latest
    if not ok.any():
        return np.inf, -1
    delta = np.where(ok, d_in + d_out - state.base_leg, np.inf)
    j = int(np.argmin(delta))
    return float(delta[j]), j


def swap_in(rs: RouteSet, max_tasks: int = 200, deadline: float = np.inf) -> int:
    """For unassigned tasks (highest priority first) find a route where ejecting one task
    of lower priority makes room; apply the best such swap, then try to re-place the
    ejected task elsewhere. Deterministic unless the ``deadline`` (perf_counter seconds)
    cuts it short; returns the number of swaps applied."""
    p = rs.problem
    if not rs.where:
        return 0
    served_prio = np.array([p.task_priority[t] for t in rs.where])
    floor = int(served_prio.min())
    unassigned = [int(t) for t in value_order(p) if int(t) not in rs.where]
    candidates = [t for t in unassigned if p.task_priority[t] > floor][:max_tasks]
    swaps = 0
    for u in candidates:
        if u in rs.where:
            continue
        if time.perf_counter() > deadline:
            break
        compat = p.compatible(u)
        best: tuple[float, float, int, int, int] | None = None  # (-gain, delta, v, w, slot)
        for v in np.nonzero(compat)[0]:
            v = int(v)
            tasks = rs.states[v].tasks
            spare = p.vol_capacity[v] - rs.states[v].load
            for i, w in enumerate(tasks):
                gain = int(p.task_priority[u]) - int(p.task_priority[w])
                if gain <= 0:
                    continue
                if spare + p.task_load[w] < p.task_load[u]:
                    continue
                reduced = evaluate_route(p, v, tasks[:i] + tasks[i + 1 :])
                delta, slot = slot_insertion(p, reduced, v, u)
                if slot < 0:
                    continue
                delta += reduced.travel - rs.states[v].travel
                key = (-gain, delta, v, w, slot)
                if best is None or key[:2] < best[:2]:
                    best = key
        if best is None:
            continue
        _, _, v, w, slot = best
        tasks = [t for t in rs.states[v].tasks if t != w]
        tasks.insert(slot, u)
        rs.where.pop(w, None)
        rs.set_route(v, tasks)
        swaps += 1
        ins = rs.best_insertion(w)
        if ins is not None:
            rs.insert(w, ins.vol, ins.slot)
    return swaps

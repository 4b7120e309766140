"""Construction heuristics: priority-ordered cheapest insertion, and the nearest-volunteer
greedy used as a baseline in the benchmark."""

from __future__ import annotations

import numpy as np

from wushe.dispatch.engine.problem import IntArray, Problem
from wushe.dispatch.engine.routes import RouteSet
from wushe.dispatch.engine.solution import Routes


def value_order(problem: Problem) -> IntArray:
    """Tasks by priority per unit of load (a knapsack greedy: capacity is usually the
    binding resource), then smaller load (more tasks for the same priority), then tighter
    windows first; stable by index."""
    prio = problem.task_priority.astype(np.float64)
    ratio = prio / np.maximum(problem.task_load, 0.5)
    width = np.minimum(problem.task_w1 - problem.task_w0, 1e12)
    return np.lexsort((np.arange(problem.n_tasks), width, problem.task_load, -ratio))


def cheapest_insertion(
    problem: Problem, order: IntArray | None = None, routes: Routes | None = None
) -> RouteSet:
    """Insert tasks one by one (in ``order``) at their cheapest feasible slot."""
    rs = RouteSet(problem, routes)
    if order is None:
        order = value_order(problem)
    for t in order:
        t = int(t)
        if t in rs.where:
            continue
        ins = rs.best_insertion(t)
        if ins is not None:
            rs.insert(t, ins.vol, ins.slot)
    return rs


def nearest_volunteer_greedy(problem: Problem) -> Routes:
    """Baseline: tasks in priority order, each appended to the route of the nearest
    volunteer (from where that volunteer currently is) that can still serve it."""
    n = problem.n_vols
    routes: Routes = [[] for _ in range(n)]
    here = problem.vol_start.copy()
    clock = problem.vol_shift0.copy()
    load = np.zeros(n)
    has_task = np.zeros(n, dtype=bool)
    ends = problem.vol_end
    order = np.lexsort((np.arange(problem.n_tasks), -problem.task_priority))
    for t in order:
        t = int(t)
        ok = problem.compatible(t) & (load + problem.task_load[t] <= problem.vol_capacity)
        if not ok.any():
            continue
        loc = int(problem.task_loc[t])
        leg = problem.travel_pairs(here, np.int64(loc))
        arrive = clock + leg
        ok &= arrive <= problem.task_w1[t]
        done = np.maximum(arrive, problem.task_w0[t]) + problem.task_service[t]
        back = problem.travel_pairs(np.int64(loc), np.where(ends >= 0, ends, loc))
        back[ends < 0] = 0.0
        ok &= done + back <= problem.vol_shift1
        if not ok.any():
            continue
        v = int(np.argmin(np.where(ok, leg, np.inf)))
        routes[v].append(t)
        here[v] = loc
        clock[v] = done[v]
        load[v] += problem.task_load[t]
        has_task[v] = True
    return routes

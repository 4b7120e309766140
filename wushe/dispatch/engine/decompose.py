"""Spatial decomposition of large instances into independent regions.

Volunteers are placed at the centroid of their current route (their start when idle) and
split by recursive median bisection along the wider axis until each region holds at most
``REGION_MAX_TASKS`` tasks. A region's tasks are those its volunteers already serve plus
the unserved candidates nearest (cKDTree) to one of its volunteers. Regions share no
task and no volunteer, so their improved routes simply replace the old ones.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

from wushe.dispatch.engine.problem import DENSE_MATRIX_MAX_LOCATIONS, IntArray, Problem
from wushe.dispatch.engine.solution import Routes

# Up to this many candidate tasks are searched as one region (5,000x250: travel 322k as
# one region of 3,400 tasks, 496k as two); larger instances are split into regions of
# REGION_MAX_TASKS (20,000x1,000: priority 517k with 2,500, 516k with 5,000).
SINGLE_REGION_MAX_TASKS = 5000
REGION_MAX_TASKS = 2500
# Leave room for skill copies of locations and depots within the dense-matrix limit.
REGION_MAX_LOCATIONS = DENSE_MATRIX_MAX_LOCATIONS // 2
# Tasks per region when nearly every task has its own location.
REGION_MAX_TASKS_SPREAD = DENSE_MATRIX_MAX_LOCATIONS * 3 // 8


def _spread(problem: Problem, tasks: IntArray) -> bool:
    return len(np.unique(problem.task_loc[tasks])) > REGION_MAX_LOCATIONS


def split_threshold(problem: Problem, tasks: IntArray) -> int:
    """Above this many tasks an instance is split into regions."""
    return REGION_MAX_TASKS_SPREAD if _spread(problem, tasks) else SINGLE_REGION_MAX_TASKS


def region_task_limit(problem: Problem, tasks: IntArray) -> int:
    """Most tasks a region may hold so that its dense matrices stay small."""
    return REGION_MAX_TASKS_SPREAD if _spread(problem, tasks) else REGION_MAX_TASKS


def regions(problem: Problem, tasks: IntArray, routes: Routes) -> list[tuple[IntArray, IntArray]]:
    """Partition candidate ``tasks`` and all volunteers into (tasks, volunteers) regions."""
    vols = np.arange(problem.n_vols, dtype=np.int64)
    if len(tasks) <= split_threshold(problem, tasks):
        return [(np.asarray(tasks, dtype=np.int64), vols)]
    limit = region_task_limit(problem, tasks)
    centroid = np.empty((problem.n_vols, 2))
    routed = np.zeros(problem.n_vols)
    for v, r in enumerate(routes):
        if r:
            centroid[v] = problem.coords[problem.task_loc[np.asarray(r)]].mean(axis=0)
            routed[v] = len(r)
        else:
            centroid[v] = problem.coords[problem.vol_start[v]]
    in_route = {t for r in routes for t in r}
    free = np.array([t for t in tasks if int(t) not in in_route], dtype=np.int64)
    owner = np.full(problem.n_vols, 0.0)
    free_owner = np.zeros(0, dtype=np.int64)
    if len(free):
        _, nearest = cKDTree(centroid).query(problem.coords[problem.task_loc[free]])
        free_owner = np.asarray(nearest, dtype=np.int64)
        owner = np.bincount(free_owner, minlength=problem.n_vols).astype(np.float64)
    weight = routed + owner

    parts: list[IntArray] = []

    def split(members: IntArray) -> None:
        if weight[members].sum() <= limit or len(members) <= 1:
            parts.append(members)
            return
        pts = centroid[members]
        axis = int(np.argmax(pts.max(axis=0) - pts.min(axis=0)))
        ordered = members[np.lexsort((members, pts[:, axis]))]
        cum = np.cumsum(weight[ordered])
        cut = int(np.searchsorted(cum, cum[-1] / 2)) + 1
        cut = min(max(cut, 1), len(ordered) - 1)
        split(ordered[:cut])
        split(ordered[cut:])

    split(vols)
    region_of = np.empty(problem.n_vols, dtype=np.int64)
    for k, members in enumerate(parts):
        region_of[members] = k
    out: list[tuple[IntArray, IntArray]] = []
    for k, members in enumerate(parts):
        own = [t for v in members for t in routes[int(v)]]
        extra = free[region_of[free_owner] == k] if len(free) else free
        region_tasks = np.sort(np.concatenate((np.asarray(own, dtype=np.int64), extra)))
        out.append((region_tasks, np.sort(members)))
    return out


def task_regions(
    problem: Problem, tasks: IntArray, n_parts: int
) -> list[tuple[IntArray, IntArray]]:
    """Regions for a cold start: tasks split by recursive median bisection (weighted by
    load), volunteers dealt out so that each region gets a share of every skill group's
    capacity proportional to its task load."""
    tasks = np.asarray(tasks, dtype=np.int64)
    pts = problem.coords[problem.task_loc[tasks]]
    weight = problem.task_load[tasks] + 0.5
    groups: list[IntArray] = []

    def split(idx: IntArray, parts: int) -> None:
        if parts <= 1 or len(idx) <= 1:
            groups.append(idx)
            return
        p = pts[idx]
        axis = int(np.argmax(p.max(axis=0) - p.min(axis=0)))
        ordered = idx[np.lexsort((idx, p[:, axis]))]
        left_parts = parts // 2
        cum = np.cumsum(weight[ordered])
        cut = int(np.searchsorted(cum, cum[-1] * left_parts / parts)) + 1
        cut = min(max(cut, 1), len(ordered) - 1)
        split(ordered[:cut], left_parts)
        split(ordered[cut:], parts - left_parts)

    split(np.arange(len(tasks)), n_parts)
    share = np.array([weight[g].sum() for g in groups])
    share = share / share.sum()
    members: list[list[int]] = [[] for _ in groups]
    signature = [problem.vol_has[v].tobytes() for v in range(problem.n_vols)]
    for sig in sorted(set(signature)):
        vols = [v for v in range(problem.n_vols) if signature[v] == sig]
        vols.sort(key=lambda v: (-problem.vol_capacity[v], v))
        target = share * sum(float(problem.vol_capacity[v]) for v in vols)
        given = np.zeros(len(groups))
        for v in vols:
            k = int(np.argmax(target - given))
            members[k].append(v)
            given[k] += float(problem.vol_capacity[v])
    return [
        (np.sort(tasks[g]), np.asarray(sorted(m), dtype=np.int64))
        for g, m in zip(groups, members, strict=True)
    ]


def halves(
    problem: Problem, tasks: IntArray, vols: IntArray, routes: Routes, angle: float
) -> list[tuple[IntArray, IntArray]]:
    """Two disjoint (tasks, volunteers) halves of one region for the cooperative search:
    volunteers ordered by the projection of their route's centroid (their start when
    idle) on the direction ``angle`` and cut where half of the routed and offered tasks
    lie on each side; a task no route serves goes to the half of the route centroid
    nearest to it. Tasks on a half's routes are always in that half (whether candidates
    or not), so merging the two improved halves gives a plan with every task once."""
    vols = np.asarray(vols, dtype=np.int64)
    centroid = np.empty((len(vols), 2))
    routed = np.zeros(len(vols))
    for i, v in enumerate(vols):
        r = routes[int(v)]
        if r:
            centroid[i] = problem.coords[problem.task_loc[np.asarray(r)]].mean(axis=0)
            routed[i] = len(r)
        else:
            centroid[i] = problem.coords[problem.vol_start[v]]
    in_route = {t for v in vols for t in routes[int(v)]}
    free = np.array([t for t in tasks if int(t) not in in_route], dtype=np.int64)
    owner = np.zeros(len(vols))
    free_owner = np.zeros(0, dtype=np.int64)
    if len(free):
        _, nearest = cKDTree(centroid).query(problem.coords[problem.task_loc[free]])
        free_owner = np.asarray(nearest, dtype=np.int64)
        owner = np.bincount(free_owner, minlength=len(vols)).astype(np.float64)
    proj = centroid @ np.array([math.cos(angle), math.sin(angle)])
    order = np.lexsort((vols, proj))
    cum = np.cumsum((routed + owner)[order])
    cut = int(np.searchsorted(cum, cum[-1] / 2)) + 1
    cut = min(max(cut, 1), len(order) - 1)
    side = np.zeros(len(vols), dtype=np.int64)
    side[order[cut:]] = 1
    out: list[tuple[IntArray, IntArray]] = []
    for k in (0, 1):
        members = vols[side == k]
        own = np.asarray([t for v in members for t in routes[int(v)]], dtype=np.int64)
        extra = free[side[free_owner] == k] if len(free) else free
        out.append((np.sort(np.concatenate((own, extra))), np.sort(members)))
    return out

"""Route schedules and vectorised cheapest feasible insertion (:class:`RouteSet`).

A route is the list of task indices one volunteer serves. For each route we keep the
departure time after every stop (forward pass) and the latest feasible arrival at every
stop (backward pass), so a task can be tested at every slot of every route at once:
arriving at slot ``j`` no later than the next stop's latest arrival keeps the rest of the
route feasible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wushe.dispatch.engine.problem import BoolArray, FloatArray, IntArray, Problem


@dataclass
class RouteState:
    """Schedule of one route; slot ``j`` means "insert before stop ``j``" (``j == k``: last)."""

    tasks: list[int]
    feasible: bool
    travel: float
    load: float
    # One entry per slot (k + 1 entries):
    prev_loc: IntArray
    prev_depart: FloatArray
    next_loc: IntArray  # -1 = no next stop (open route end)
    next_latest: FloatArray
    base_leg: FloatArray


def evaluate_route(problem: Problem, v: int, tasks: list[int]) -> RouteState:
    """Forward/backward pass over a route of volunteer ``v`` (checker rules)."""
    k = len(tasks)
    start = int(problem.vol_start[v])
    end = int(problem.vol_end[v])
    shift0 = float(problem.vol_shift0[v])
    shift1 = float(problem.vol_shift1[v])
    t_idx = np.asarray(tasks, dtype=np.int64)
    locs = problem.task_loc[t_idx]
    seq = np.concatenate(([start], locs))
    legs = problem.travel_pairs(seq[:-1], seq[1:]) if k else np.zeros(0)
    w0 = problem.task_w0[t_idx]
    w1 = problem.task_w1[t_idx]
    service = problem.task_service[t_idx]
    depart = np.empty(k + 1)
    depart[0] = shift0
    feasible = True
    clock = shift0
    for i in range(k):
        clock += legs[i]
        if clock > w1[i]:
            feasible = False
        clock = max(clock, w0[i]) + service[i]
        depart[i + 1] = clock
    end_leg = float(problem.travel(int(seq[-1]), end)) if (end >= 0 and k) else 0.0
    if clock + end_leg > shift1:
        feasible = False
    load = float(problem.task_load[t_idx].sum()) if k else 0.0
    if load > problem.vol_capacity[v]:
        feasible = False
    # latest[i] = latest arrival at stop i that keeps the rest of the route feasible
    latest = np.empty(k + 1)
    latest[k] = shift1
    for i in range(k - 1, -1, -1):
        if i == k - 1:
            after = shift1 - end_leg - service[i]
        else:
            after = latest[i + 1] - legs[i + 1] - service[i]
        latest[i] = min(w1[i], after)
    prev_loc = seq.copy()
    prev_depart = depart
    next_loc = np.empty(k + 1, dtype=np.int64)
    next_loc[:k] = locs
    next_loc[k] = end
    next_latest = np.empty(k + 1)
    next_latest[:k] = latest[:k]
    next_latest[k] = shift1
    base_leg = np.empty(k + 1)
    base_leg[:k] = legs
    base_leg[k] = end_leg
    return RouteState(
        tasks=list(tasks),
        feasible=feasible,
        travel=float(legs.sum()) + end_leg,
        load=load,
        prev_loc=prev_loc,
        prev_depart=prev_depart,
        next_loc=next_loc,
        next_latest=next_latest,
        base_leg=base_leg,
    )


@dataclass
class Insertion:
    vol: int
    slot: int
    delta: float


class RouteSet:
    """All volunteers' routes with a flat, lazily rebuilt view of every insertion slot."""

    def __init__(self, problem: Problem, routes: list[list[int]] | None = None) -> None:
        self.problem = problem
        if routes is None:
            routes = [[] for _ in range(problem.n_vols)]
        self.states = [evaluate_route(problem, v, r) for v, r in enumerate(routes)]
        self.where: dict[int, int] = {t: v for v, r in enumerate(routes) for t in r}
        self._flat: dict[str, np.ndarray] | None = None

    @property
    def routes(self) -> list[list[int]]:
        return [s.tasks for s in self.states]

    def _rebuild(self) -> dict[str, np.ndarray]:
        p = self.problem
        sizes = np.fromiter((len(s.tasks) + 1 for s in self.states), dtype=np.int64)
        vol = np.repeat(np.arange(p.n_vols, dtype=np.int64), sizes)
        slot = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(sizes) - sizes, sizes
        )
        cat = np.concatenate
        self._flat = {
            "vol": vol,
            "slot": slot,
            "prev_loc": cat([s.prev_loc for s in self.states]),
            "prev_depart": cat([s.prev_depart for s in self.states]),
            "next_loc": cat([s.next_loc for s in self.states]),
            "next_latest": cat([s.next_latest for s in self.states]),
            "base_leg": cat([s.base_leg for s in self.states]),
            "spare": (p.vol_capacity - np.array([s.load for s in self.states]))[vol],
        }
        return self._flat

    def invalidate(self) -> None:
        self._flat = None

    def flat(self) -> dict[str, np.ndarray]:
        return self._flat if self._flat is not None else self._rebuild()

    def best_insertion(self, task: int, allowed: BoolArray | None = None) -> Insertion | None:
        """Cheapest feasible slot for ``task`` over volunteers in ``allowed`` (skills apply)."""
        p = self.problem
        if not self.states:
            return None
        f = self.flat()
        ok_vol = p.compatible(task)
        if allowed is not None:
            ok_vol = ok_vol & allowed
        ok = ok_vol[f["vol"]] & (f["spare"] >= p.task_load[task])
        if not ok.any():
            return None
        idx = np.nonzero(ok)[0]
        loc = int(p.task_loc[task])
        prev_loc = f["prev_loc"][idx]
        next_loc = f["next_loc"][idx]
        d_in = p.travel_pairs(prev_loc, np.int64(loc))
        open_end = next_loc < 0
        d_out = p.travel_pairs(np.int64(loc), np.where(open_end, loc, next_loc))
        d_out[open_end] = 0.0
        arrive = f["prev_depart"][idx] + d_in
        feasible = arrive <= p.task_w1[task]
        begin = np.maximum(arrive, p.task_w0[task])
        feasible &= begin + p.task_service[task] + d_out <= f["next_latest"][idx]
        if not feasible.any():
            return None
        delta = d_in + d_out - f["base_leg"][idx]
        delta = np.where(feasible, delta, np.inf)
        best = int(np.argmin(delta))  # first minimum: deterministic tie-break
        pos = int(idx[best])
        return Insertion(vol=int(f["vol"][pos]), slot=int(f["slot"][pos]), delta=float(delta[best]))

    def insert(self, task: int, vol: int, slot: int) -> None:
        tasks = list(self.states[vol].tasks)
        tasks.insert(slot, task)
        self.states[vol] = evaluate_route(self.problem, vol, tasks)
        self.where[task] = vol
        self._flat = None

    def remove(self, task: int) -> int | None:
        """Remove ``task`` from its route; return the volunteer index or None."""
        vol = self.where.pop(task, None)
        if vol is None:
            return None
        tasks = [t for t in self.states[vol].tasks if t != task]
        self.states[vol] = evaluate_route(self.problem, vol, tasks)
        self._flat = None
        return vol

    def set_route(self, vol: int, tasks: list[int]) -> None:
        for t in self.states[vol].tasks:
            self.where.pop(t, None)
        self.states[vol] = evaluate_route(self.problem, vol, tasks)
        for t in tasks:
            self.where[t] = vol
        self._flat = None

    def travel(self) -> float:
        return float(sum(s.travel for s in self.states))

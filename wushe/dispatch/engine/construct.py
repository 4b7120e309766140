"""Construction heuristics: priority-ordered cheapest insertion, regret insertion by tiers
of equal priority per load, and the nearest-volunteer greedy used as a baseline in the
benchmark."""

from __future__ import annotations

import numpy as np

from wushe.dispatch.engine.problem import DENSE_MATRIX_MAX_LOCATIONS, IntArray, Problem
from wushe.dispatch.engine.routes import RouteSet, RouteState
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


# Regret insertion: extra cost (seconds) of giving a task to a volunteer who has a scarce
# skill the task does not need, so that the skill's own tasks keep their time. 2,000x100
# seeds 1-3 at 2,000 iterations: priority 1.0019 / 1.0019 / 1.0008 of VROOM's with it,
# 0.9990 / 1.0002 / 0.9988 without; 5,000x250: 1.0000 vs 0.9993.
SKILL_PENALTY = 1000.0
# A skill is scarce when its tasks' service time is this share of its holders' shifts.
SCARCE_SKILL_LOAD = 0.5


# Regret insertion re-costs every route once per tier: fine for the few tiers of integer
# priorities and loads (4 on the generated streets), but with about one task per tier
# (fractional loads, wide priorities) it is cheapest insertion at ~8x its cost (5,000x250
# with 4,911 tiers: 12.5 s against 1.0 s, more than the time limit).
REGRET_MAX_ROUTE_REFRESHES = 20_000


def regret_affordable(problem: Problem, order: IntArray) -> bool:
    """Whether :func:`regret_insertion` over ``order`` stays within its refresh budget."""
    return len(_tiers(problem, order)) * problem.n_vols <= REGRET_MAX_ROUTE_REFRESHES


def _tiers(problem: Problem, order: IntArray) -> list[IntArray]:
    """``order`` cut into runs of equal priority per unit of load (see :func:`value_order`)."""
    ratio = problem.task_priority[order].astype(np.float64) / np.maximum(
        problem.task_load[order], 0.5
    )
    cuts = np.nonzero(np.diff(ratio) != 0)[0] + 1
    return np.split(order, cuts)


class _Columns:
    """Cheapest feasible slot of many tasks in one route at once (tasks x slots), on a
    dense matrix over the locations involved when that is small enough."""

    def __init__(self, problem: Problem, tasks: IntArray) -> None:
        self.p = problem
        locs = np.unique(
            np.concatenate(
                (problem.task_loc[tasks], problem.vol_start, problem.vol_end[problem.vol_end >= 0])
            )
        )
        self.matrix: np.ndarray | None = None
        if len(locs) <= DENSE_MATRIX_MAX_LOCATIONS // 2:
            self.local = np.full(problem.n_locations, -1, dtype=np.int64)
            self.local[locs] = np.arange(len(locs))
            self.matrix = problem.travel_matrix(locs).astype(np.float64)

    def _pairs(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if self.matrix is None:
            return self.p.travel_pairs(a, b)
        return self.matrix[self.local[a], self.local[b]]

    def costs(self, state: RouteState, v: int, tasks: IntArray) -> tuple[np.ndarray, np.ndarray]:
        p = self.p
        loc = p.task_loc[tasks][:, None]
        d_in = self._pairs(state.prev_loc[None, :], loc)
        open_end = state.next_loc < 0
        d_out = self._pairs(loc, np.where(open_end, loc, state.next_loc[None, :]))
        d_out[:, open_end] = 0.0
        arrive = state.prev_depart[None, :] + d_in
        ok = arrive <= p.task_w1[tasks][:, None]
        begin = np.maximum(arrive, p.task_w0[tasks][:, None])
        ok &= begin + p.task_service[tasks][:, None] + d_out <= state.next_latest[None, :]
        ok &= (state.load + p.task_load[tasks] <= p.vol_capacity[v])[:, None]
        delta = np.where(ok, d_in + d_out - state.base_leg[None, :], np.inf)
        slot = np.argmin(delta, axis=1)
        return delta[np.arange(len(tasks)), slot], slot


def scarce_skills(problem: Problem, tasks: IntArray) -> np.ndarray:
    """Skills whose tasks' service time is at least ``SCARCE_SKILL_LOAD`` of the shift time
    of the volunteers who have them (counsellors on generated streets: 1.04; drivers: 0.31)."""
    if not problem.skills:
        return np.zeros(0, dtype=bool)
    shift = np.minimum(problem.vol_shift1 - problem.vol_shift0, 1e12)
    supply = (problem.vol_has * shift[:, None]).sum(axis=0)
    demand = (problem.task_needs[tasks] * problem.task_service[tasks][:, None]).sum(axis=0)
    return demand >= SCARCE_SKILL_LOAD * np.maximum(supply, 1e-9)


def _rank(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the cheapest column and the three smallest costs ``c1 <= c2 <= c3``
    (with two columns ``c3 = c2``: regret-3 becomes twice regret-2)."""
    arg = np.argmin(rows, axis=1)
    first = rows[np.arange(len(rows)), arg]
    n = rows.shape[1]
    inf = np.full(len(rows), np.inf)
    if n == 1:
        return arg, first, inf, inf
    part = np.partition(rows, [1, 2] if n > 2 else [1], axis=1)
    return arg, first, part[:, 1], part[:, 2] if n > 2 else part[:, 1]


def regret_insertion(problem: Problem, order: IntArray) -> RouteSet:
    """Regret-3 insertion, tier by tier of equal priority per load (in ``order``'s
    order): within a tier, the task whose best slot is worth most over its second- and
    third-best routes goes in first. Volunteers with a scarce skill (:func:`scarce_skills`) the task
    does not need cost ``SKILL_PENALTY`` more. Empty routes of volunteers with the same
    start, end, shift, capacity and skills count once (their costs tie, which would hide
    every regret).

    Cheapest insertion in priority order sends each task to the nearest route with room,
    wherever that route has been; regret keeps for last the tasks that fit well almost
    anywhere (2,000x100 seeds 1-3: 159-172k travel at the start instead of 313-361k;
    regret-2: 160-178k)."""
    rs = RouteSet(problem)  # from empty routes: its dense view covers ``order``'s locations only
    order = np.asarray(order, dtype=np.int64)
    if not problem.n_vols or not len(order):
        return rs
    state = _RegretState(problem, rs, order)
    for tier in _tiers(problem, order):
        state.insert_tier(tier)
    return rs


class _RegretState:
    """What regret insertion keeps across tiers: the routes, which empty routes stand for
    their class, and the dense travel view."""

    def __init__(self, problem: Problem, rs: RouteSet, order: IntArray) -> None:
        self.p = problem
        self.rs = rs
        self.compat = problem.compatibility_matrix()
        self.cols = _Columns(problem, order)
        self.scarce = scarce_skills(problem, order)
        self.klass = np.unique(
            np.column_stack(
                (
                    problem.vol_start,
                    problem.vol_end,
                    problem.vol_shift0,
                    problem.vol_shift1,
                    problem.vol_capacity,
                    problem.vol_has.astype(np.float64),
                )
            ),
            axis=0,
            return_inverse=True,
        )[1].ravel()
        n_vols = problem.n_vols
        self.empty = np.fromiter((not s.tasks for s in rs.states), dtype=bool, count=n_vols)
        # hidden: empty routes that are not the first empty route of their class
        self.hidden = np.zeros(n_vols, dtype=bool)
        ev = np.flatnonzero(self.empty)
        self.hidden[ev] = True
        self.hidden[ev[np.unique(self.klass[ev], return_index=True)[1]]] = False

    def insert_tier(self, tier: IntArray) -> None:
        """Regret insertion of ``tier`` until none of its tasks fits. Only the column of the
        route that changed is re-evaluated after an insertion, and only rows whose three
        best routes it touched are re-ranked."""
        p, rs = self.p, self.rs
        m, n_vols = len(tier), p.n_vols
        extra = np.where(
            (p.vol_has[None, :, self.scarce] & ~p.task_needs[tier][:, None, self.scarce]).any(
                axis=2
            ),
            SKILL_PENALTY,
            0.0,
        )
        cost = np.full((m, n_vols), np.inf)
        slot = np.zeros((m, n_vols), dtype=np.int64)
        alive = np.ones(m, dtype=bool)
        compat = self.compat[tier]
        load = p.task_load[tier]

        def refresh(v: int) -> None:
            cost[:, v] = np.inf
            if self.hidden[v]:
                return
            spare = p.vol_capacity[v] - rs.states[v].load
            ok = np.flatnonzero(alive & compat[:, v] & (load <= spare))
            if len(ok):
                c, s = self.cols.costs(rs.states[v], v, tier[ok])
                cost[ok, v] = c + extra[ok, v]
                slot[ok, v] = s

        for v in range(n_vols):
            refresh(v)
        arg, first, second, third = _rank(cost)
        while True:
            finite = np.isfinite(first)
            if not finite.any():
                break
            with np.errstate(invalid="ignore"):
                regret = np.where(np.isfinite(third), (second - first) + (third - first), np.inf)
            regret[~finite] = -np.inf
            # highest regret, then cheapest, then earliest in order
            top = np.flatnonzero(regret == regret.max())
            i = int(top[np.argmin(first[top])])
            v = int(arg[i])
            rs.insert(int(tier[i]), v, int(slot[i, v]))
            alive[i] = False
            cost[i] = np.inf
            first[i] = second[i] = third[i] = np.inf
            changed = [v]
            if self.empty[v]:
                self.empty[v] = False
                # the next empty route of the class (if any) now stands for it
                same = np.flatnonzero(self.empty & (self.klass == self.klass[v]) & self.hidden)
                if len(same):
                    self.hidden[same[0]] = False
                    changed.append(int(same[0]))
            before = cost[:, changed].copy()
            for w in changed:
                refresh(w)
            after = cost[:, changed]
            lim = third[:, None]
            touched = ((before <= lim) & np.isfinite(before)).any(axis=1)
            touched |= (after < lim).any(axis=1)
            for w in changed:
                touched |= arg == w
            touched &= alive
            rows = np.flatnonzero(touched)
            if len(rows):
                arg[rows], first[rows], second[rows], third[rows] = _rank(cost[rows])

"""Instance validation and the array view of an instance (:class:`Problem`).

Validation raises :class:`InstanceError` naming the offending field. Defaults follow
``shared/dispatch/check.py``: load 1, service 0, priority 0, no window, capacity and shift
unbounded (shift defaults to ``[0, horizon_s]``), speed 1.2 m/s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from wushe.dispatch.engine.errors import InstanceError

FORMAT = "wushe-dispatch/1"
DEFAULT_SPEED_MPS = 1.2
DEFAULT_CAPACITY = 10**9
DEFAULT_HORIZON = 10**9
# Dense travel matrices are only built up to this many locations (8 bytes per entry).
DENSE_MATRIX_MAX_LOCATIONS = 4000

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


# The largest time (seconds from the round's start, a service or a travel time) and the
# largest capacity or load the engine takes: the search works in 64-bit integers and adds up
# many of them, so bigger values are refused by name rather than overflowing inside it.
MAX_SECONDS = 10**9  # about 31 years
MAX_AMOUNT = 10**9


def _is_number(value: object) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _number(
    value: object, where: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    if not _is_number(value):
        if isinstance(value, int) and not isinstance(value, bool):
            raise InstanceError(f"{where}: too large, got {_short(value)}")
        raise InstanceError(f"{where}: expected a finite number, got {_short(value)}")
    number = float(value)  # type: ignore[arg-type]
    if minimum is not None and number < minimum:
        raise InstanceError(f"{where}: must be >= {minimum:g}, got {_short(value)}")
    if maximum is not None and abs(number) > maximum:
        raise InstanceError(
            f"{where}: must be between {-maximum:g} and {maximum:g}, got {_short(value)}"
            if minimum is None
            else f"{where}: must be <= {maximum:g}, got {_short(value)}"
        )
    return number


def _seconds(value: object, where: str, *, minimum: float | None = None) -> float:
    return _number(value, where, minimum=minimum, maximum=MAX_SECONDS)


def _index(value: object, where: str, n_locations: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InstanceError(f"{where}: expected a location index, got {value!r}")
    if not 0 <= value < n_locations:
        raise InstanceError(f"{where}: index {value} out of range ({n_locations} locations)")
    return value


def _skills(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise InstanceError(f"{where}: expected a list of skill names, got {value!r}")
    return value


def _interval(value: object, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InstanceError(f"{where}: expected [start, end], got {value!r}")
    start = _seconds(value[0], f"{where}[0]")
    end = _seconds(value[1], f"{where}[1]")
    if end < start:
        raise InstanceError(f"{where}: end {value[1]!r} is before start {value[0]!r}")
    return start, end


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InstanceError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _id(value: object, where: str, seen: set[str]) -> str:
    if not isinstance(value, str) or not value:
        raise InstanceError(f"{where}.id: expected a non-empty string, got {value!r}")
    if value in seen:
        raise InstanceError(f"{where}.id: duplicate id {value!r}")
    seen.add(value)
    return value


@dataclass
class Problem:
    """Validated instance as numpy arrays; task and volunteer order follow the document."""

    n_locations: int
    coords: FloatArray  # (n_locations, 2)
    speed: float
    durations: IntArray | None  # explicit matrix, overrides euclidean travel
    task_ids: list[str]
    task_loc: IntArray
    task_service: FloatArray
    task_load: FloatArray
    task_priority: IntArray
    task_w0: FloatArray  # -inf when the task has no window
    task_w1: FloatArray  # +inf when the task has no window
    task_needs: BoolArray  # (n_tasks, n_skills)
    vol_ids: list[str]
    vol_start: IntArray
    vol_end: IntArray  # -1 when the route ends at the last task
    vol_capacity: FloatArray
    vol_shift0: FloatArray
    vol_shift1: FloatArray
    vol_has: BoolArray  # (n_vols, n_skills)
    skills: list[str]
    task_index: dict[str, int] = field(default_factory=dict)
    vol_index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.task_index = {tid: i for i, tid in enumerate(self.task_ids)}
        self.vol_index = {vid: i for i, vid in enumerate(self.vol_ids)}

    @property
    def n_tasks(self) -> int:
        return len(self.task_ids)

    @property
    def n_vols(self) -> int:
        return len(self.vol_ids)

    # -- travel ---------------------------------------------------------------------------
    def travel(self, a: int, b: int) -> int:
        """Travel seconds from location ``a`` to ``b``, exactly as the checker computes it."""
        if self.durations is not None:
            return int(self.durations[a, b])
        (x1, y1), (x2, y2) = self.coords[a], self.coords[b]
        return math.ceil(math.hypot(float(x1) - float(x2), float(y1) - float(y2)) / self.speed)

    def travel_pairs(
        self, a: IntArray | np.int64 | int, b: IntArray | np.int64 | int
    ) -> FloatArray:
        """Vectorised travel seconds for location pairs ``a[i] -> b[i]`` (broadcasting)."""
        a, b = np.broadcast_arrays(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
        a = np.asarray(a)
        b = np.asarray(b)
        if self.durations is not None:
            return self.durations[a, b].astype(np.float64)
        pa, pb = self.coords[a], self.coords[b]
        q = np.hypot(pa[..., 0] - pb[..., 0], pa[..., 1] - pb[..., 1]) / self.speed
        out = np.ceil(q)
        # np.hypot and math.hypot may differ in the last bit; where the quotient is (nearly)
        # an integer that decides the ceiling, so recompute those few pairs like the checker.
        # Exact zeros (tasks sharing a building: many pairs) need no second look.
        near = (np.abs(q - np.rint(q)) < 1e-6) & (q != 0.0)
        if near.any():
            for pos in zip(*np.nonzero(near), strict=True):
                out[pos] = self.travel(int(a[pos]), int(b[pos]))
        return out

    def travel_matrix(self, locs: Sequence[int] | IntArray) -> IntArray:
        """Dense travel matrix over the given locations (caller keeps it a few thousand)."""
        idx = np.asarray(locs, dtype=np.int64)
        if len(idx) > DENSE_MATRIX_MAX_LOCATIONS:
            raise ValueError(f"refusing a dense {len(idx)}x{len(idx)} travel matrix")
        if self.durations is not None:
            return self.durations[np.ix_(idx, idx)]
        return self.travel_pairs(idx[:, None], idx[None, :]).astype(np.int64)

    def subset(self, tasks: IntArray, vols: IntArray) -> Problem:
        """The same problem restricted to some tasks and volunteers (indices renumbered
        in the given order; locations and travel are shared)."""
        t = np.asarray(tasks, dtype=np.int64)
        v = np.asarray(vols, dtype=np.int64)
        return Problem(
            n_locations=self.n_locations,
            coords=self.coords,
            speed=self.speed,
            durations=self.durations,
            task_ids=[self.task_ids[i] for i in t],
            task_loc=self.task_loc[t],
            task_service=self.task_service[t],
            task_load=self.task_load[t],
            task_priority=self.task_priority[t],
            task_w0=self.task_w0[t],
            task_w1=self.task_w1[t],
            task_needs=self.task_needs[t],
            vol_ids=[self.vol_ids[i] for i in v],
            vol_start=self.vol_start[v],
            vol_end=self.vol_end[v],
            vol_capacity=self.vol_capacity[v],
            vol_shift0=self.vol_shift0[v],
            vol_shift1=self.vol_shift1[v],
            vol_has=self.vol_has[v],
            skills=self.skills,
        )

    # -- compatibility --------------------------------------------------------------------
    def compatible(self, task: int) -> BoolArray:
        """Boolean mask over volunteers that have every skill ``task`` needs."""
        needs = self.task_needs[task]
        if not needs.any():
            return np.ones(self.n_vols, dtype=bool)
        return np.all(self.vol_has[:, needs], axis=1)

    def compatibility_matrix(self) -> BoolArray:
        """(n_tasks, n_vols) skill compatibility, computed per distinct skill requirement."""
        out = np.ones((self.n_tasks, self.n_vols), dtype=bool)
        if not self.skills:
            return out
        keys, inverse = np.unique(self.task_needs, axis=0, return_inverse=True)
        for k, needs in enumerate(keys):
            if needs.any():
                out[inverse.ravel() == k] = np.all(self.vol_has[:, needs], axis=1)
        return out


def _parse_durations(raw: object, n_locations: int) -> IntArray:
    where = "durations"
    if not isinstance(raw, list):
        raise InstanceError(f"{where}: expected a square matrix (list of rows) or null")
    if len(raw) != n_locations:
        raise InstanceError(
            f"{where}: has {len(raw)} rows, expected {n_locations} (one per location)"
        )
    for i, row in enumerate(raw):
        if not isinstance(row, list) or len(row) != n_locations:
            got = len(row) if isinstance(row, list) else type(row).__name__
            raise InstanceError(f"{where}[{i}]: expected {n_locations} entries, got {got}")
    try:
        matrix = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InstanceError(f"{where}: entries must be numbers ({exc})") from None
    bad = ~np.isfinite(matrix) | (matrix < 0) | (matrix != np.floor(matrix))
    bad |= matrix > MAX_SECONDS
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise InstanceError(
            f"{where}[{i}][{j}]: expected a whole number of seconds from 0 to {MAX_SECONDS:g}, "
            f"got {_short(raw[i][j])}"
        )
    return matrix.astype(np.int64)


def validate_instance(instance: object) -> Problem:
    """Check an instance document and return its :class:`Problem`; raise InstanceError."""
    doc = _object(instance, "instance")
    fmt = doc.get("format")
    if fmt is not None and fmt != FORMAT:
        raise InstanceError(f"format: expected {FORMAT!r}, got {fmt!r}")

    locations = doc.get("locations")
    if not isinstance(locations, list) or not locations:
        raise InstanceError("locations: expected a non-empty list of [x, y] points")
    coords = np.empty((len(locations), 2), dtype=np.float64)
    for i, point in enumerate(locations):
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise InstanceError(f"locations[{i}]: expected [x, y], got {point!r}")
        coords[i, 0] = _number(point[0], f"locations[{i}][0]")
        coords[i, 1] = _number(point[1], f"locations[{i}][1]")
    n_loc = len(locations)

    travel = doc.get("travel") or {}
    travel = _object(travel, "travel")
    speed = _number(travel.get("speed_mps", DEFAULT_SPEED_MPS), "travel.speed_mps")
    if speed <= 0:
        raise InstanceError(f"travel.speed_mps: must be positive, got {speed:g}")
    raw_durations = doc.get("durations")
    durations = _parse_durations(raw_durations, n_loc) if raw_durations else None
    if durations is None:
        # The longest trip is at most the diagonal of the box around every location.
        span = coords.max(axis=0) - coords.min(axis=0)
        with np.errstate(over="ignore"):
            longest = float(np.hypot(span[0], span[1])) / speed
        if not longest <= MAX_SECONDS:
            raise InstanceError(
                f"locations, travel.speed_mps: the farthest locations would be {longest:.3g} s "
                f"apart at {speed:g} m/s; at most {MAX_SECONDS:g} s is taken (are the "
                "coordinates in metres?)"
            )

    horizon = doc.get("horizon_s", DEFAULT_HORIZON)
    horizon = _seconds(horizon, "horizon_s", minimum=0)

    skill_index: dict[str, int] = {}

    raw_vols = doc.get("volunteers")
    if not isinstance(raw_vols, list):
        raise InstanceError("volunteers: expected a list")
    seen: set[str] = set()
    vol_ids: list[str] = []
    vol_start, vol_end = [], []
    vol_cap, vol_s0, vol_s1 = [], [], []
    vol_skills: list[list[str]] = []
    for i, raw in enumerate(raw_vols):
        where = f"volunteers[{i}]"
        v = _object(raw, where)
        vol_ids.append(_id(v.get("id"), where, seen))
        vol_start.append(_index(v.get("start"), f"{where}.start", n_loc))
        end = v.get("end")
        vol_end.append(-1 if end is None else _index(end, f"{where}.end", n_loc))
        vol_cap.append(
            _number(
                v.get("capacity", DEFAULT_CAPACITY),
                f"{where}.capacity",
                minimum=0,
                maximum=MAX_AMOUNT,
            )
        )
        shift = v.get("shift")
        s0, s1 = (0.0, horizon) if shift is None else _interval(shift, f"{where}.shift")
        vol_s0.append(s0)
        vol_s1.append(s1)
        skills = _skills(v.get("skills"), f"{where}.skills")
        vol_skills.append(skills)

    raw_tasks = doc.get("tasks")
    if not isinstance(raw_tasks, list):
        raise InstanceError("tasks: expected a list")
    seen = set()
    task_ids: list[str] = []
    t_loc, t_service, t_load, t_prio, t_w0, t_w1 = [], [], [], [], [], []
    task_skills: list[list[str]] = []
    for i, raw in enumerate(raw_tasks):
        where = f"tasks[{i}]"
        t = _object(raw, where)
        task_ids.append(_id(t.get("id"), where, seen))
        t_loc.append(_index(t.get("location"), f"{where}.location", n_loc))
        t_service.append(_seconds(t.get("service_s", 0), f"{where}.service_s", minimum=0))
        t_load.append(_number(t.get("load", 1), f"{where}.load", minimum=0, maximum=MAX_AMOUNT))
        prio = t.get("priority", 0)
        if not isinstance(prio, int) or isinstance(prio, bool) or not 0 <= prio <= 100:
            raise InstanceError(f"{where}.priority: expected an integer 0..100, got {prio!r}")
        t_prio.append(prio)
        window = t.get("window")
        w0, w1 = (-math.inf, math.inf) if not window else _interval(window, f"{where}.window")
        t_w0.append(w0)
        t_w1.append(w1)
        skills = _skills(t.get("skills"), f"{where}.skills")
        for s in skills:
            skill_index.setdefault(s, len(skill_index))
        task_skills.append(skills)

    # Only skills some task needs matter; volunteer-only skills are ignored.
    n_sk = len(skill_index)
    task_needs = np.zeros((len(task_ids), n_sk), dtype=bool)
    for i, skills in enumerate(task_skills):
        for s in skills:
            task_needs[i, skill_index[s]] = True
    vol_has = np.zeros((len(vol_ids), n_sk), dtype=bool)
    for i, skills in enumerate(vol_skills):
        for s in skills:
            if s in skill_index:
                vol_has[i, skill_index[s]] = True

    return Problem(
        n_locations=n_loc,
        coords=coords,
        speed=speed,
        durations=durations,
        task_ids=task_ids,
        task_loc=np.asarray(t_loc, dtype=np.int64),
        task_service=np.asarray(t_service, dtype=np.float64),
        task_load=np.asarray(t_load, dtype=np.float64),
        task_priority=np.asarray(t_prio, dtype=np.int64),
        task_w0=np.asarray(t_w0, dtype=np.float64),
        task_w1=np.asarray(t_w1, dtype=np.float64),
        task_needs=task_needs,
        vol_ids=vol_ids,
        vol_start=np.asarray(vol_start, dtype=np.int64),
        vol_end=np.asarray(vol_end, dtype=np.int64),
        vol_capacity=np.asarray(vol_cap, dtype=np.float64),
        vol_shift0=np.asarray(vol_s0, dtype=np.float64),
        vol_shift1=np.asarray(vol_s1, dtype=np.float64),
        vol_has=vol_has,
        skills=list(skill_index),
    )

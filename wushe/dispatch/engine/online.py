"""Online changes to a dispatch plan: insert a new task, re-dispatch a declined one.

Both are a cheapest feasible insertion into the current routes (no re-solve). A
:class:`DispatchPlan` keeps the parsed instance and the route schedules between calls;
the module functions build one per call for convenience.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from wushe.dispatch.engine.errors import InstanceError, SolutionError
from wushe.dispatch.engine.problem import Problem, validate_instance
from wushe.dispatch.engine.routes import RouteSet
from wushe.dispatch.engine.solution import from_document, to_document


def _with_task(instance: dict[str, Any], task: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(task, dict):
        raise InstanceError("task: expected an object")
    if any(t.get("id") == task.get("id") for t in instance.get("tasks", [])):
        raise InstanceError(f"task.id: {task.get('id')!r} is already in the instance")
    extended = dict(instance)
    extended["tasks"] = [*instance.get("tasks", []), task]
    return extended


class DispatchPlan:
    """An instance with its current routes, ready for fast online changes."""

    def __init__(self, instance: dict[str, Any], solution: dict[str, Any]) -> None:
        self.instance = instance
        self.problem: Problem = validate_instance(instance)
        self.routes = RouteSet(self.problem, from_document(self.problem, solution))

    def add_task(self, task: dict[str, Any]) -> str | None:
        """Add a new task to the instance and insert it; return the volunteer id or None."""
        extended = _with_task(self.instance, task)
        self.problem = _extend_problem(self.problem, extended, task)
        self.instance = extended
        # Existing schedules do not depend on the new task: keep them.
        self.routes.problem = self.problem
        self.routes.invalidate()
        return self._place(self.problem.n_tasks - 1, None)

    def redispatch(self, task_id: str, excluded_volunteer: str | None) -> str | None:
        """Move ``task_id`` to the cheapest feasible route of another volunteer."""
        t = self.problem.task_index.get(task_id)
        if t is None:
            raise SolutionError(f"unknown task {task_id!r}")
        self.routes.remove(t)
        allowed = np.ones(self.problem.n_vols, dtype=bool)
        if excluded_volunteer is not None:
            v = self.problem.vol_index.get(excluded_volunteer)
            if v is None:
                raise SolutionError(f"unknown volunteer {excluded_volunteer!r}")
            allowed[v] = False
        return self._place(t, allowed)

    def _place(self, t: int, allowed: np.ndarray | None) -> str | None:
        ins = self.routes.best_insertion(t, allowed)
        if ins is None:
            return None
        self.routes.insert(t, ins.vol, ins.slot)
        return self.problem.vol_ids[ins.vol]

    def solution(self) -> dict[str, Any]:
        return to_document(self.problem, self.routes.routes)


def _extend_problem(problem: Problem, instance: dict[str, Any], task: dict[str, Any]) -> Problem:
    """Problem of ``instance`` (which ends with ``task``); re-validates only the new task
    when it needs no skill unknown so far, else re-parses the instance."""
    try:
        one = validate_instance({**instance, "tasks": [task], "durations": None})
    except InstanceError as exc:
        raise InstanceError(str(exc).replace("tasks[0]", "task", 1)) from None
    if one.skills and not set(one.skills) <= set(problem.skills):
        return validate_instance(instance)
    new = copy.copy(problem)
    new.task_ids = [*problem.task_ids, one.task_ids[0]]
    new.task_index = {**problem.task_index, one.task_ids[0]: problem.n_tasks}
    for name in ("task_loc", "task_service", "task_load", "task_priority", "task_w0", "task_w1"):
        setattr(new, name, np.concatenate((getattr(problem, name), getattr(one, name))))
    needs = np.zeros((1, len(problem.skills)), dtype=bool)
    for s, flag in zip(one.skills, one.task_needs[0], strict=True):
        if flag:
            needs[0, problem.skills.index(s)] = True
    new.task_needs = np.concatenate((problem.task_needs, needs))
    return new


def insert_task(
    instance: dict[str, Any], solution: dict[str, Any], task: dict[str, Any]
) -> dict[str, Any]:
    """Insert a new ``task`` (not yet in ``instance``) at its cheapest feasible place.

    Returns the new solution; the task is listed as unassigned when nothing is feasible.
    Score it against the instance with the task appended to ``tasks``.
    """
    plan = DispatchPlan(instance, solution)
    plan.add_task(task)
    return plan.solution()


def redispatch_task(
    instance: dict[str, Any],
    solution: dict[str, Any],
    task_id: str,
    excluded_volunteer: str | None,
) -> dict[str, Any]:
    """Re-dispatch ``task_id`` after ``excluded_volunteer`` declined it."""
    plan = DispatchPlan(instance, solution)
    plan.redispatch(task_id, excluded_volunteer)
    return plan.solution()

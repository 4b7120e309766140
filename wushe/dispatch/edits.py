"""A dispatcher's edits to a proposal (pure, no database): move a task to another volunteer
or another place in a route, or take it out of the routes; and the engine's verdict on the
result, turned into a plain reason that names the task and the volunteer.

Feasibility is the engine's :func:`~wushe.dispatch.engine.score` (the checker's rules), so
the platform never re-implements them; only its first violated rule is read back to pick
a translated message.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

# Task skills with this prefix are not skills: the volunteers who declined the task lack
# them (see instance.ELIGIBLE), so the engine never routes a task back to a decliner.
ELIGIBLE_PREFIX = "eligible:"

MOVE = "move"
REMOVE = "remove"
ACTIONS = (MOVE, REMOVE)


class EditError(ValueError):
    """The edit does not apply to this proposal (unknown task or volunteer)."""


@dataclass
class Violation:
    """The engine's first violated rule, read back: which rule, for which task/volunteer."""

    rule: str  # skill, declined, window, capacity, shift or other
    task: str | None
    volunteer: str | None
    detail: str


_RULES = [
    ("skill", re.compile(r"volunteer (?P<v>\S+) lacks \[(?P<d>[^\]]*)\] for (?P<t>\S+)")),
    ("window", re.compile(r"(?P<t>\S+) reached at (?P<d>[\d.]+)s, after its window")),
    ("capacity", re.compile(r"volunteer (?P<v>\S+) carries (?P<d>\S+) > capacity")),
    ("shift", re.compile(r"volunteer (?P<v>\S+) finishes at (?P<d>\S+)s, after shift end")),
]


def read_violation(message: str) -> Violation:
    for rule, pattern in _RULES:
        m = pattern.search(message)
        if m is None:
            continue
        found = m.groupdict()
        detail = found.get("d") or ""
        if rule == "skill" and ELIGIBLE_PREFIX in detail:
            rule = "declined"
        return Violation(rule, found.get("t"), found.get("v"), detail)
    return Violation("other", None, None, message)


def where_is(solution: dict[str, Any], task_id: str) -> tuple[str | None, int | None]:
    """(volunteer id, 1-based position) of a routed task, else (None, None)."""
    for route in solution.get("routes", []):
        if task_id in route.get("tasks", []):
            return route["volunteer"], route["tasks"].index(task_id) + 1
    return None, None


def apply_edit(
    instance: dict[str, Any],
    solution: dict[str, Any],
    *,
    action: str,
    task_id: str,
    volunteer_id: str | None = None,
    position: int | None = None,
) -> dict[str, Any]:
    """A new solution document with the edit applied (the input is left as it was).

    ``move`` puts the task in ``volunteer_id``'s route at ``position`` (1-based, clamped;
    default: last) -- from another route, from the same one (a reorder) or from the tasks
    not routed; ``remove`` takes it out of its route into ``unassigned``."""
    if action not in ACTIONS:
        raise EditError(f"action: expected one of {ACTIONS}")
    if task_id not in {t["id"] for t in instance.get("tasks", [])}:
        raise EditError(f"task {task_id} is not in this round")
    new = copy.deepcopy(solution)
    routes: list[dict[str, Any]] = new.setdefault("routes", [])
    unassigned: list[str] = new.setdefault("unassigned", [])
    for r in routes:
        if task_id in r.get("tasks", []):
            r["tasks"].remove(task_id)
    if task_id in unassigned:
        unassigned.remove(task_id)
    if action == REMOVE:
        unassigned.append(task_id)
    else:
        if volunteer_id not in {v["id"] for v in instance.get("volunteers", [])}:
            raise EditError(f"volunteer {volunteer_id} is not in this round")
        route: dict[str, Any] | None = next(
            (r for r in routes if r["volunteer"] == volunteer_id), None
        )
        if route is None:
            route = {"volunteer": volunteer_id, "tasks": []}
            routes.append(route)
        size = len(route["tasks"])
        slot = size if position is None else min(max(int(position), 1), size + 1) - 1
        route["tasks"].insert(slot, task_id)
    new["routes"] = [r for r in routes if r.get("tasks")]
    return new

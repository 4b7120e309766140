"""Why each proposed stop went to its volunteer, computed from the round's snapshot alone
(pure: no database), so an old round explains itself exactly as it was proposed."""

from __future__ import annotations

import math
from typing import Any

from wushe.dispatch.edits import ELIGIBLE_PREFIX


def real_skills(skills: list[str] | None) -> list[str]:
    """Skills without the ``eligible:`` markers that keep decliners off a task."""
    return [s for s in skills or [] if not s.startswith(ELIGIBLE_PREFIX)]


def explain_routes(
    instance: dict[str, Any], solution: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """For each route: the volunteer id and its stops, each with the skills it needed and
    the volunteer has, the distance (m) and walk (min) from the previous stop or the start,
    the arrival (min after the round starts), the load so far, and the task's priority."""
    if not solution:
        return []
    locs = instance.get("locations") or []
    speed = float((instance.get("travel") or {}).get("speed_mps") or 1.2)
    durations = instance.get("durations")
    vols = {v["id"]: v for v in instance.get("volunteers", [])}
    tasks = {t["id"]: t for t in instance.get("tasks", [])}
    out = []
    for route in solution.get("routes", []):
        vol = vols.get(route["volunteer"])
        if vol is None or not route.get("tasks"):
            continue
        has = set(real_skills(vol.get("skills")))
        here = int(vol["start"])
        clock = float((vol.get("shift") or [0, 0])[0])
        load = 0.0
        stops = []
        for order, tid in enumerate(route["tasks"], start=1):
            task = tasks[tid]
            there = int(task["location"])
            (x0, y0), (x1, y1) = locs[here], locs[there]
            metres = math.hypot(x1 - x0, y1 - y0)
            if durations:  # the street network's time (the engine uses the same)
                travel = int(durations[here][there])
            else:
                travel = math.ceil(metres / speed) if metres else 0
            clock += travel
            window = task.get("window")
            if window:
                clock = max(clock, float(window[0]))
            arrival = clock
            clock += float(task.get("service_s", 0))
            load += float(task.get("load", 1))
            needed = real_skills(task.get("skills"))
            stops.append(
                {
                    "order": order,
                    "task": tid,
                    "skills_needed": needed,
                    "skills_matched": [s for s in needed if s in has],
                    "volunteer_skills": sorted(has),
                    "travel_mode": vol.get("travel_mode", ""),
                    "metres": round(metres),
                    "walk_min": round(travel / 60, 1),
                    "arrival_min": round(arrival / 60),
                    "load": round(load),
                    "capacity": vol.get("capacity"),
                    "priority": task.get("priority", 0),
                    "window_end_min": round(window[1] / 60) if window else None,
                }
            )
            here = there
        out.append({"volunteer": route["volunteer"], "stops": stops})
    return out

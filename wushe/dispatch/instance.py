"""Django side of the engine: build a ``wushe-dispatch/1`` instance from the database.

What goes in:

- tasks: ``Task`` rows still ``open`` (nobody offered, nobody took them) of open requests
  whose area lies under the round's area. Location: the request's area (a building) when it
  has coordinates; a task without coordinates is left out and named in the report.
- volunteers: active profiles on shift whose home area lies under the round's area. Start
  position: the building of their last task (done or under way), else their home area or
  its nearest ancestor with coordinates; without any, they are left out and reported.

Coordinates are WGS-84 lon/lat, projected to metres with an equirectangular projection
around the mean of all the points in the snapshot (x east = R·Δλ·cos φ₀, y north = R·Δφ).
Inside one street (a few km) the error is far below the walking detour. Travel time is
``distance / (speed / detour)``: each volunteer gets around as their profile says (else as
the street's default) and the detour factor is the street's (see :mod:`.travel`); the
format has one speed for everyone, so a round is planned at the slowest of its volunteers'
speeds and says so in its report. With ``WUSHE_OSRM_URL`` the background job replaces
straight lines by the street network's durations before solving.

Ids in the document are ``t<Task.pk>`` and ``v<User.pk>``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Max

from wushe.areas.models import Area
from wushe.dispatch.edits import ELIGIBLE_PREFIX
from wushe.dispatch.travel import round_speed, street_defaults
from wushe.needs.models import OPEN_STATUSES, Task, TaskAssignment
from wushe.needs.triage import LIFE, VULNERABILITY
from wushe.volunteers.models import Skill, VolunteerProfile

EARTH_RADIUS_M = 6_371_000.0
FORMAT = "wushe-dispatch/1"


def setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def project(
    points: list[tuple[float, float]], centre: tuple[float, float] | None = None
) -> tuple[list[list[float]], tuple[float, float]]:
    """Equirectangular projection of (lon, lat) points to metres around ``centre`` (default:
    their mean). Returns the [x, y] list and the centre used."""
    if centre is None:
        if not points:
            return [], (0.0, 0.0)
        centre = (
            sum(p[0] for p in points) / len(points),
            sum(p[1] for p in points) / len(points),
        )
    lon0, lat0 = centre
    k = math.cos(math.radians(lat0))
    out = [
        [
            round(EARTH_RADIUS_M * math.radians(lon - lon0) * k, 1),
            round(EARTH_RADIUS_M * math.radians(lat - lat0), 1),
        ]
        for lon, lat in points
    ]
    return out, centre


def unproject(x: float, y: float, centre: tuple[float, float]) -> tuple[float, float]:
    """The inverse of :func:`project`: metres around ``centre`` back to (lon, lat)."""
    lon0, lat0 = centre
    lat = lat0 + math.degrees(y / EARTH_RADIUS_M)
    lon = lon0 + math.degrees(x / (EARTH_RADIUS_M * math.cos(math.radians(lat0))))
    return lon, lat


def engine_priority(priority: int) -> int:
    """The triage integer (life 10^6 + vulnerability 10^3 + urgency) on the engine's 0..100
    scale, keeping the guideline's order in three bands: life-critical 67..100, vulnerable
    34..66, others 1..33 (0 only for a request with no priority at all)."""
    if priority <= 0:
        return 0
    if priority >= LIFE:
        base, rest, span = 67, priority - LIFE, LIFE
    elif priority >= VULNERABILITY:
        base, rest, span = 34, priority - VULNERABILITY, LIFE - VULNERABILITY
    else:
        base, rest, span = 1, priority, VULNERABILITY
    return base + min(33, rest * 33 // span)


def _coords(area: Area | None) -> tuple[float, float] | None:
    if area is None or area.lon is None or area.lat is None:
        return None
    return float(area.lon), float(area.lat)


def _first_coords(area: Area, by_id: dict[int, Area]) -> tuple[float, float] | None:
    """The area's coordinates, else its nearest ancestor's (a community's centre)."""
    node: Area | None = area
    while node is not None:
        found = _coords(node)
        if found is not None:
            return found
        node = by_id.get(node.parent_id) if node.parent_id else None
    return None


@dataclass
class Snapshot:
    instance: dict[str, Any]
    report: dict[str, Any] = field(default_factory=dict)


def build_instance(*, area: Area, now: datetime, name: str = "") -> Snapshot:
    """The instance document for ``area`` at ``now``, and a report of what was left out."""
    shift_s = int(setting("WUSHE_DISPATCH_SHIFT_S", 4 * 3600))
    service_s = int(setting("WUSHE_DISPATCH_SERVICE_S", 600))
    capacity = int(setting("WUSHE_DISPATCH_CAPACITY", 12))
    default_mode, detour = street_defaults(area)

    tasks = list(
        Task.objects.filter(
            status=Task.TaskStatus.OPEN,
            need__status__in=OPEN_STATUSES,
            need__area__path__startswith=area.path,
        )
        .select_related("need__area")
        .order_by("-need__priority", "id")
    )
    profiles = list(
        VolunteerProfile.objects.filter(
            is_active=True,
            on_shift=True,
            home_area__path__startswith=area.path,
            user__is_active=True,
            user__role="volunteer",
        )
        .select_related("user", "home_area")
        .order_by("user_id")
    )
    # The building of each volunteer's latest task (done or under way).
    last_task = dict(
        Task.objects.filter(
            assignee_id__in=[p.user_id for p in profiles],
            status__in=[
                Task.TaskStatus.DONE,
                Task.TaskStatus.IN_PROGRESS,
                Task.TaskStatus.ACCEPTED,
            ],
        )
        .values("assignee_id")
        .annotate(last=Max("id"))
        .values_list("assignee_id", "last")
    )
    last_area = {
        t.assignee_id: t.need.area
        for t in Task.objects.filter(pk__in=last_task.values()).select_related("need__area")
    }
    ancestors = {
        a.pk: a
        for a in Area.objects.filter(
            pk__in={p.home_area.parent_id for p in profiles if p.home_area.parent_id}
            | {area.pk}
            | ({area.parent_id} if area.parent_id else set())
        )
    }
    # One more level up (a grid's community).
    more = {a.parent_id for a in ancestors.values() if a.parent_id and a.parent_id not in ancestors}
    ancestors.update({a.pk: a for a in Area.objects.filter(pk__in=more)})

    points: list[tuple[float, float]] = []
    index: dict[tuple[float, float], int] = {}

    def loc(p: tuple[float, float]) -> int:
        if p not in index:
            index[p] = len(points)
            points.append(p)
        return index[p]

    report: dict[str, Any] = {
        "tasks_without_coordinates": [],
        "volunteers_without_position": [],
        "overdue_tasks": [],
    }
    vol_docs: list[dict[str, Any]] = []
    for p in profiles:
        here = _coords(last_area.get(p.user_id)) or _first_coords(p.home_area, ancestors)
        if here is None:
            report["volunteers_without_position"].append(p.user_id)
            continue
        vol_docs.append(
            {
                "id": f"v{p.user_id}",
                "travel_mode": p.travel_mode or default_mode,
                "start": loc(here),
                "end": None,
                "capacity": capacity,
                "skills": sorted(s for s in p.skills if s in Skill.values),
                "shift": [0, shift_s],
            }
        )
    task_docs: list[dict[str, Any]] = []
    declined = declined_by([t.pk for t in tasks])
    for t in tasks:
        where = _coords(t.need.area)
        if where is None:
            report["tasks_without_coordinates"].append(t.pk)
            continue
        doc: dict[str, Any] = {
            "id": f"t{t.pk}",
            "location": loc(where),
            "service_s": service_s,
            "load": 1,
            "skills": [t.role] if t.role in Skill.values else [],
            "priority": engine_priority(t.need.priority),
        }
        if t.need.deadline is not None:
            due = int((t.need.deadline - now).total_seconds())
            if due > 0:
                doc["window"] = [0, min(due, shift_s)]
            else:
                report["overdue_tasks"].append(t.pk)  # a window already past: served ASAP
        task_docs.append(doc)
        if t.pk in declined:
            exclude_volunteers(doc, vol_docs, declined[t.pk])

    locations, centre = project(points)
    modes = [v["travel_mode"] for v in vol_docs]
    speed, slowest = round_speed(modes, detour)
    report["travel_mode"] = slowest
    report["detour"] = detour
    report["travel_modes"] = {m: modes.count(m) for m in sorted(set(modes))}
    report["travel_source"] = "coordinates"
    report["centre"] = list(centre)
    report["tasks"] = len(task_docs)  # so that lists need not load the instance
    report["volunteers"] = len(vol_docs)
    instance = {
        "format": FORMAT,
        "name": name or f"round-{area.code}",
        "locations": locations,
        "travel": {"speed_mps": round(speed, 4)},
        "durations": None,
        "horizon_s": shift_s,
        "volunteers": vol_docs,
        "tasks": task_docs,
    }
    return Snapshot(instance=instance, report=report)


def task_document(task: Task, *, index: int, now: datetime, started: datetime) -> dict[str, Any]:
    """The instance entry of one task at location ``index``, for a round that started at
    ``started`` (time 0), when the task is added at ``now``: service cannot start earlier."""
    shift_s = int(setting("WUSHE_DISPATCH_SHIFT_S", 4 * 3600))
    doc: dict[str, Any] = {
        "id": f"t{task.pk}",
        "location": index,
        "service_s": int(setting("WUSHE_DISPATCH_SERVICE_S", 600)),
        "load": 1,
        "skills": [task.role] if task.role in Skill.values else [],
        "priority": engine_priority(task.need.priority),
    }
    elapsed = max(0, int((now - started).total_seconds()))
    end = shift_s
    if task.need.deadline is not None:
        end = min(end, int((task.need.deadline - started).total_seconds()))
    if end >= elapsed:
        doc["window"] = [elapsed, end]
    return doc


def not_before(task: dict[str, Any], elapsed: int) -> None:
    """A task re-dispatched ``elapsed`` seconds into the round cannot be served earlier;
    a window that already closed is dropped (served as early as possible, as when built)."""
    window = task.get("window")
    if window and window[1] < elapsed:
        task.pop("window")
    elif window:
        task["window"] = [max(window[0], elapsed), window[1]]


def add_location(
    instance: dict[str, Any],
    report: dict[str, Any],
    lonlat: tuple[float, float],
    *,
    network: tuple[list[int], list[int]] | None = None,
    fetch: bool = True,
) -> int:
    """Append a place to a snapshot (projected around the round's centre); returns its index.
    An explicit durations matrix grows by one row and column: ``network``'s times (fetched
    beforehand by :func:`place_times`, when they fit the locations), else the table
    service's when ``fetch`` (never while holding locks), else straight lines."""
    xy = _projected(report, lonlat)
    locations = instance["locations"]
    for i, existing in enumerate(locations):
        if existing == xy:
            return i
    locations.append(xy)
    durations = instance.get("durations")
    if durations:
        index = len(locations) - 1
        if network is not None and len(network[0]) == len(locations):
            out_row, in_col = network
        elif fetch:
            out_row, in_col = _new_durations(instance, report, index)
        else:
            out_row, in_col = _straight_durations(instance, index)
        for i, r in enumerate(durations):
            r.append(in_col[i])
        durations.append(out_row)
    return len(locations) - 1


def place_times(
    instance: dict[str, Any], report: dict[str, Any], lonlat: tuple[float, float]
) -> tuple[list[int], list[int]] | None:
    """The table service's times from and to a place not yet in the snapshot, against its
    current locations: asked before the round is locked. None when the round does not use
    the service, already has the place, or the service fails (the warning goes in
    ``report``)."""
    from wushe.dispatch.travel import network_one_to_all  # noqa: PLC0415 (travel imports us)

    xy = _projected(report, lonlat)
    if not instance.get("durations") or xy in instance["locations"]:
        return None
    grown = {**instance, "locations": [*instance["locations"], xy]}
    return network_one_to_all(grown, report, len(grown["locations"]) - 1)


def _projected(report: dict[str, Any], lonlat: tuple[float, float]) -> list[float]:
    centre = report.get("centre") or [lonlat[0], lonlat[1]]
    (xy,), _ = project([lonlat], (centre[0], centre[1]))
    return list(xy)


def _new_durations(
    instance: dict[str, Any], report: dict[str, Any], index: int
) -> tuple[list[int], list[int]]:
    """Travel from and to the new place ``index``: the table service's when the round used
    it (and it answers), else straight lines at the round's speed (noted in the report)."""
    from wushe.dispatch.travel import network_one_to_all  # noqa: PLC0415 (travel imports us)

    found = network_one_to_all(instance, report, index)
    if found is not None:
        return found
    return _straight_durations(instance, index)


def _straight_durations(instance: dict[str, Any], index: int) -> tuple[list[int], list[int]]:
    speed = float((instance.get("travel") or {}).get("speed_mps") or 1.2)
    here = instance["locations"][index]
    row = [math.ceil(math.dist(here, other) / speed) for other in instance["locations"]]
    return row, list(row)


def declined_by(task_pks: list[int]) -> dict[int, set[int]]:
    """For each task, the volunteers (User pks) who declined it or let its offer lapse."""
    out: dict[int, set[int]] = {}
    rows = TaskAssignment.objects.filter(
        task_id__in=task_pks, state=TaskAssignment.State.DECLINED
    ).values_list("task_id", "volunteer_id")
    for task_id, vol_id in rows:
        out.setdefault(task_id, set()).add(vol_id)
    return out


def exclude_volunteers(
    task: dict[str, Any], volunteers: list[dict[str, Any]], excluded: set[int]
) -> None:
    """Keep ``excluded`` volunteers off ``task`` in the format's own terms: the task needs an
    ``eligible:<task id>`` skill that every other volunteer has (a decline is never asked
    again, and the engine, the checker and an edit all see the same rule)."""
    skill = f"{ELIGIBLE_PREFIX}{task['id']}"
    if skill not in task.setdefault("skills", []):
        task["skills"].append(skill)
    for vol in volunteers:
        has = vol.setdefault("skills", [])
        if volunteer_pk(vol["id"]) in excluded:
            if skill in has:
                has.remove(skill)
        elif skill not in has:
            has.append(skill)


def task_pk(task_id: str) -> int:
    return int(task_id[1:])


def volunteer_pk(volunteer_id: str) -> int:
    return int(volunteer_id[1:])

"""Reads of dispatch rounds, from the actor's scope; the volunteer's route."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wushe.areas.geometry import convex_hull
from wushe.areas.levels import Level
from wushe.areas.models import Area
from wushe.areas.selectors import area_list
from wushe.core.errors import NotFoundError
from wushe.core.scoping import get_scoped, scoped
from wushe.dispatch.explain import explain_routes
from wushe.dispatch.instance import task_pk
from wushe.dispatch.models import DispatchRound, StreetTravel
from wushe.dispatch.travel import street_defaults, street_of
from wushe.needs.models import OPEN_STATUSES, Task, TaskAssignment
from wushe.needs.triage import LIFE


def round_list(*, actor: Any) -> QuerySet[DispatchRound]:
    """Rounds in scope, newest first, without their (large) instance and solution."""
    return (
        scoped(DispatchRound.objects.all(), actor)
        .select_related("area", "created_by")
        .defer("instance", "solution")
    )


def round_get_for(actor: Any, pk: Any) -> DispatchRound:
    """The round if the actor may see it; NotFoundError alike for missing and foreign."""
    return get_scoped(
        DispatchRound.objects.select_related("area", "created_by", "approved_by", "job"),
        actor,
        pk=pk,
    )


def my_route(*, actor: Any) -> list[dict[str, Any]]:
    """The volunteer's live offers and tasks, in the order of the latest approved round that
    routed them (with the walk from the previous stop); others after, by priority."""
    live = list(
        scoped(TaskAssignment.objects.all(), actor)
        .filter(
            volunteer=actor, state__in=[TaskAssignment.State.OFFERED, TaskAssignment.State.ACCEPTED]
        )
        .exclude(task__status__in=["done", "failed", "cancelled"])
        .select_related("task__need__area")
        .order_by("-task__need__priority", "id")
    )
    by_task = {a.task_id: a for a in live}
    rows: list[dict[str, Any]] = []
    if not live:
        return []
    # Only rounds approved (or re-dispatched into, which saves the round) since the oldest
    # live offer can have routed it. Read unscoped on purpose: only this volunteer's route
    # is used.
    since = min(a.created_at for a in live)
    rounds = DispatchRound.objects.filter(
        status=DispatchRound.Status.APPROVED, updated_at__gte=since
    ).order_by("-approved_at")[:20]
    vid = f"v{actor.pk}"
    for rnd in rounds:
        routes = [r for r in (rnd.solution or {}).get("routes", []) if r["volunteer"] == vid]
        if not routes:
            continue
        for route in explain_routes(rnd.instance, {"routes": routes}):
            for stop in route["stops"]:
                a = by_task.pop(task_pk(stop["task"]), None)
                if a is not None:
                    rows.append({"a": a, "task": a.task, "stop": stop, "round": rnd})
        break
    rows.extend({"a": a, "task": a.task, "stop": None, "round": None} for a in by_task.values())
    return rows


def urgent_waiting(*, round: DispatchRound) -> list[Task]:
    """Life-critical open tasks under the round's area that its routes do not hold: the
    candidates for "insert into current routes" (the round was read in the actor's scope)."""
    routed = {
        task_pk(t) for r in (round.solution or {}).get("routes", []) for t in r.get("tasks", [])
    }
    rows = (
        Task.objects.filter(
            status=Task.TaskStatus.OPEN,
            need__status__in=OPEN_STATUSES,
            need__priority__gte=LIFE,
            need__area__path__startswith=round.area.path,
        )
        .select_related("need__area")
        .order_by("-need__priority", "id")[:50]
    )
    return [t for t in rows if t.pk not in routed]


def task_for_round(*, round: DispatchRound, pk: Any) -> Task:
    """A task under the round's area (the round was read in the actor's scope)."""
    found = (
        Task.objects.select_related("need__area")
        .filter(pk=pk, need__area__path__startswith=round.area.path)
        .first()
    )
    if found is None:
        raise NotFoundError()
    return found


def street_travel_list(*, actor: Any) -> list[dict[str, Any]]:
    """The streets in the actor's scope with their travel settings (or the defaults)."""

    streets = list(area_list(actor=actor, level=Level.STREET))
    if not streets and getattr(actor, "scope_area", None) is not None:
        found = street_of(actor.scope_area)
        streets = [found] if found is not None else []
    rows = {r.area_id: r for r in StreetTravel.objects.filter(area__in=streets)}
    out = []
    for street in streets:
        mode, detour = street_defaults(street)
        out.append(
            {"area": street, "travel_mode": mode, "detour": detour, "row": rows.get(street.pk)}
        )
    return out


def round_outline(*, round: DispatchRound) -> dict[str, Any] | None:
    """The map outline of a round's area as a GeoJSON FeatureCollection: the area's own
    outline when it has one, else the convex hull of its buildings; plus the outlines of
    the areas right under it (a street's communities) that have one."""
    area = round.area
    features: list[dict[str, Any]] = []
    shape = area.geometry
    if not shape:
        points = Area.objects.filter(
            path__startswith=area.path, level=Level.BUILDING, lon__isnull=False, lat__isnull=False
        ).values_list("lon", "lat")
        shape = convex_hull(
            [(float(lon), float(lat)) for lon, lat in points if lon is not None and lat is not None]
        )
    if shape:
        features.append(
            {
                "type": "Feature",
                "geometry": shape,
                "properties": {"name": area.name, "kind": "area", "drawn": bool(area.geometry)},
            }
        )
    features.extend(
        {
            "type": "Feature",
            "geometry": child.geometry,
            "properties": {"name": child.name, "kind": "part", "drawn": True},
        }
        for child in Area.objects.filter(parent=area, is_active=True, geometry__isnull=False)
    )
    return {"type": "FeatureCollection", "features": features} if features else None

"""Reads of the area tree, always scoped by the requesting user."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from wushe.areas.levels import ALLOWED_PARENTS, ORDER, Level
from wushe.areas.models import Area, AreaChange
from wushe.core.errors import NotFoundError
from wushe.core.precompiled import Bound, PrecompiledQuery
from wushe.core.scoping import get_scoped, path_in_scope, row_in_scope, scoped


def area_list(
    *,
    actor: Any,
    level: str | None = None,
    parent_code: str | None = None,
    search: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Area]:
    qs = scoped(Area.objects.select_related("parent"), actor)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if level:
        qs = qs.filter(level=level)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return qs


def area_get_for(actor: Any, code: str) -> Area:
    """The area with ``code`` if the actor may see it; otherwise NotFound (404)."""
    return get_scoped(Area.objects.select_related("parent", "merged_into"), actor, code=code)


# Without the outline (GeoJSON), which an intake never reads (deferred: read if asked for);
# without the model's ordering: a code is unique, and sorting the one row still cost the
# server a sort node on every intake.
_AREA_BY_CODE = PrecompiledQuery(
    lambda code: Area.objects.defer("geometry").filter(code=code).order_by()
)


def area_by_code_for(actor: Any, code: str) -> Area:
    """The area with ``code`` (no related rows) if the actor may see it, else NotFound (404):
    the lookup every intake request makes, compiled once (core.precompiled)."""
    return area_found_for(actor, _AREA_BY_CODE.first(str(code)))


def area_by_code_lookup(code: str) -> Bound:
    """``area_by_code_for``'s lookup, to be read with other queries in one round trip
    (``core.precompiled.read_after_next_key``); what it finds goes to ``area_found_for``."""
    return _AREA_BY_CODE.bind(str(code))


def area_found_for(actor: Any, area: Area | None) -> Area:
    """``area`` if one was found and the actor may see it, else NotFound (404)."""
    if area is None or not row_in_scope(area, actor):
        raise NotFoundError()
    return area


def area_children(*, actor: Any, area: Area) -> QuerySet[Area]:
    return (
        area_list(actor=actor)
        .filter(parent=area)
        .annotate(children_count=Count("children", filter=Q(children__is_active=True)))
    )


def area_breadcrumbs(*, actor: Any, area: Area) -> list[tuple[Area, bool]]:
    """The chain from the root down to ``area``'s parent, each with whether the actor may open
    it (names above the actor's scope are shown, not linked)."""
    codes = [c for c in area.path.strip("/").split("/") if c][:-1]
    by_code = {a.code: a for a in Area.objects.filter(code__in=codes)}
    return [(by_code[c], path_in_scope(by_code[c].path, actor)) for c in codes if c in by_code]


def area_counts(*, actor: Any) -> dict[str, int]:
    """Active areas in the actor's scope per level, in tree order."""
    rows = area_list(actor=actor).order_by().values("level").annotate(n=Count("id"))
    counts = {r["level"]: r["n"] for r in rows}
    return {level.value: counts.get(level, 0) for level in ORDER}


def area_move_targets(*, actor: Any, area: Area) -> QuerySet[Area]:
    """Where ``area`` may move: active areas of an allowed parent level, in scope, not below it."""
    targets = (
        area_list(actor=actor)
        .filter(level__in=ALLOWED_PARENTS[area.level])
        .exclude(path__startswith=area.path)
    )
    return targets.exclude(pk=area.parent_id) if area.parent_id is not None else targets


def area_merge_targets(*, actor: Any, area: Area) -> QuerySet[Area]:
    return area_list(actor=actor, level=area.level).exclude(pk=area.pk)


def area_history(*, actor: Any, area: Area) -> QuerySet[AreaChange]:
    """Boundary changes of this area and of everything under it, newest first."""
    return scoped(
        AreaChange.objects.select_related(
            "area", "from_parent", "to_parent", "merged_into", "actor"
        ),
        actor,
    ).filter(Q(area__path__startswith=area.path) | Q(merged_into=area))


def street_of(area: Area) -> Area | None:
    """The street (or township) ``area`` lies in, or is; None above street level. Found by
    the area's path, unscoped: for settings that belong to the street (travel, triage)."""
    if area.level == Level.STREET:
        return area
    codes = [c for c in area.path.split("/") if c]
    paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return Area.objects.filter(path__in=paths, level=Level.STREET).first()

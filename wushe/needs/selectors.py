"""Reads of requests and tasks, always from the actor's scope, and what an actor may read of
a request's free text (``request_text``)."""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from wushe.areas.models import Area
from wushe.areas.selectors import area_by_code_lookup, area_found_for
from wushe.core.precompiled import PrecompiledQuery, StartsWith, read_after_next_key
from wushe.core.privacy import Access
from wushe.core.privacy.presenting import access_for, present_or_none
from wushe.core.scoping import (
    AREA,
    NOTHING,
    get_scoped,
    scope_kind,
    scope_q_of_kind,
    scoped,
)
from wushe.needs.models import (
    OPEN_STATUSES,
    Need,
    NeedEvent,
    Task,
    TaskAssignment,
)
from wushe.needs.triage import LIFE
from wushe.residents.models import ResidentTag

REVERIFY_AFTER = datetime.timedelta(days=3)

# A request's free text (its description and close note, a task's note and reason, the notes
# of its history) often holds an address or a phone ("送到3号楼201，电话138…"), so it is
# shown like the request's address (docs/privacy.md): in full to the workers, masked to the
# system administrator, hidden from the oversight roles.
REQUEST_TEXT = "address"
# History notes the system writes itself (changed fields, priorities, the deadline missed, a
# task's role, the volunteer offered): no caller's words, so they are shown as they are.
SYSTEM_NOTES = frozenset({"facts_changed", "reranked", "escalated", "task_created", "task_offered"})


def request_text(actor: Any, obj: Any, field: str, *, context: Any = None) -> str | None:
    """``obj.field``, free text of a request, a task or a history entry, as ``actor`` may
    read it: in full, masked, or ``None`` when hidden from them. ``context``: the
    ``PrivacyContext`` (a volunteer's own task shows them its text)."""
    if isinstance(obj, NeedEvent) and obj.action in SYSTEM_NOTES:
        return str(getattr(obj, field))
    return present_or_none(actor, obj, field, kind=REQUEST_TEXT, context=context)


def sees_photos(actor: Any, need: Need) -> bool:
    """Whether ``actor`` may open a request's photos (a prescription, a task's photo at the
    door): they show health information and the door, so only to those who see the request's
    address in full (docs/privacy.md)."""
    return access_for(actor, need, "address", kind=REQUEST_TEXT) is Access.FULL


def _need_base() -> QuerySet[Need]:
    return Need.objects.select_related("area", "resident", "taken_in_by").prefetch_related(
        Prefetch("resident__tag_links", queryset=ResidentTag.objects.select_related("tag")),
        Prefetch("tasks", queryset=Task.objects.select_related("assignee")),
    )


def need_list(
    *,
    actor: Any,
    status: str | None = None,
    category: str | None = None,
    escalated: bool | None = None,
    callback: bool | None = None,
    open_only: bool = False,
) -> QuerySet[Need]:
    """The queue: overdue (escalated) first, then by priority, oldest first among equals.

    ``callback``: unverified requests, and open ones last verified too long ago."""
    qs = scoped(_need_base(), actor)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if category:
        qs = qs.filter(category=category)
    if escalated is not None:
        qs = qs.filter(escalated_at__isnull=not escalated)
    if callback:
        stale = timezone.now() - REVERIFY_AFTER
        qs = qs.filter(status__in=OPEN_STATUSES).filter(last_verified_at__isnull=True) | qs.filter(
            status__in=OPEN_STATUSES, last_verified_at__lt=stale
        )
    return qs.order_by(F("escalated_at").desc(nulls_last=True), "-priority", "created_at", "id")


def need_get_for(actor: Any, pk: Any) -> Need:
    """The request if the actor may see it; NotFoundError alike for missing and foreign."""
    return get_scoped(_need_base(), actor, pk=pk)


def need_history(need: Need) -> QuerySet[NeedEvent]:
    return need.events.select_related("actor", "task")


def need_by_tracking_code(code: str) -> Need | None:
    """For the resident's tracking page (no login): the code is the secret."""
    code = "".join(code.split()).upper()
    if not code:
        return None
    return Need.objects.filter(tracking_code=code).first()


def need_merge_candidates(need: Need, actor: Any) -> QuerySet[Need]:
    """Open requests of the same resident (or caller phone) and category that ``actor`` may
    see: offered for merging. The same phone may have called another community; its requests
    stay out of sight (their tracking codes open the public status page)."""
    by, match = _merge_match(need)
    if by is None:
        return Need.objects.none()
    return scoped(_merge_rows(need.category, by, match, need.pk), actor)


def _merge_match(need: Need) -> tuple[str | None, Any]:
    if need.resident_id is not None:
        return "resident_id", need.resident_id
    if need.caller_phone_index:
        return "caller_phone_index", need.caller_phone_index
    return None, None


def _merge_rows(category: str, by: str, match: Any, pk: int) -> QuerySet[Need]:
    return Need.objects.filter(category=category, status__in=OPEN_STATUSES, **{by: match}).exclude(
        pk=pk
    )


MERGE_CANDIDATES_SHOWN = 5


def need_merge_candidates_recent(need: Need, actor: Any) -> list[Need]:
    """The latest few of ``need_merge_candidates`` (id, tracking code, status, created at).

    Every intake answer lists them, so the query is compiled once per way of matching and
    kind of scope (``core.precompiled``) and takes the actor's area path and id as values."""
    by, match = _merge_match(need)
    kind = scope_kind(Need, actor)
    if by is None or kind == NOTHING:
        return []
    # A request is scoped by its area alone (no owner, no assignee: never "personal"), so
    # the area kind takes the path only.
    scope_values = (actor.scope_path,) if kind == AREA else ()
    return _merge_recent_query(by, kind).all(need.category, match, need.pk, *scope_values)


class IntakeReads(NamedTuple):
    key: int
    merge_candidates: list[Need]
    area: Area


def need_intake_reads(need: Need, actor: Any, *, area: Area | str) -> IntakeReads:
    """For a request not yet stored: a primary key for it, the latest few of its merge
    candidates and, given its code, its area (NotFound, as ``area_by_code_for``, when the
    actor may not see it), read in one round trip (PostgreSQL), so that the intake can write
    the request and its other rows in one statement and answer with all of it."""
    if need.caller_phone_index is None:
        need.caller_phone_index = Need._meta.get_field("caller_phone_index").compute(need)
    by, match = _merge_match(need)
    kind = scope_kind(Need, actor)
    parts = [] if isinstance(area, Area) else [area_by_code_lookup(area)]
    if by is not None and kind != NOTHING:
        scope_values = (actor.scope_path,) if kind == AREA else ()
        # No stored row has key 0: the new request, not yet stored, is not among them anyway.
        query = _merge_recent_query(by, kind)
        parts.append(query.bind(need.category, match, 0, *scope_values, many=True))
    key, found = read_after_next_key(Need, *parts)
    if not isinstance(area, Area):
        looked_up, *found = found
        area = area_found_for(actor, looked_up[0] if looked_up else None)
    return IntakeReads(key, found[0] if found else [], area)


_MERGE_RECENT: dict[tuple[str, str], PrecompiledQuery[Need]] = {}


def _merge_recent_query(by: str, kind: str) -> PrecompiledQuery[Need]:
    query = _MERGE_RECENT.get((by, kind))
    if query is not None:
        return query

    def build(category: str, match: Any, pk: int, *scope_values: Any) -> QuerySet[Need]:
        path = scope_values[0] if kind == AREA else None
        qs = _merge_rows(category, by, match, pk).filter(
            scope_q_of_kind(Need, kind, path=path, user=None)
        )
        fields = ("id", "tracking_code", "status", "created_at")
        return qs.only(*fields).order_by("-id")[:MERGE_CANDIDATES_SHOWN]

    scope_types = (StartsWith,) if kind == AREA else ()
    match_type = int if by == "resident_id" else str
    query = PrecompiledQuery(build, types=(str, match_type, int, *scope_types))
    return _MERGE_RECENT.setdefault((by, kind), query)


def task_list(*, actor: Any, status: str | None = None, open_pool: bool = False) -> QuerySet[Task]:
    """Tasks in scope (a volunteer: their own, or the open pool of their area with
    ``open_pool``)."""
    if open_pool:
        path = getattr(actor, "scope_path", None) or ""
        qs = Task.objects.filter(status=Task.TaskStatus.OPEN, need__area__path__startswith=path)
        if not path:
            qs = qs.none()
    else:
        qs = scoped(Task.objects.all(), actor)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("need__area", "need__resident", "assignee").order_by(
        "-need__priority", "id"
    )


def task_pool(*, actor: Any) -> QuerySet[Task]:
    """The open pool as a volunteer is shown it: without the tasks they declined (they are
    never asked again, and taking one is refused)."""
    declined = TaskAssignment.objects.filter(
        volunteer=actor, state=TaskAssignment.State.DECLINED
    ).values("task_id")
    return task_list(actor=actor, open_pool=True).exclude(pk__in=declined)


def task_get_for(actor: Any, pk: Any, *, open_pool: bool = False) -> Task:
    if open_pool:
        return get_scoped(task_list(actor=actor, open_pool=True), _Everyone(), pk=pk)
    return get_scoped(Task.objects.select_related("need__area", "need__resident"), actor, pk=pk)


class _Everyone:
    """The open pool was already limited to the volunteer's area."""

    is_authenticated = True
    is_active = True
    sees_everything = True


def my_assignments(*, actor: Any) -> QuerySet[TaskAssignment]:
    """A volunteer's offers and tasks, the live ones first."""
    live = Q(
        state__in=[TaskAssignment.State.OFFERED, TaskAssignment.State.ACCEPTED],
        task__status__in=[
            Task.TaskStatus.OFFERED,
            Task.TaskStatus.ACCEPTED,
            Task.TaskStatus.IN_PROGRESS,
        ],
    )
    return (
        scoped(TaskAssignment.objects.all(), actor)
        .filter(volunteer=actor)
        .exclude(state=TaskAssignment.State.REMOVED)
        .select_related("task__need__area", "task__need__resident__household__building")
        .annotate(live=Case(When(live, then=Value(0)), default=Value(1)))
        .order_by("live", "-task__need__priority", "-id")
    )


def assignment_get_for(actor: Any, pk: Any) -> TaskAssignment:
    return get_scoped(
        TaskAssignment.objects.select_related(
            "task__need__area", "task__need__resident__household__building"
        ),
        actor,
        pk=pk,
    )


def is_assigned_active(actor: Any, need: Need) -> bool:
    """The privacy context: a task of this request is the actor's and still open."""
    return (
        Task.objects.filter(
            need=need,
            assignee=actor,
            status__in=[Task.TaskStatus.ACCEPTED, Task.TaskStatus.IN_PROGRESS],
        ).exists()
        and need.status in OPEN_STATUSES
    )


def need_counts(*, actor: Any) -> dict[str, int]:
    """For the home panel: open requests in scope, life-critical, overdue, to call back."""
    stale = timezone.now() - REVERIFY_AFTER
    open_needs = scoped(Need.objects.filter(status__in=OPEN_STATUSES), actor)
    return open_needs.aggregate(
        open=Count("id"),
        life=Count("id", filter=Q(priority__gte=LIFE)),
        overdue=Count("id", filter=Q(escalated_at__isnull=False)),
        callback=Count(
            "id", filter=Q(last_verified_at__isnull=True) | Q(last_verified_at__lt=stale)
        ),
    )

"""Every write to requests and tasks: keyword-only, one transaction each, logged, and every
transition of a request or a task recorded as a ``NeedEvent`` (who, when, from, to, why)."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from wushe.areas.models import Area
from wushe.areas.selectors import area_by_code_for
from wushe.core import audit
from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from wushe.core.precompiled import Group, PendingInserts, PrecompiledInsert, insert_together
from wushe.core.privacy import ProtectedFieldsMixin
from wushe.core.scoping import path_in_scope
from wushe.needs import errors, selectors, triage
from wushe.needs.models import (
    OPEN_STATUSES,
    Attachment,
    Category,
    Channel,
    IdempotencyKey,
    Need,
    NeedEvent,
    Outcome,
    Status,
    Task,
    TaskAssignment,
    TriageSettings,
)
from wushe.needs.signals import offer_declined_on_commit
from wushe.residents.models import Resident
from wushe.residents.selectors import resident_tags
from wushe.volunteers.models import VolunteerProfile
from wushe.volunteers.selectors import volunteer_list

TS = Task.TaskStatus
AS = TaskAssignment.State
# A task someone may still do; a request with none of these waits for one (a round gives it).
LIVE_TASK_STATUSES = (TS.OPEN, TS.OFFERED, TS.ACCEPTED, TS.IN_PROGRESS)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I; 32, a divisor of 256
UNVERIFIED_CHANNELS = (Channel.WEB_FORM, Channel.WECHAT)
FACT_FIELDS = (
    "days_medicine_left",
    "days_food_left",
    "medical_emergency",
    "critical_condition",
    "treatment_at",
    "deadline",
    "description",
)


def _user(actor: Any) -> Any:
    """The actor as a user row, or ``None`` (the public form, a command-line system actor)."""
    return actor if isinstance(actor, get_user_model()) else None


def _tracking_code() -> str:
    # 32 symbols: each random byte modulo 32 is uniform (one read of the system's random
    # source rather than one per character).
    return "".join(_CODE_ALPHABET[b % len(_CODE_ALPHABET)] for b in secrets.token_bytes(8))


def _event(
    need: Need,
    action: str,
    actor: Any,
    *,
    old: str = "",
    new: str = "",
    task: Task | None = None,
    note: str = "",
) -> None:
    NeedEvent.objects.create(
        need=need,
        task=task,
        action=action,
        from_status=old,
        to_status=new,
        actor=_user(actor),
        note=str(note)[:500],
        at=timezone.now(),
    )


def _check_area(actor: Any, area: Area) -> None:
    if actor is not None and not path_in_scope(area.path, actor):
        raise PermissionDeniedError(errors.AREA_OUT_OF_SCOPE, field="area")


def _set_status(need: Need, new: str, actor: Any, action: str, note: str = "") -> None:
    old = need.status
    need.status = new
    need.save(update_fields=["status", "updated_at"])
    _event(need, action, actor, old=old, new=new, note=note)


_NEED_INSERT = PrecompiledInsert(
    Need, plain_saves=(ProtectedFieldsMixin,)
)  # one per intake: compiled once (core.precompiled)
_EVENT_INSERT = PrecompiledInsert(NeedEvent)
WEIGHTS_CACHE_SECONDS = 60


def triage_weights(area: Area) -> dict[str, Any]:
    """The weights of the street the area lies in (its ``TriageSettings``), over the defaults.

    Cached per area for a minute (intake reads them on every request): a change to a street's
    settings applies to new requests within a minute."""
    codes = area.path.strip("/").split("/")
    key = f"needs.weights:{area.path}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    row = TriageSettings.objects.filter(street__code__in=codes).only("weights").first()
    weights = triage.merged_weights(row.weights if row else None)
    cache.set(key, weights, WEIGHTS_CACHE_SECONDS)
    return weights


def facts_of(need: Need, *, now: datetime.datetime | None = None) -> triage.Facts:
    tags: frozenset[str] = frozenset()
    treatment = ""
    if need.resident is not None:
        found = resident_tags(need.resident)
        tags = frozenset(t["code"] for t in found)
        treatment = next(
            (link.treatment for link in need.resident.tag_links.all() if link.treatment), ""
        )
    return triage.Facts(
        category=need.category,
        now=now or timezone.now(),
        medical_emergency=need.medical_emergency,
        critical_condition=need.critical_condition,
        treatment_at=need.treatment_at,
        treatment_name=treatment,
        days_medicine_left=need.days_medicine_left,
        days_food_left=need.days_food_left,
        deadline=need.deadline,
        tags=tags,
    )


def _apply_triage(need: Need) -> None:
    result = triage.compute(facts_of(need), triage_weights(need.area))
    need.priority = result.score
    need.priority_breakdown = result.as_breakdown()
    need.save(update_fields=["priority", "priority_breakdown", "updated_at"])


def _validate_facts(data: dict[str, Any]) -> None:
    if data.get("critical_condition") and data.get("days_medicine_left") is None:
        raise ApplicationError(errors.CRITICAL_WITHOUT_DAYS, field="days_medicine_left")
    deadline = data.get("deadline")
    if deadline is not None and deadline < timezone.now() - datetime.timedelta(hours=1):
        raise ApplicationError(errors.DEADLINE_IN_PAST, field="deadline")
    if data.get("category") is not None and data["category"] not in Category.values:
        raise ApplicationError(
            errors.UNKNOWN_CATEGORY.format(category=data["category"]), field="category"
        )


def need_create(
    *,
    actor: Any,
    area: Area | str,
    category: str,
    channel: str,
    resident: Resident | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    address: str = "",
    description: str = "",
    days_medicine_left: int | None = None,
    days_food_left: int | None = None,
    medical_emergency: bool = False,
    critical_condition: bool = False,
    treatment_at: datetime.datetime | None = None,
    deadline: datetime.datetime | None = None,
    hotline_order_no: str = "",
    files: list[Any] | None = None,
    pending: PendingInserts | None = None,
) -> Need:
    """Take a request in, triage it at once, start its SLA clock. ``actor`` is ``None`` for
    the resident's own public form. ``area`` is the area or, for an actor with a scope, its
    code (the API), looked up after the checks of the request itself as ``area_by_code_for``
    does: an unknown area and one outside the actor's scope are both NotFound.

    With ``pending`` (PostgreSQL, no files) nothing is written yet: the request gets its key,
    its latest merge candidates (kept as ``need.merge_candidates_found`` for the answer) and
    its area by code in one round trip, and its rows go to ``pending``, for the caller to
    write in one statement with its own (an ``Idempotency-Key`` answer: ``needs.idempotency``).

    Opens no savepoint of its own: a caller inside a transaction that catches a failed
    create and goes on must wrap the call in its own ``atomic()`` (as the importer does per
    row); otherwise the failure rolls back the caller's whole transaction."""
    if actor is None and not isinstance(area, Area):
        raise ValueError("need_create: an area by its code needs an actor to check it against")
    if resident is None and not (caller_name.strip() or caller_phone.strip()):
        raise ApplicationError(errors.NO_PERSON, field="resident")
    if resident is not None and actor is not None and not path_in_scope(resident.area.path, actor):
        raise PermissionDeniedError(errors.RESIDENT_OUT_OF_SCOPE, field="resident")
    if isinstance(area, Area):
        _check_area(actor, area)
    _validate_facts(
        {
            "category": category,
            "critical_condition": critical_condition,
            "days_medicine_left": days_medicine_left,
            "deadline": deadline,
        }
    )
    now = timezone.now()
    need = Need(
        resident=resident,
        caller_name=caller_name.strip() or None,
        caller_phone=caller_phone.strip() or None,
        address=address.strip() or None,
        category=category,
        description=description,
        days_medicine_left=days_medicine_left,
        days_food_left=days_food_left,
        medical_emergency=medical_emergency,
        critical_condition=critical_condition,
        treatment_at=treatment_at,
        deadline=deadline,
        channel=channel,
        taken_in_by=_user(actor),
        tracking_code=_tracking_code(),
        hotline_order_no=hotline_order_no,
        last_verified_at=None if channel in UNVERIFIED_CHANNELS else now,
        status=Status.TRIAGED,
    )
    if pending is not None:
        if files:
            raise ValueError("need_create: a request with files is written at once")
        reads = selectors.need_intake_reads(need, actor, area=area)
        need.pk, area = reads.key, reads.area
        need.merge_candidates_found = reads.merge_candidates  # type: ignore[attr-defined]
    elif isinstance(area, str):
        area = area_by_code_for(actor, area)
    need.area = area
    weights = triage_weights(area)
    need.sla_due_at = now + datetime.timedelta(hours=triage.sla_hours(category, weights))
    # Triaged on intake: the priority is computed before the row is written (one INSERT),
    # and both transitions (new, then triaged) are recorded.
    result = triage.compute(facts_of(need, now=now), weights)
    need.priority = result.score
    need.priority_breakdown = result.as_breakdown()
    if pending is not None:
        pending.add(_NEED_INSERT, [need])
        for group in _created_rows(need, actor, now):
            pending.add(*group)
        return need
    # The checks above raise before any write. The writes open no savepoint of their own
    # (two round trips per intake): inside a caller's transaction (an import) a failure
    # rolls back to the caller's savepoint or the whole transaction; a caller that catches
    # a failed create and goes on wraps it in its own ``atomic()``, as the importer does.
    with transaction.atomic(savepoint=False):
        _NEED_INSERT.insert(need)
        for upload in files or []:
            Attachment.objects.create(need=need, file=upload, uploaded_by=need.taken_in_by)
        # Both history events and the action-log row in one statement (one round trip).
        insert_together(*_created_rows(need, actor, now))
        return need


def _created_rows(need: Need, actor: Any, now: datetime.datetime) -> list[Group]:
    """A new request's history (created, then triaged) and its action-log row."""
    by = _user(actor)
    return [
        (_EVENT_INSERT, [
            NeedEvent(need=need, action="created", to_status=Status.NEW, actor=by, at=now,
                      note=str(Channel(need.channel).label)),
            NeedEvent(need=need, action="triaged", from_status=Status.NEW,
                      to_status=Status.TRIAGED, actor=by, at=now),
        ]),
        (audit.INSERT, [audit.action_log_row(
            "needs.need.created", actor=actor, obj=need, area_path=need.area.path,
            data={"category": need.category, "channel": need.channel, "priority": need.priority},
        )]),
    ]  # fmt: skip


@transaction.atomic
def need_update_facts(*, actor: Any, need: Need, **facts: Any) -> Need:
    """Change the facts that bear on urgency; the priority is recomputed."""
    _check_area(actor, need.area)
    unknown = set(facts) - set(FACT_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    merged = {f: getattr(need, f) for f in FACT_FIELDS} | facts
    _validate_facts(merged)
    for name, value in facts.items():
        setattr(need, name, value)
    need.save(update_fields=[*facts, "updated_at"])
    before = need.priority
    _apply_triage(need)
    _event(need, "facts_changed", actor, note=", ".join(sorted(facts)))
    log_action(
        "needs.need.facts_changed",
        actor=actor,
        obj=need,
        area_path=need.area.path,
        data={"fields": sorted(facts), "priority": [before, need.priority]},
    )
    return need


def need_recompute_priority(*, need: Need) -> Need:
    """Recompute after something outside the request changed (the resident's tags, weights)."""
    _apply_triage(need)
    return need


RERANK_IDS_IN_QUERY = 1000  # up to this many residents, the database picks their requests


def needs_rerank_for_residents(*, resident_ids: Iterable[int]) -> int:
    """Re-rank the open requests of residents whose key-population tags changed (a worker
    ticked "lives alone", a re-imported canvass sheet): the queue follows at once. Each change
    of priority is written to the request's history. Returns how many priorities changed."""
    wanted = set(resident_ids)
    open_rows = Need.objects.filter(status__in=OPEN_STATUSES, resident__isnull=False)
    if len(wanted) <= RERANK_IDS_IN_QUERY:  # a worker's edit: that resident's requests only
        targets = list(open_rows.filter(resident_id__in=wanted).values_list("pk", flat=True))
    else:
        # Open requests are few next to a street's residents: filter them in memory rather
        # than sending a re-imported sheet's 100,000 ids to the database.
        rows = open_rows.values_list("pk", "resident_id")
        targets = [pk for pk, rid in rows if rid in wanted]
    changed = 0
    needs = (
        Need.objects.filter(pk__in=targets)
        .select_related("area", "resident")
        .prefetch_related("resident__tag_links__tag")
    )
    for need in needs:
        with transaction.atomic():
            before = need.priority
            _apply_triage(need)
            if need.priority != before:
                changed += 1
                _event(need, "reranked", None, note=f"{before} → {need.priority}")
    return changed


@transaction.atomic
def need_verify(*, actor: Any, need: Need, note: str = "") -> Need:
    """A worker confirmed the request by phone (the call-back queue, re-verification)."""
    _check_area(actor, need.area)
    need.last_verified_at = timezone.now()
    need.save(update_fields=["last_verified_at", "updated_at"])
    _event(need, "verified", actor, note=note)
    log_action("needs.need.verified", actor=actor, obj=need, area_path=need.area.path)
    return need


@transaction.atomic
def need_link_resident(*, actor: Any, need: Need, resident: Resident) -> Need:
    """Link a caller's request to the resident once registered; the priority follows the tags."""
    _check_area(actor, need.area)
    if not path_in_scope(resident.area.path, actor):
        raise PermissionDeniedError(errors.RESIDENT_OUT_OF_SCOPE, field="resident")
    need.resident = resident
    need.save(update_fields=["resident", "updated_at"])
    _apply_triage(need)
    _event(need, "resident_linked", actor)
    log_action("needs.need.resident_linked", actor=actor, obj=need, area_path=need.area.path)
    return need


CLOSE_STATUS = {
    Outcome.FULFILLED: Status.DONE,
    Outcome.NOT_POSSIBLE: Status.FAILED,
    Outcome.NOT_NEEDED: Status.CANCELLED,
    Outcome.DUPLICATE: Status.CANCELLED,
}


def _lock_need(pk: int) -> Need:
    """Lock a request for a change: always before any of its tasks (see ``task_lock``)."""
    return Need.objects.select_for_update(of=("self",)).select_related("area").get(pk=pk)


def _close(need: Need, actor: Any, outcome: str, note: str) -> None:
    for task in need.tasks.select_for_update().filter(status__in=LIVE_TASK_STATUSES):
        old = task.status
        task.status = TS.CANCELLED if outcome != Outcome.FULFILLED else TS.DONE
        task.save(update_fields=["status", "updated_at"])
        _event(need, "task_closed", actor, old=old, new=task.status, task=task)
    need.outcome = outcome
    need.outcome_note = note[:500]
    need.save(update_fields=["outcome", "outcome_note", "updated_at"])
    _set_status(need, CLOSE_STATUS[Outcome(outcome)], actor, "closed", note=note)


@transaction.atomic
def need_close(*, actor: Any, need: Need, outcome: str, note: str = "") -> Need:
    """Close with the reason why: fulfilled, could not be done, no longer needed, duplicate."""
    _check_area(actor, need.area)
    need = _lock_need(need.pk)
    if outcome not in Outcome.values:
        raise ApplicationError(errors.REASON_REQUIRED, field="outcome")
    if need.status not in OPEN_STATUSES:
        raise ApplicationError(
            errors.INVALID_TRANSITION.format(
                status=need.get_status_display(), action=errors.CLOSED
            ),
            field="status",
        )
    if outcome == Outcome.NOT_POSSIBLE and not note.strip():
        raise ApplicationError(errors.REASON_REQUIRED, field="note")
    _close(need, actor, outcome, note)
    log_action(
        "needs.need.closed",
        actor=actor,
        obj=need,
        area_path=need.area.path,
        data={"outcome": outcome},
    )
    return need


@transaction.atomic
def need_reopen(*, actor: Any, need: Need, reason: str) -> Need:
    """Open a closed request again, back in the queue like one just taken in: its old tasks
    stay closed, and it is routed again because it has no live task (a round gives it one)."""
    _check_area(actor, need.area)
    need = _lock_need(need.pk)
    if need.status in OPEN_STATUSES:
        raise ApplicationError(
            errors.INVALID_TRANSITION.format(
                status=need.get_status_display(), action=errors.REOPENED
            ),
            field="status",
        )
    if not reason.strip():
        raise ApplicationError(errors.REASON_REQUIRED, field="reason")
    need.outcome = ""
    need.outcome_note = ""
    need.merged_into = None
    need.sla_due_at = timezone.now() + datetime.timedelta(
        hours=triage.sla_hours(need.category, triage_weights(need.area))
    )
    need.escalated_at = None
    need.save(
        update_fields=[
            "outcome",
            "outcome_note",
            "merged_into",
            "sla_due_at",
            "escalated_at",
            "updated_at",
        ]
    )
    _set_status(need, Status.TRIAGED, actor, "reopened", note=reason)
    log_action("needs.need.reopened", actor=actor, obj=need, area_path=need.area.path)
    return need


@transaction.atomic
def need_merge(*, actor: Any, need: Need, into: Need) -> Need:
    """Close ``need`` as a duplicate of ``into`` (same resident and category), linked to it.
    Both must be open; both are locked, the lower id first (two merges never wait in a circle)."""
    _check_area(actor, need.area)
    _check_area(actor, into.area)
    if need.pk == into.pk:
        raise ApplicationError(errors.MERGE_SELF, field="into")
    locked = {pk: _lock_need(pk) for pk in sorted((need.pk, into.pk))}
    need, into = locked[need.pk], locked[into.pk]
    if not need.is_open:
        raise ApplicationError(errors.MERGE_SOURCE_CLOSED, field="status")
    if not into.is_open:
        raise ApplicationError(errors.MERGE_TARGET_CLOSED, field="into")
    need.merged_into = into
    need.save(update_fields=["merged_into", "updated_at"])
    _close(need, actor, Outcome.DUPLICATE, f"→ {into.tracking_code}")
    _event(into, "merged", actor, note=f"{need.tracking_code}: {need.description}"[:500])
    log_action(
        "needs.need.merged",
        actor=actor,
        obj=need,
        area_path=need.area.path,
        data={"into": into.pk},
    )
    return need


def needs_escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Flag every open request past its SLA (top of the queue, the supervisor's attention)."""
    now = now or timezone.now()
    count = 0
    overdue = Need.objects.filter(
        status__in=OPEN_STATUSES, sla_due_at__lt=now, escalated_at__isnull=True
    ).select_related("area")
    for need in overdue.iterator():
        with transaction.atomic():
            updated = Need.objects.filter(pk=need.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not updated:
                continue
            # The note is the deadline missed, as the history shows it (local time, no seconds).
            due = need.sla_due_at
            note = f"{timezone.localtime(due):%Y-%m-%d %H:%M}" if due else ""
            _event(need, "escalated", None, note=note)
            log_action("needs.need.escalated", actor=None, obj=need, area_path=need.area.path)
            count += 1
    return count


def idempotency_keys_prune(*, older_than: datetime.timedelta = datetime.timedelta(days=2)) -> int:
    """Forget stored Idempotency-Key answers older than any client would retry."""
    cutoff = timezone.now() - older_than
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# ---------------------------------------------------------------------------- tasks


def _need_follows_tasks(need: Need, actor: Any) -> None:
    """The request's status follows its tasks (assigned → accepted → in progress → done);
    a failed task was replaced (``task_fail``) and no longer counts, nor does a task of an
    episode closed before the request's last reopening (its old done tasks)."""
    last_reopened = NeedEvent.objects.filter(need=OuterRef("need"), action="reopened")
    statuses = list(
        need.tasks.exclude(status__in=[TS.CANCELLED, TS.FAILED])
        .filter(
            created_at__gte=Coalesce(
                Subquery(last_reopened.order_by("-at").values("at")[:1]), F("created_at")
            )
        )
        .values_list("status", flat=True)
    )
    if not need.is_open or not statuses:
        return
    if all(s == TS.DONE for s in statuses):
        need.outcome = Outcome.FULFILLED
        need.save(update_fields=["outcome", "updated_at"])
        _set_status(need, Status.DONE, actor, "closed")
        log_action("needs.need.fulfilled", actor=actor, obj=need, area_path=need.area.path)
        return
    if TS.IN_PROGRESS in statuses or TS.DONE in statuses:
        new = Status.IN_PROGRESS
    elif TS.ACCEPTED in statuses:
        new = Status.ACCEPTED
    elif TS.OFFERED in statuses:
        new = Status.ASSIGNED
    else:
        new = Status.TRIAGED
    if new != need.status:
        _set_status(need, new, actor, "followed_tasks")


def task_lock(*, pk: int, skip_locked: bool = False) -> Task | None:
    """Lock a task for a change, its request first: the one order every write of the workflow
    takes (request, then task, then offer), so that two writers (a close and an accept, say)
    never wait for each other in a circle. The task comes with its locked request as
    ``task.need``. None when there is no such task, or with ``skip_locked`` when either row
    is being written right now."""
    need = (
        Need.objects.select_for_update(skip_locked=skip_locked, of=("self",))
        .select_related("area")
        .filter(tasks__pk=pk)
        .first()
    )
    if need is None:
        return None
    task = Task.objects.select_for_update(skip_locked=skip_locked).filter(pk=pk).first()
    if task is not None:
        task.need = need
    return task


def _lock_task(pk: int) -> Task:
    task = task_lock(pk=pk)
    if task is None:
        raise NotFoundError()
    return task


def _check_may_work(volunteer: Any) -> None:
    """Taking a task shows the resident's name and address: only to an active volunteer."""
    if getattr(volunteer, "role", None) != "volunteer":
        raise PermissionDeniedError(errors.NOT_A_VOLUNTEER)
    if not (
        volunteer.is_active
        and VolunteerProfile.objects.filter(user=volunteer, is_active=True).exists()
    ):
        raise PermissionDeniedError(errors.NOT_ACTIVE_VOLUNTEER)


@transaction.atomic
def task_create(*, actor: Any, need: Need, role: str = "") -> Task:
    _check_area(actor, need.area)
    need = _lock_need(need.pk)
    if not need.is_open:
        raise ApplicationError(
            errors.INVALID_TRANSITION.format(
                status=need.get_status_display(), action=errors.GIVEN_TASKS
            )
        )
    task = Task.objects.create(need=need, role=role)
    _event(need, "task_created", actor, new=TS.OPEN, task=task, note=role)
    log_action("needs.task.created", actor=actor, obj=task, area_path=need.area.path)
    return task


@transaction.atomic
def task_offer(
    *, actor: Any, task: Task, volunteer: Any, round_id: int | None = None
) -> TaskAssignment:
    """Offer a task to a volunteer (the dispatcher's assign). A decline is never asked again.
    ``round_id``: the dispatch round whose routes make this offer (logged as the reason)."""
    _check_area(actor, task.need.area)
    if getattr(volunteer, "role", None) != "volunteer":
        raise ApplicationError(errors.NOT_A_VOLUNTEER, field="volunteer")
    # Only a volunteer the actor may send: the offer shows them the resident's address.
    if not volunteer.is_active or (
        actor is not None and not volunteer_list(actor=actor).filter(user_id=volunteer.pk).exists()
    ):
        raise ApplicationError(errors.VOLUNTEER_NOT_HERE, field="volunteer")
    task = _lock_task(task.pk)
    if task.status not in (TS.OPEN, TS.OFFERED):
        raise ApplicationError(
            errors.TASK_INVALID.format(status=task.get_status_display(), action=errors.OFFERED)
        )
    existing = TaskAssignment.objects.filter(task=task, volunteer=volunteer).first()
    if existing is not None and existing.state == AS.DECLINED:
        raise ApplicationError(errors.DECLINED_BEFORE, field="volunteer")
    if existing is not None and existing.state in (AS.OFFERED, AS.ACCEPTED):
        return existing
    if existing is not None:  # removed earlier, offered again (by hand, or by a round)
        existing.state = AS.OFFERED
        existing.reason = ""
        existing.from_round = round_id
        existing.save(update_fields=["state", "reason", "from_round", "updated_at"])
        assignment = existing
    else:
        assignment = TaskAssignment.objects.create(
            task=task, volunteer=volunteer, state=AS.OFFERED, from_round=round_id
        )
    old = task.status
    task.status = TS.OFFERED
    task.save(update_fields=["status", "updated_at"])
    _event(
        task.need, "task_offered", actor, old=old, new=TS.OFFERED, task=task, note=str(volunteer)
    )
    _need_follows_tasks(task.need, actor)
    log_action(
        "needs.task.offered",
        actor=actor,
        obj=task,
        area_path=task.need.area.path,
        data={"volunteer": volunteer.pk, **({"round": round_id} if round_id else {})},
    )
    return assignment


def _take(task: Task, volunteer: Any, *, from_status: str) -> bool:
    """The atomic claim: one conditional UPDATE, so exactly one of many racing wins."""
    return bool(
        Task.objects.filter(pk=task.pk, status=from_status, assignee__isnull=True).update(
            status=TS.ACCEPTED, assignee=volunteer, updated_at=timezone.now()
        )
    )


@transaction.atomic
def task_claim(*, actor: Any, task: Task) -> Task:
    """A volunteer takes an open task from the pool; when many press "take", one wins."""
    _check_may_work(actor)
    task = _lock_task(task.pk)
    if TaskAssignment.objects.filter(task=task, volunteer=actor, state=AS.DECLINED).exists():
        raise ApplicationError(errors.YOU_DECLINED)
    if not _take(task, actor, from_status=TS.OPEN):
        raise errors.ConflictError(errors.TASK_NOT_OPEN)
    TaskAssignment.objects.update_or_create(
        task=task, volunteer=actor, defaults={"state": AS.ACCEPTED, "responded_at": timezone.now()}
    )
    need = task.need
    task.refresh_from_db()
    task.need = need
    _event(task.need, "task_claimed", actor, old=TS.OPEN, new=TS.ACCEPTED, task=task)
    _need_follows_tasks(task.need, actor)
    log_action("needs.task.claimed", actor=actor, obj=task, area_path=task.need.area.path)
    return task


def _lock_offer(assignment: TaskAssignment, *, wait: bool) -> tuple[Task, TaskAssignment] | None:
    """Lock the offer's request and task (``task_lock``), then the offer: the order every
    answer takes (accept, decline, lapse, removal). Without ``wait``, None when any of them
    is being written right now."""
    task = task_lock(pk=assignment.task_id, skip_locked=not wait)
    if task is None:
        return None
    offer = (
        TaskAssignment.objects.select_for_update(skip_locked=not wait)
        .filter(pk=assignment.pk)
        .first()
    )
    return (task, offer) if offer is not None else None


def _lock_own_offer(assignment: TaskAssignment, actor: Any) -> tuple[Task, TaskAssignment]:
    """The volunteer's own offer and its task, locked for their answer (accept, decline)."""
    if assignment.volunteer_id != getattr(actor, "pk", None):
        raise PermissionDeniedError(errors.NOT_YOUR_TASK)
    locked = _lock_offer(assignment, wait=True)
    if locked is None:
        raise errors.ConflictError(errors.TASK_NOT_OPEN)
    return locked


@transaction.atomic
def assignment_accept(*, actor: Any, assignment: TaskAssignment) -> TaskAssignment:
    """The volunteer accepts an offer (in the app or from the signed link): only while they
    are an active volunteer."""
    _check_may_work(actor)
    task, assignment = _lock_own_offer(assignment, actor)
    if assignment.state == AS.ACCEPTED:
        return assignment
    if assignment.state == AS.DECLINED and assignment.lapsed:
        raise ApplicationError(errors.OFFER_LAPSED)
    if assignment.state != AS.OFFERED:
        raise ApplicationError(
            errors.TASK_INVALID.format(
                status=assignment.get_state_display(), action=errors.ACCEPTED
            )
        )
    if not _take(task, actor, from_status=TS.OFFERED):
        raise errors.ConflictError(errors.TASK_NOT_OPEN)
    assignment.state = AS.ACCEPTED
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["state", "responded_at", "updated_at"])
    # Other volunteers offered the same task are no longer needed for it.
    TaskAssignment.objects.filter(task=task, state=AS.OFFERED).exclude(pk=assignment.pk).update(
        state=AS.REMOVED, updated_at=timezone.now()
    )
    _event(task.need, "task_accepted", actor, old=TS.OFFERED, new=TS.ACCEPTED, task=task)
    _need_follows_tasks(task.need, actor)
    log_action("needs.task.accepted", actor=actor, obj=task, area_path=task.need.area.path)
    return assignment


def _decline(
    task: Task,
    assignment: TaskAssignment,
    *,
    actor: Any,
    reason: str,
    lapsed: bool,
    withdrawn: bool = False,
) -> None:
    """A decline, by the volunteer, by lapse, or for a volunteer no longer active
    (``withdrawn``: their offer, or the task they had accepted, handed back): never asked
    again for this task; the task is open again when no other offer stands."""
    assignment.state = AS.DECLINED
    assignment.reason = reason[:500]
    assignment.lapsed = lapsed
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["state", "reason", "lapsed", "responded_at", "updated_at"])
    old = task.status
    live = task.assignments.filter(state__in=[AS.OFFERED, AS.ACCEPTED])
    if old in (TS.OFFERED, TS.ACCEPTED, TS.IN_PROGRESS) and not live.exists():
        task.status = TS.OPEN
        task.assignee = None
    task.save(update_fields=["assignee", "status", "updated_at"])
    action = "task_removed" if withdrawn else "task_declined"
    _event(task.need, action, actor, old=old, new=task.status, task=task, note=reason)
    _need_follows_tasks(task.need, actor)
    log_action(
        "needs.task.withdrawn"
        if withdrawn
        else "needs.task.lapsed"
        if lapsed
        else "needs.task.declined",
        actor=actor,
        obj=task,
        area_path=task.need.area.path,
        data={"volunteer": assignment.volunteer_id},
    )
    offer_declined_on_commit(assignment.pk, lapsed=lapsed)


@transaction.atomic
def assignment_decline(
    *, actor: Any, assignment: TaskAssignment, reason: str = ""
) -> TaskAssignment:
    """The volunteer declines; they are never asked for this task again."""
    task, assignment = _lock_own_offer(assignment, actor)
    if assignment.state == AS.DECLINED:
        return assignment
    if assignment.state != AS.OFFERED:
        raise ApplicationError(
            errors.TASK_INVALID.format(
                status=assignment.get_state_display(), action=errors.DECLINED
            )
        )
    _decline(task, assignment, actor=actor, reason=reason, lapsed=False)
    return assignment


def task_returned_to_queue(*, task: Task, reason: str) -> None:
    """Automatic dispatch could not place the task (say, after a decline): it waits in the
    dispatcher's queue, and the request's history says why."""
    _event(
        task.need, "task_returned", None, old=task.status, new=task.status, task=task, note=reason
    )


@transaction.atomic
def assignment_lapse(*, assignment: TaskAssignment, reason: str) -> TaskAssignment | None:
    """An offer left unanswered too long counts as a decline (the volunteer is not asked
    again for this task); the task goes back to open when no other offer stands. Returns
    None when the offer was answered in the meantime, or is being answered right now.

    The lapse never waits for a lock (the next beat tries again): a volunteer answering
    goes first."""
    locked = _lock_offer(assignment, wait=False)
    if locked is None or locked[1].state != AS.OFFERED:
        return None
    task, assignment = locked
    _decline(task, assignment, actor=None, reason=reason, lapsed=True)
    return assignment


@transaction.atomic
def volunteer_tasks_withdraw(*, volunteer: Any) -> int:
    """A volunteer was deactivated (their account, or their volunteer profile) or is no longer
    a volunteer: each live offer and each task they had accepted is handed back as a decline
    would be (the task is open again and a round re-dispatches it). Returns how many."""
    live = TaskAssignment.objects.filter(
        volunteer=volunteer,
        state__in=[AS.OFFERED, AS.ACCEPTED],
        task__status__in=LIVE_TASK_STATUSES,
    ).order_by("task__need_id", "task_id")
    count = 0
    for assignment in live:
        locked = _lock_offer(assignment, wait=True)
        if locked is None or locked[1].state not in (AS.OFFERED, AS.ACCEPTED):
            continue
        task, assignment = locked
        if task.status not in LIVE_TASK_STATUSES:
            continue
        reason = str(errors.VOLUNTEER_WITHDRAWN)
        _decline(task, assignment, actor=None, reason=reason, lapsed=False, withdrawn=True)
        count += 1
    return count


@transaction.atomic
def assignment_remove(
    *, actor: Any, assignment: TaskAssignment, reason: str = ""
) -> TaskAssignment:
    """The dispatcher takes a volunteer off a task; the task goes back to the pool."""
    _check_area(actor, assignment.task.need.area)
    locked = _lock_offer(assignment, wait=True)  # the task first, like the answers
    if locked is None:
        raise NotFoundError()
    task, assignment = locked
    assignment.state = AS.REMOVED
    assignment.reason = reason[:500]
    assignment.save(update_fields=["state", "reason", "updated_at"])
    old = task.status
    if task.assignee_id == assignment.volunteer_id:
        task.assignee = None
    if not task.assignments.filter(state__in=[AS.OFFERED, AS.ACCEPTED]).exists():
        task.status = TS.OPEN
    task.save(update_fields=["assignee", "status", "updated_at"])
    _event(task.need, "task_removed", actor, old=old, new=task.status, task=task, note=reason)
    _need_follows_tasks(task.need, actor)
    log_action("needs.task.removed", actor=actor, obj=task, area_path=task.need.area.path)
    return assignment


def _my_task(actor: Any, task: Task, allowed: tuple[str, ...], action: Any) -> Task:
    task = _lock_task(task.pk)
    if task.assignee_id != getattr(actor, "pk", None):
        raise PermissionDeniedError(errors.NOT_YOUR_TASK)
    if task.status not in allowed:
        raise ApplicationError(
            errors.TASK_INVALID.format(status=task.get_status_display(), action=action)
        )
    return task


@transaction.atomic
def task_start(*, actor: Any, task: Task) -> Task:
    task = _my_task(actor, task, (TS.ACCEPTED,), errors.STARTED)
    task.status = TS.IN_PROGRESS
    task.save(update_fields=["status", "updated_at"])
    _event(task.need, "task_started", actor, old=TS.ACCEPTED, new=TS.IN_PROGRESS, task=task)
    _need_follows_tasks(task.need, actor)
    log_action("needs.task.started", actor=actor, obj=task, area_path=task.need.area.path)
    return task


@transaction.atomic
def task_complete(*, actor: Any, task: Task, note: str = "", photo: Any = None) -> Task:
    """Done, with a note or a photo; the request is done when all its tasks are."""
    task = _my_task(actor, task, (TS.ACCEPTED, TS.IN_PROGRESS), errors.COMPLETED)
    old = task.status
    task.status = TS.DONE
    task.note = note[:500]
    fields = ["status", "note", "updated_at"]
    if photo is not None:
        task.photo = photo
        fields.append("photo")
    task.save(update_fields=fields)
    _event(task.need, "task_done", actor, old=old, new=TS.DONE, task=task, note=note)
    _need_follows_tasks(task.need, actor)
    log_action("needs.task.completed", actor=actor, obj=task, area_path=task.need.area.path)
    return task


@transaction.atomic
def task_fail(*, actor: Any, task: Task, reason: str) -> Task:
    """The volunteer could not do their task, with the reason. Only that task fails: a
    request fails only when it cannot be done, which a worker decides (``need_close`` as
    not possible, with the reason). The task is replaced by an open one of the same role,
    so the request goes back for dispatch while its other tasks go on; its status follows
    its tasks."""
    if not reason.strip():
        raise ApplicationError(errors.REASON_REQUIRED, field="reason")
    task = _my_task(actor, task, (TS.ACCEPTED, TS.IN_PROGRESS), errors.FAILED)
    old = task.status
    task.status = TS.FAILED
    task.reason = reason[:500]
    task.save(update_fields=["status", "reason", "updated_at"])
    need = task.need
    _event(need, "task_failed", actor, old=old, new=TS.FAILED, task=task, note=reason)
    if need.is_open:
        again = Task.objects.create(need=need, role=task.role)
        _event(need, "task_created", actor, new=TS.OPEN, task=again, note=task.role)
        _need_follows_tasks(need, actor)
    log_action("needs.task.failed", actor=actor, obj=task, area_path=need.area.path)
    return task


@transaction.atomic
def needs_bulk_assign(*, actor: Any, needs: list[Need], volunteer: Any) -> list[TaskAssignment]:
    """Offer each request's open task (one is created if there is none) to one volunteer.

    Each request is locked before its tasks are looked at, so two dispatchers assigning one
    request at once give it one task (the second offers the task the first created); the
    requests are locked in id order, so two bulk assigns never wait for each other in a
    circle."""
    offers: dict[int, TaskAssignment] = {}
    for need in sorted(needs, key=lambda n: n.pk):
        locked = _lock_need(need.pk)
        task = locked.tasks.filter(status__in=[TS.OPEN, TS.OFFERED]).order_by("pk").first()
        if task is None:
            task = task_create(actor=actor, need=locked)
        offers[need.pk] = task_offer(actor=actor, task=task, volunteer=volunteer)
    return [offers[need.pk] for need in needs]

"""Dispatch rounds for tests, built directly (no engine run): a proposed round over a fresh
snapshot of community A, or an approved round that lists its own offers."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wushe.dispatch.instance import build_instance
from wushe.dispatch.models import DispatchRound
from wushe.needs.models import TaskAssignment


def proposed_round(people: Any, street: Any, solution: dict, **fields: Any) -> DispatchRound:
    """A proposed round of community A with ``solution`` over a snapshot taken now."""
    snap = build_instance(area=street.community_a, now=timezone.now())
    return DispatchRound.objects.create(
        area=street.community_a,
        created_by=people.worker_a,
        status=DispatchRound.Status.PROPOSED,
        instance=snap.instance,
        report=snap.report,
        solution=solution,
        **fields,
    )


def approved_round(
    people: Any,
    street: Any,
    *,
    offers: tuple[TaskAssignment, ...] = (),
    mark: bool = True,
    **fields: Any,
) -> DispatchRound:
    """An approved round of community A whose approval lists ``offers`` as its own (marked on
    the offers too unless ``mark`` is false, as before the marking migration)."""
    rnd = DispatchRound.objects.create(
        area=street.community_a,
        created_by=people.worker_a,
        status=DispatchRound.Status.APPROVED,
        approved_at=timezone.now(),
        approval={
            "offered": [
                {"task": o.task_id, "volunteer": o.volunteer_id, "order": n}
                for n, o in enumerate(offers, start=1)
            ]
        },
        **fields,
    )
    if mark:
        TaskAssignment.objects.filter(pk__in=[o.pk for o in offers]).update(from_round=rnd.pk)
        for o in offers:
            o.refresh_from_db()
    return rnd

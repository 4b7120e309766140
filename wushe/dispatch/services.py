"""Dispatch rounds: start (snapshot + background solve), approve (offers in route order),
discard. Every write logs with ``log_action``.

Offers go through ``needs.services.task_offer``, so the needs workflow (events, request
status, audit) is the same as a dispatcher's manual assign.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wushe.areas.models import Area
from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, NotFoundError
from wushe.core.jobs import job_create, job_run
from wushe.core.models import Job
from wushe.core.scoping import path_in_scope
from wushe.dispatch import errors
from wushe.dispatch.engine import InstanceError, score, solve
from wushe.dispatch.instance import build_instance, task_pk, volunteer_pk
from wushe.dispatch.models import DispatchRound
from wushe.needs import services as needs_services
from wushe.needs.models import Task

JOB_KIND = "dispatch.round"
S = DispatchRound.Status


def dispatch_round_start(
    *, actor: Any, area: Area, time_limit_s: int = 5, auto_approve: bool = False
) -> DispatchRound:
    """Snapshot the open tasks and volunteers on shift under ``area`` and queue the solve;
    with ``auto_approve`` the proposal is approved (as ``actor``) as soon as it is stored."""
    if not path_in_scope(area.path, actor):
        raise NotFoundError()
    if not 1 <= int(time_limit_s) <= 300:
        raise ApplicationError(errors.TIME_LIMIT, field="time_limit_s")
    with transaction.atomic():
        now = timezone.now()
        snap = build_instance(area=area, now=now, name=f"{area.code}-{now:%Y%m%dT%H%M%S}")
        rnd = DispatchRound.objects.create(
            area=area,
            created_by=actor,
            time_limit_s=int(time_limit_s),
            auto_approve=auto_approve,
            instance=snap.instance,
            report=snap.report,
        )
        rnd.job = job_create(
            actor=actor, kind=JOB_KIND, params={"round": rnd.pk}, area_path=area.path
        )
        rnd.save(update_fields=["job", "updated_at"])
        log_action(
            "dispatch.round.started",
            actor=actor,
            obj=rnd,
            area_path=area.path,
            data={
                "tasks": len(snap.instance["tasks"]),
                "volunteers": len(snap.instance["volunteers"]),
                "time_limit_s": rnd.time_limit_s,
                "auto_approve": auto_approve,
            },
        )
    from wushe.dispatch.tasks import solve_round  # noqa: PLC0415 (tasks import services)

    solve_round.delay(rnd.pk)
    rnd.refresh_from_db()  # eager mode (no broker) has already solved it
    return rnd


def _solve(instance: dict[str, Any], time_limit_s: int) -> dict[str, Any]:
    if not instance["tasks"] or not instance["volunteers"]:
        return {
            "format": "wushe-dispatch-solution/1",
            "routes": [],
            "unassigned": [t["id"] for t in instance["tasks"]],
        }
    return solve(instance, float(time_limit_s), seed=0)


def dispatch_round_solve(*, round_id: int) -> dict[str, Any]:
    """Run the engine on the snapshot (outside any transaction) and store the proposal."""
    rnd = DispatchRound.objects.get(pk=round_id)
    try:
        solution = _solve(rnd.instance, rnd.time_limit_s)
    except InstanceError as exc:
        raise ApplicationError(errors.SOLVE_FAILED % {"error": exc}) from exc
    figures = (
        score(rnd.instance, solution)
        if rnd.instance["tasks"] and rnd.instance["volunteers"]
        else {"priority": 0, "assigned": 0, "travel_s": 0}
    )
    with transaction.atomic():
        updated = DispatchRound.objects.filter(pk=rnd.pk, status=S.SOLVING).update(
            status=S.PROPOSED,
            solution=solution,
            score_priority=figures["priority"],
            score_assigned=figures["assigned"],
            score_travel_s=figures["travel_s"],
            updated_at=timezone.now(),
        )
        if updated:
            log_action(
                "dispatch.round.proposed",
                actor=None,
                obj=rnd,
                area_path=rnd.area.path,
                data={k: figures[k] for k in ("priority", "assigned", "travel_s")},
            )
    return {"round": rnd.pk, **{k: figures[k] for k in ("priority", "assigned", "travel_s")}}


def dispatch_round_fail(*, round_id: int, error: str) -> None:
    with transaction.atomic():
        rnd = DispatchRound.objects.select_related("area").get(pk=round_id)
        if rnd.status != S.SOLVING:
            return
        rnd.status, rnd.error = S.FAILED, error
        rnd.save(update_fields=["status", "error", "updated_at"])
        log_action(
            "dispatch.round.failed",
            actor=None,
            obj=rnd,
            area_path=rnd.area.path,
            data={"error": error},
        )


def dispatch_round_run_job(*, round_id: int) -> str:
    """The Celery task's body: the round's job runs the solve; a failure fails the round."""
    rnd = DispatchRound.objects.get(pk=round_id)
    if rnd.job_id is None:
        return rnd.status
    job = job_run(rnd.job_id, lambda job, progress: dispatch_round_solve(round_id=round_id))
    if job.status == Job.Status.FAILED:
        dispatch_round_fail(round_id=round_id, error=job.error)
    rnd.refresh_from_db()
    if rnd.auto_approve and rnd.status == S.PROPOSED:
        dispatch_round_approve(actor=rnd.created_by, round=rnd)
    return DispatchRound.objects.values_list("status", flat=True).get(pk=round_id)


def _check_proposed(rnd: DispatchRound) -> None:
    if rnd.status != S.PROPOSED:
        raise ApplicationError(errors.NOT_PROPOSED % {"status": rnd.get_status_display()})


@transaction.atomic
def dispatch_round_approve(
    *, actor: Any, round: DispatchRound, volunteer_ids: list[int] | None = None
) -> DispatchRound:
    """Offer each proposed route's tasks to its volunteer, in route order (only the routes
    of ``volunteer_ids`` when given). Tasks taken since the snapshot, or that the needs
    workflow refuses (declined before …), are skipped and reported in ``approval``."""
    rnd = DispatchRound.objects.select_for_update().select_related("area").get(pk=round.pk)
    if not path_in_scope(rnd.area.path, actor) and rnd.created_by_id != actor.pk:
        raise NotFoundError()
    _check_proposed(rnd)
    wanted = set(volunteer_ids) if volunteer_ids is not None else None
    routes = [
        r
        for r in (rnd.solution or {}).get("routes", [])
        if r.get("tasks") and (wanted is None or volunteer_pk(r["volunteer"]) in wanted)
    ]
    users = get_user_model().objects.in_bulk([volunteer_pk(r["volunteer"]) for r in routes])
    tasks = Task.objects.select_related("need__area").in_bulk(
        [task_pk(t) for r in routes for t in r["tasks"]]
    )
    offered: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for route in routes:
        vpk = volunteer_pk(route["volunteer"])
        user = users.get(vpk)
        for order, tid in enumerate(route["tasks"], start=1):
            row = {"volunteer": vpk, "task": task_pk(tid), "order": order}
            task = tasks.get(task_pk(tid))
            if user is None or not user.is_active:
                skipped.append({**row, "reason": str(errors.VOLUNTEER_GONE)})
            elif task is None:
                skipped.append({**row, "reason": str(errors.NOT_FOUND_SINCE)})
            elif task.status != Task.TaskStatus.OPEN:
                reason = errors.TASK_TAKEN % {"status": task.get_status_display()}
                skipped.append({**row, "reason": str(reason)})
            else:
                try:
                    needs_services.task_offer(actor=actor, task=task, volunteer=user)
                except ApplicationError as exc:
                    skipped.append({**row, "reason": str(exc.message)})
                else:
                    offered.append(row)
    rnd.status = S.APPROVED
    rnd.approved_at = timezone.now()
    rnd.approved_by = actor
    rnd.approval = {
        "offered": offered,
        "skipped": skipped,
        "volunteers": sorted(wanted) if wanted is not None else None,
    }
    rnd.save(update_fields=["status", "approved_at", "approved_by", "approval", "updated_at"])
    log_action(
        "dispatch.round.approved",
        actor=actor,
        obj=rnd,
        area_path=rnd.area.path,
        data={"offered": len(offered), "skipped": len(skipped)},
    )
    return rnd


@transaction.atomic
def dispatch_round_discard(*, actor: Any, round: DispatchRound) -> DispatchRound:
    rnd = DispatchRound.objects.select_for_update().select_related("area").get(pk=round.pk)
    if not path_in_scope(rnd.area.path, actor) and rnd.created_by_id != actor.pk:
        raise NotFoundError()
    _check_proposed(rnd)
    rnd.status = S.DISCARDED
    rnd.save(update_fields=["status", "updated_at"])
    log_action("dispatch.round.discarded", actor=actor, obj=rnd, area_path=rnd.area.path)
    return rnd

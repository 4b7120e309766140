"""Dispatch rounds: start (snapshot + background solve), approve (offers in route order),
discard. Every write logs with ``log_action``.

Offers go through ``needs.services.task_offer``, so the needs workflow (events, request
status, audit) is the same as a dispatcher's manual assign.
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from wushe.areas.levels import Level
from wushe.areas.models import Area
from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, NotFoundError
from wushe.core.jobs import job_create, job_run
from wushe.core.management.actor import SystemActor
from wushe.core.models import Job
from wushe.core.scoping import path_in_scope
from wushe.dispatch import errors
from wushe.dispatch.edits import (
    REMOVE,
    EditError,
    Violation,
    apply_edit,
    read_violation,
    where_is,
)
from wushe.dispatch.engine import DispatchPlan, InstanceError, SolutionError, score, solve
from wushe.dispatch.instance import (
    add_location,
    build_instance,
    declined_by,
    exclude_volunteers,
    not_before,
    place_times,
    task_document,
    task_pk,
    volunteer_pk,
)
from wushe.dispatch.models import DispatchRound, StreetTravel
from wushe.dispatch.travel import add_network_durations
from wushe.needs import services as needs_services
from wushe.needs.models import OPEN_STATUSES, Need, Task, TaskAssignment
from wushe.volunteers.models import TravelMode

JOB_KIND = "dispatch.round"
LAPSE_BATCH = 500  # round offers lapsed per beat at most
logger = logging.getLogger(__name__)
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
        _give_requests_a_task(actor=actor, area=area)
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


def _give_requests_a_task(*, actor: Any, area: Area) -> None:
    """An open request taken in has no task until someone adds one, and a reopened one has
    only closed tasks; a round routes tasks, so it gives each open request under ``area``
    without a live task one (any helper), as a bulk assign does."""
    live = Task.objects.filter(need=OuterRef("pk"), status__in=needs_services.LIVE_TASK_STATUSES)
    waiting = (
        Need.objects.filter(status__in=OPEN_STATUSES, area__path__startswith=area.path)
        .filter(~Exists(live))
        .select_related("area")
        .select_for_update(of=("self",))
        .order_by("pk")  # two rounds lock shared requests in one order
    )
    for need in waiting:
        # A round starting at the same time over the same request may have given it a task
        # while this one waited for the request's lock: look again, now that it is ours.
        if not need.tasks.filter(status__in=needs_services.LIVE_TASK_STATUSES).exists():
            needs_services.task_create(actor=actor, need=need)


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
    if settings.WUSHE_OSRM_URL and not rnd.instance.get("durations"):
        # Network durations are fetched here, in the background job, not in the request
        # that took the snapshot; the snapshot keeps them for audit and replay.
        add_network_durations(rnd.instance, rnd.report)
        DispatchRound.objects.filter(pk=rnd.pk).update(instance=rnd.instance, report=rnd.report)
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


def _round_for(actor: Any, round: DispatchRound, *, lock: bool = True) -> DispatchRound:
    """The round, fresh (locked for the change), when ``actor`` may change it: its area is
    in their scope, or they started it; NotFoundError otherwise, like a missing round."""
    rows = DispatchRound.objects.select_related("area")
    rnd = (rows.select_for_update() if lock else rows).get(pk=round.pk)
    if not path_in_scope(rnd.area.path, actor) and rnd.created_by_id != actor.pk:
        raise NotFoundError()
    return rnd


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
    rnd = _round_for(actor, round)
    _check_proposed(rnd)
    wanted = set(volunteer_ids) if volunteer_ids is not None else None
    routes = [
        r
        for r in (rnd.solution or {}).get("routes", [])
        if r.get("tasks") and (wanted is None or volunteer_pk(r["volunteer"]) in wanted)
    ]
    users = get_user_model().objects.in_bulk([volunteer_pk(r["volunteer"]) for r in routes])
    tasks = _lock_tasks([task_pk(t) for r in routes for t in r["tasks"]])
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
                    needs_services.task_offer(
                        actor=actor, task=task, volunteer=user, round_id=rnd.pk
                    )
                except ApplicationError as exc:
                    skipped.append({**row, "reason": str(exc.message)})
                else:
                    offered.append(row)
    _keep_offered(rnd, offered)
    rnd.status = S.APPROVED
    rnd.approved_at = timezone.now()
    rnd.approved_by = actor
    rnd.approval = {
        "offered": offered,
        "skipped": skipped,
        "volunteers": sorted(wanted) if wanted is not None else None,
    }
    rnd.save(
        update_fields=[
            "status",
            "approved_at",
            "approved_by",
            "approval",
            "solution",
            "score_priority",
            "score_assigned",
            "score_travel_s",
            "updated_at",
        ]
    )
    log_action(
        "dispatch.round.approved",
        actor=actor,
        obj=rnd,
        area_path=rnd.area.path,
        data={"offered": len(offered), "skipped": len(skipped)},
    )
    return rnd


def _lock_tasks(pks: list[int]) -> dict[int, Task]:
    """Lock the round's tasks for its offers in the order of the needs workflow
    (``needs.services.task_lock``): their requests first, then the tasks, each by id. The
    offers then lock rows already held, in route order, so two approvals sharing tasks wait
    for each other instead of locking them in opposite orders (a deadlock)."""
    if not pks:
        return {}
    wanted = Task.objects.filter(pk__in=pks)
    list(
        Need.objects.select_for_update(of=("self",))
        .filter(pk__in=wanted.values("need_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    locked = wanted.select_for_update(of=("self",)).select_related("need__area").order_by("pk")
    return {task.pk: task for task in locked}


def _keep_offered(rnd: DispatchRound, offered: list[dict[str, Any]]) -> None:
    """From approval on, the round's routes are what was offered: routes left out of a
    partial approval and tasks skipped go to ``unassigned`` (so life-critical ones among
    them are listed for insertion, and insertions do not plan around stops nobody was
    offered); the scores follow."""
    solution = rnd.solution or {"routes": [], "unassigned": []}
    made = {(row["volunteer"], row["task"]) for row in offered}
    routes, dropped = [], []
    for route in solution.get("routes", []):
        vpk = volunteer_pk(route["volunteer"])
        kept = [t for t in route.get("tasks", []) if (vpk, task_pk(t)) in made]
        dropped += [t for t in route.get("tasks", []) if t not in kept]
        if kept:
            routes.append({**route, "tasks": kept})
    if not dropped:
        return
    new = {**solution, "routes": routes, "unassigned": [*solution.get("unassigned", []), *dropped]}
    try:
        figures = score(rnd.instance, new)
    except SolutionError:  # the proposal's own routes were refused: keep its figures
        logger.warning("round %s: scores not updated for the approved routes", rnd.pk)
        rnd.solution = new
        return
    _store_solution(rnd, new, figures)


@transaction.atomic
def dispatch_round_discard(*, actor: Any, round: DispatchRound) -> DispatchRound:
    rnd = _round_for(actor, round)
    _check_proposed(rnd)
    rnd.status = S.DISCARDED
    rnd.save(update_fields=["status", "updated_at"])
    log_action("dispatch.round.discarded", actor=actor, obj=rnd, area_path=rnd.area.path)
    return rnd


def _change(rnd: DispatchRound, actor: Any, action: str, **data: Any) -> dict[str, Any]:
    entry = {
        "at": timezone.now().isoformat(timespec="seconds"),
        "by": getattr(actor, "pk", None),
        "by_name": str(actor) if actor is not None else "",
        "action": action,
        **data,
    }
    rnd.changes = [*(rnd.changes or []), entry]
    return entry


def _store_solution(rnd: DispatchRound, solution: dict[str, Any], figures: dict[str, int]) -> None:
    rnd.solution = solution
    rnd.score_priority = figures["priority"]
    rnd.score_assigned = figures["assigned"]
    rnd.score_travel_s = figures["travel_s"]


def _reason(
    violation: Violation, *, task: Task | None, volunteer: Any, instance: dict[str, Any]
) -> str:
    """The translated reason for an infeasible change, naming the task and the volunteer
    (the ones the engine names, else the ones the dispatcher moved)."""
    names = {
        "task": task.need.tracking_code if task is not None else "",
        "volunteer": str(volunteer) if volunteer is not None else "",
    }
    if violation.task and (task is None or violation.task != f"t{task.pk}"):
        other = Task.objects.select_related("need").filter(pk=task_pk(violation.task)).first()
        names["task"] = other.need.tracking_code if other else violation.task
    if violation.volunteer and (volunteer is None or violation.volunteer != f"v{volunteer.pk}"):
        user = get_user_model().objects.filter(pk=volunteer_pk(violation.volunteer)).first()
        names["volunteer"] = str(user) if user else violation.volunteer
    if violation.rule == "skill":
        from wushe.dispatch.explain import real_skills  # noqa: PLC0415
        from wushe.volunteers.models import Skill  # noqa: PLC0415

        codes = real_skills([c.strip(" '\"") for c in violation.detail.split(",")])
        labels = [str(Skill(c).label) if c in Skill.values else c for c in codes]
        return errors.EDIT_SKILL % {**names, "skills": "、".join(labels)}
    if violation.rule == "declined":
        return errors.EDIT_DECLINED % names
    if violation.rule == "window":
        return errors.EDIT_WINDOW % names
    if violation.rule == "capacity":
        vid = violation.volunteer or ""
        cap = next((v.get("capacity") for v in instance["volunteers"] if v["id"] == vid), "")
        return errors.EDIT_CAPACITY % {**names, "capacity": cap}
    if violation.rule == "shift":
        return errors.EDIT_SHIFT % names
    return errors.EDIT_OTHER % {**names, "error": violation.detail}


@transaction.atomic
def dispatch_round_edit(
    *,
    actor: Any,
    round: DispatchRound,
    action: str,
    task: int,
    volunteer: int | None = None,
    position: int | None = None,
) -> DispatchRound:
    """Change a proposal before approval: move task ``task`` (a Task pk) to ``volunteer``'s
    route at ``position`` (another volunteer, or the same one: a reorder), or ``remove`` it
    from the routes. The engine checks the new routes (skills, capacity, time windows,
    shift); an infeasible change is refused with a reason naming the task and volunteer.
    The change is recorded on the round (who, what) and the scores follow."""
    rnd = _round_for(actor, round)
    if rnd.status != S.PROPOSED:
        raise ApplicationError(errors.EDIT_NOT_PROPOSED % {"status": rnd.get_status_display()})
    tid = f"t{int(task)}"
    vid = f"v{int(volunteer)}" if volunteer is not None else None
    before_vol, before_pos = where_is(rnd.solution or {}, tid)
    try:
        new = apply_edit(
            rnd.instance,
            rnd.solution or {"routes": [], "unassigned": []},
            action=action,
            task_id=tid,
            volunteer_id=vid,
            position=position,
        )
    except EditError as exc:
        raise ApplicationError(errors.EDIT_NOT_IN_ROUND) from exc
    try:
        figures = score(rnd.instance, new)
    except SolutionError as exc:
        task_obj = Task.objects.select_related("need").filter(pk=int(task)).first()
        user = get_user_model().objects.filter(pk=volunteer).first() if volunteer else None
        reason = _reason(
            read_violation(str(exc)), task=task_obj, volunteer=user, instance=rnd.instance
        )
        raise ApplicationError(reason) from exc
    _store_solution(rnd, new, figures)
    after_vol, after_pos = where_is(new, tid)
    entry = _change(
        rnd,
        actor,
        action,
        task=int(task),
        from_volunteer=volunteer_pk(before_vol) if before_vol else None,
        from_position=before_pos,
        volunteer=volunteer_pk(after_vol) if after_vol else None,
        position=after_pos,
    )
    rnd.save(
        update_fields=[
            "solution",
            "score_priority",
            "score_assigned",
            "score_travel_s",
            "changes",
            "updated_at",
        ]
    )
    log_action("dispatch.round.edited", actor=actor, obj=rnd, area_path=rnd.area.path, data=entry)
    return rnd


# -- online changes to approved routes ----------------------------------------------------


def round_of_offer(assignment: TaskAssignment) -> int | None:
    """The approved round whose routes made this offer; None for an offer a dispatcher made
    by hand (even to a task and volunteer a round offered earlier)."""
    if assignment.from_round is None:
        return None
    found = DispatchRound.objects.filter(pk=assignment.from_round, status=S.APPROVED)
    return found.values_list("pk", flat=True).first()


def _elapsed(rnd: DispatchRound, now: datetime) -> int:
    return max(0, int((now - rnd.created_at).total_seconds()))


def _place(
    rnd: DispatchRound, *, task: Task, excluded: int | None, new_doc: dict[str, Any] | None
) -> tuple[Any, dict[str, Any], str]:
    """Put ``task`` into the round's current routes with the engine's online insertion:
    re-dispatch it when the snapshot has it, else add ``new_doc``. Decliners stay off it.
    Returns (volunteer user or None, the change entry's data, reason when not placed)."""
    instance = copy.deepcopy(rnd.instance)  # the round keeps its own until all went well
    solution = rnd.solution or {"routes": [], "unassigned": []}
    tid = f"t{task.pk}"
    now = timezone.now()
    if _elapsed(rnd, now) >= int(instance.get("horizon_s") or 0):
        return None, {}, str(errors.SHIFT_OVER)
    decliners = declined_by([task.pk]).get(task.pk, set())
    docs = {t["id"]: t for t in instance["tasks"]}
    if tid in docs:
        not_before(docs[tid], _elapsed(rnd, now))
        if decliners:
            exclude_volunteers(docs[tid], instance["volunteers"], decliners)
        plan = DispatchPlan(instance, solution)
        gone = (
            f"v{excluded}"
            if excluded is not None and f"v{excluded}" in {v["id"] for v in instance["volunteers"]}
            else None
        )
        chosen = plan.redispatch(tid, gone)
    else:
        if new_doc is None:
            raise ValueError("a task new to the round needs its instance entry")
        if decliners:
            exclude_volunteers(new_doc, instance["volunteers"], decliners)
        plan = DispatchPlan(instance, solution)
        chosen = plan.add_task(new_doc)
    new = plan.solution()
    try:
        figures = score(plan.instance, new)
    except SolutionError as exc:  # the insertion and the checker disagree: change nothing
        # Said like a refused edit: the rule, the request's tracking code, the volunteer.
        violation = read_violation(str(exc))
        return None, {}, _reason(violation, task=task, volunteer=None, instance=plan.instance)
    _store_solution(rnd, new, figures)
    rnd.instance = plan.instance
    if chosen is None:
        return None, {}, str(errors.NONE_CAN_TAKE)
    user = get_user_model().objects.filter(pk=volunteer_pk(chosen), is_active=True).first()
    if user is None:
        return None, {}, str(errors.VOLUNTEER_GONE)
    _, position = where_is(new, tid)
    return user, {"volunteer": user.pk, "position": position}, ""


def _unroute(rnd: DispatchRound, task_id: str) -> None:
    """Take a task that goes back to the queue out of the stored routes (the round page and
    the volunteer's route read them), and let the scores follow."""
    solution = rnd.solution or {"routes": [], "unassigned": []}
    if where_is(solution, task_id)[0] is None:
        return
    new = apply_edit(rnd.instance, solution, action=REMOVE, task_id=task_id)
    try:
        figures = score(rnd.instance, new)
    except SolutionError:  # the remaining routes were refused already: keep the old figures
        logger.warning("round %s: scores not updated after taking %s out", rnd.pk, task_id)
        rnd.solution = new
        return
    _store_solution(rnd, new, figures)


def _offer_placed(
    rnd: DispatchRound, *, actor: Any, task: Task, user: Any, data: dict[str, Any], reason: str
) -> tuple[dict[str, Any], str]:
    """Offer the placed task to the chosen volunteer (through the needs workflow); a refusal
    there sends it back to the dispatcher with that reason."""
    if user is not None:
        try:
            needs_services.task_offer(actor=actor, task=task, volunteer=user, round_id=rnd.pk)
        except ApplicationError as exc:
            reason, data = str(exc.message), {}
        else:
            offered = {"volunteer": user.pk, "task": task.pk, "order": data["position"]}
            rnd.approval = {
                **rnd.approval,
                "offered": [*rnd.approval.get("offered", []), offered],
            }
    if reason:
        _unroute(rnd, f"t{task.pk}")
        needs_services.task_returned_to_queue(task=task, reason=reason)
        returned = {"task": task.pk, "reason": reason}
        rnd.approval = {
            **rnd.approval,
            "returned": [*rnd.approval.get("returned", []), returned],
        }
    return data, reason


def _save_online(rnd: DispatchRound) -> None:
    rnd.save(
        update_fields=[
            "instance",
            "report",
            "solution",
            "score_priority",
            "score_assigned",
            "score_travel_s",
            "approval",
            "changes",
            "updated_at",
        ]
    )


def dispatch_redispatch(*, assignment_id: int, lapsed: bool = False) -> str:
    """After a decline or a lapsed offer from an approved round, re-dispatch just that task:
    the engine's cheapest feasible insertion into the round's current routes (no re-solve),
    never to a volunteer who declined it; offered to the chosen volunteer, or back to the
    dispatcher's queue with the reason. Returns what happened."""
    a = TaskAssignment.objects.select_related("task__need__area").get(pk=assignment_id)
    if a.state != TaskAssignment.State.DECLINED:
        return "not-declined"
    round_id = round_of_offer(a)
    if round_id is None:
        return "not-from-a-round"
    with transaction.atomic():
        rnd = DispatchRound.objects.select_for_update().select_related("area").get(pk=round_id)
        task = needs_services.task_lock(pk=a.task_id)  # its request first, like the workflow
        if task is None:
            return "not-open"
        # A decline is for good, so this pair is re-dispatched once: a retry of the job (a
        # worker lost before it acknowledged) finds the change and leaves the round as it is.
        done = next(
            (
                c
                for c in reversed(rnd.changes or [])
                if c.get("action") == "redispatch"
                and c.get("task") == task.pk
                and c.get("from_volunteer") == a.volunteer_id
            ),
            None,
        )
        if done is not None:
            return "offered" if done.get("volunteer") else "returned"
        if task.status != Task.TaskStatus.OPEN or not task.need.is_open:
            return "not-open"
        # Nobody pressed a button for this offer: the system makes it, for the round.
        actor = SystemActor()
        user, data, reason = _place(rnd, task=task, excluded=a.volunteer_id, new_doc=None)
        data, reason = _offer_placed(
            rnd, actor=actor, task=task, user=user, data=data, reason=reason
        )
        entry = _change(
            rnd,
            None,
            "redispatch",
            task=task.pk,
            from_volunteer=a.volunteer_id,
            lapsed=lapsed,
            volunteer=data.get("volunteer"),
            position=data.get("position"),
            reason=reason,
        )
        _save_online(rnd)
        log_action(
            "dispatch.round.redispatched", actor=None, obj=rnd, area_path=rnd.area.path, data=entry
        )
    return "offered" if data else "returned"


def _lapse_reason() -> str:
    minutes = int(settings.WUSHE_DISPATCH_OFFER_TIMEOUT_S) // 60
    return str(errors.LAPSED % {"minutes": minutes})


def dispatch_offers_lapse(*, now: datetime | None = None) -> int:
    """Offers from approved rounds unanswered for ``WUSHE_DISPATCH_OFFER_TIMEOUT_S`` lapse
    (a decline in effect); each lapse re-dispatches its task. Returns how many lapsed."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=int(settings.WUSHE_DISPATCH_OFFER_TIMEOUT_S))
    # A dispatcher's own offers are theirs to follow up and never lapse; only round offers
    # are picked, so old hand-made offers piling up cannot keep them from lapsing.
    ids = list(
        TaskAssignment.objects.filter(
            state=TaskAssignment.State.OFFERED, updated_at__lt=cutoff, from_round__isnull=False
        )
        .order_by("id")
        .values_list("pk", flat=True)[:LAPSE_BATCH]
    )
    lapsed = 0
    for a in TaskAssignment.objects.filter(pk__in=ids).order_by("id"):
        try:
            if needs_services.assignment_lapse(assignment=a, reason=_lapse_reason()) is not None:
                lapsed += 1
        except DatabaseError:  # say, a deadlock with an accept: the next beat tries again
            logger.exception("could not lapse offer %s", a.pk)
    return lapsed


def _times_before_locking(actor: Any, round: DispatchRound, task: Task) -> Any:
    """(the round's locations, the table service's times to and from the task's place)
    read without any lock: the service may take seconds, and the round and task rows must
    not stay locked that long. None when there is nothing to ask."""
    try:
        rnd = _round_for(actor, round, lock=False)
    except NotFoundError:
        return None
    area = Area.objects.filter(pk=task.need.area_id).first()
    if area is None or area.lon is None or area.lat is None:
        return None
    if f"t{task.pk}" in {t["id"] for t in rnd.instance["tasks"]}:
        return None
    times = place_times(rnd.instance, rnd.report, (float(area.lon), float(area.lat)))
    return (rnd.instance["locations"], times, rnd.report.get("travel_warning"))


def dispatch_round_insert(*, actor: Any, round: DispatchRound, task: Task) -> DispatchRound:
    """Insert a new (urgent) task into an approved round's current routes without a full
    re-solve: the engine's cheapest feasible insertion, then the offer to the chosen
    volunteer. Refused with the reason when no route can take it in time."""
    fetched = _times_before_locking(actor, round, task)
    with transaction.atomic():
        return _insert(actor=actor, round=round, task=task, fetched=fetched)


def _insert(*, actor: Any, round: DispatchRound, task: Task, fetched: Any) -> DispatchRound:
    rnd = _round_for(actor, round)
    if rnd.status != S.APPROVED:
        raise ApplicationError(errors.NOT_APPROVED)
    locked = needs_services.task_lock(pk=task.pk)  # its request first, like the workflow
    if locked is None:
        raise NotFoundError()
    task = locked
    if not task.need.area.path.startswith(rnd.area.path):
        raise ApplicationError(errors.TASK_OUTSIDE)
    if task.status != Task.TaskStatus.OPEN or not task.need.is_open:
        raise ApplicationError(errors.TASK_NOT_OPEN % {"status": task.get_status_display()})
    area = task.need.area
    if area.lon is None or area.lat is None:
        raise ApplicationError(errors.NO_COORDINATES)
    doc = None
    if f"t{task.pk}" not in {t["id"] for t in rnd.instance["tasks"]}:
        locations, times, warning = fetched or (None, None, None)
        if locations != rnd.instance["locations"]:  # another insertion came in between
            times = None
        elif warning and warning != rnd.report.get("travel_warning"):
            rnd.report["travel_warning"] = warning  # the service failed just now
        lonlat = (float(area.lon), float(area.lat))
        index = add_location(rnd.instance, rnd.report, lonlat, network=times, fetch=False)
        doc = task_document(task, index=index, now=timezone.now(), started=rnd.created_at)
    user, data, reason = _place(rnd, task=task, excluded=None, new_doc=doc)
    if user is None:
        raise ApplicationError(reason)
    data, reason = _offer_placed(rnd, actor=actor, task=task, user=user, data=data, reason="")
    if reason:
        raise ApplicationError(reason)
    entry = _change(
        rnd, actor, "insert", task=task.pk, volunteer=data["volunteer"], position=data["position"]
    )
    _save_online(rnd)
    log_action("dispatch.round.inserted", actor=actor, obj=rnd, area_path=rnd.area.path, data=entry)
    return rnd


# -- travel settings ----------------------------------------------------------------------


@transaction.atomic
def street_travel_set(
    *, actor: Any, area: Area, travel_mode: str, detour: Decimal | float | str
) -> StreetTravel:
    """A street's travel defaults for dispatch: how its volunteers get around unless their
    profile says otherwise, and its detour factor (1.0 = straight lines, at most 3.0)."""
    if not path_in_scope(area.path, actor):
        raise NotFoundError()
    if area.level != Level.STREET:
        raise ApplicationError(errors.NOT_A_STREET, field="area")
    if travel_mode not in TravelMode.values:
        raise ApplicationError(errors.TRAVEL_MODE, field="travel_mode")
    try:
        factor = Decimal(str(detour)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ApplicationError(errors.DETOUR_RANGE, field="detour") from exc
    if not Decimal("1") <= factor <= Decimal("3"):
        raise ApplicationError(errors.DETOUR_RANGE, field="detour")
    row, _ = StreetTravel.objects.update_or_create(
        area=area, defaults={"travel_mode": travel_mode, "detour": factor, "updated_by": actor}
    )
    log_action(
        "dispatch.travel.changed",
        actor=actor,
        obj=row,
        area_path=area.path,
        data={"travel_mode": travel_mode, "detour": str(factor)},
    )
    return row

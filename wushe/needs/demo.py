"""Demo requests: a realistic day across the demo street — medicine, groceries, dialysis
escorts, psychological support, antigen kits, door sensors — from every channel, triaged,
some assigned, accepted, done, and a few overdue. Idempotent: each demo request carries a
fixed tracking code (DEMO0001…), created only if missing."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from wushe.core.management.actor import SystemActor
from wushe.needs import services
from wushe.needs.models import Category, Channel, Need, Status, Task, TaskAssignment
from wushe.residents.models import Resident

COUNT = 60
STORIES: list[tuple[str, str, dict[str, Any]]] = [
    (Category.MEDICINE, "降压药快吃完了，需要代取", {"days_medicine_left": 2}),
    (Category.MEDICINE, "胰岛素只剩一天", {"days_medicine_left": 1, "critical_condition": True}),
    (Category.GROCERIES, "家里没菜了，需要送米面油", {"days_food_left": 1}),
    (Category.GROCERIES, "需要买尿不湿和奶粉", {"days_food_left": 3}),
    (Category.ESCORT, "定期透析，需要车辆接送", {"treatment_hours": 20}),
    (Category.ESCORT, "化疗复诊，需要陪同就医", {"treatment_hours": 70}),
    (Category.ESCORT, "老人胸闷气短", {"medical_emergency": True}),
    (Category.PSYCHOLOGICAL, "独居老人情绪低落，睡不着", {}),
    (Category.ANTIGEN, "需要抗原试剂盒", {}),
    (Category.DOOR_SENSOR, "居家隔离，需要安装门磁", {}),
    (Category.HERBAL, "需要领取中药饮片", {}),
    (Category.SAMPLING, "行动不便，需要上门采样", {}),
    (Category.OTHER, "家里水管漏水", {}),
]
CHANNELS = [Channel.PHONE, Channel.WALK_IN, Channel.WECHAT, Channel.WEB_FORM, Channel.VOLUNTEER,
            Channel.HOTLINE]  # fmt: skip


def build(context: Any) -> None:
    rng = context.rng
    street = context.data["street"]
    volunteers = context.data.get("volunteers", [])
    residents = list(
        Resident.objects.filter(area__path__startswith=street.path, household__isnull=False)
        .select_related("area")
        .order_by("id")[:2000]
    )
    if not residents:
        return
    actor = SystemActor()
    now = timezone.now()
    created = 0
    for i in range(1, COUNT + 1):
        code = f"DEMO{i:04d}"
        if Need.objects.filter(tracking_code=code).exists():
            continue
        category, text, facts = rng.choice(STORIES)
        facts = dict(facts)
        hours = facts.pop("treatment_hours", None)
        resident = rng.choice(residents)
        need = services.need_create(
            actor=actor,
            area=resident.area,
            resident=resident,
            category=category,
            channel=rng.choice(CHANNELS),
            description=text,
            treatment_at=now + datetime.timedelta(hours=hours) if hours else None,
            **facts,
        )
        # Spread the intake over the last twelve hours, so some are past their SLA.
        taken = now - datetime.timedelta(minutes=rng.randint(0, 12 * 60))
        Need.objects.filter(pk=need.pk).update(
            tracking_code=code,
            created_at=taken,
            sla_due_at=taken + (need.sla_due_at - need.created_at),
        )
        created += 1
        roll = rng.random()
        if volunteers and roll < 0.55:
            task = services.task_create(actor=actor, need=need, role="")
            volunteer = rng.choice(volunteers)
            offer = services.task_offer(actor=actor, task=task, volunteer=volunteer)
            if roll < 0.35:
                services.assignment_accept(actor=volunteer, assignment=offer)
            if roll < 0.2:
                services.task_complete(actor=volunteer, task=task, note="已送达")
    if volunteers:
        _work_for_the_demo_volunteer(actor, volunteers[0])
    escalated = services.needs_escalate_overdue()
    context.out.write(
        _("needs: {created} requests created ({total} in all), {escalated} escalated").format(
            created=created, total=Need.objects.count(), escalated=escalated
        )
        + "\n"
    )


def _work_for_the_demo_volunteer(actor: Any, volunteer: Any) -> None:
    """The README's ``volunteer`` signs in to something to do: two offers to answer and a task
    under way, from open requests of their community (left alone once they have live work)."""
    live = TaskAssignment.objects.filter(
        volunteer=volunteer,
        state__in=[TaskAssignment.State.OFFERED, TaskAssignment.State.ACCEPTED],
        task__status__in=[Task.TaskStatus.OFFERED, Task.TaskStatus.ACCEPTED],
    )
    if live.exists():
        return
    needs = Need.objects.filter(
        area__path__startswith=volunteer.scope_area.path,
        status=Status.TRIAGED,
        tasks__isnull=True,
    ).order_by("tracking_code")[:3]
    for n, need in enumerate(needs):
        task = services.task_create(actor=actor, need=need, role="")
        offer = services.task_offer(actor=actor, task=task, volunteer=volunteer)
        if n == 0:
            services.assignment_accept(actor=volunteer, assignment=offer)

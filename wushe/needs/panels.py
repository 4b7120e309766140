"""The needs app's section of the home page: open requests in scope, by what needs care."""

from __future__ import annotations

from typing import Any

from wushe.core.navigation import HomePanel
from wushe.needs.models import Task, TaskAssignment
from wushe.needs.selectors import my_assignments, need_counts


def _summary(user: Any) -> dict[str, Any]:
    return {"counts": need_counts(actor=user)}


def _my_tasks(user: Any) -> dict[str, Any]:
    live = my_assignments(actor=user).filter(
        state__in=[TaskAssignment.State.OFFERED, TaskAssignment.State.ACCEPTED],
        task__status__in=[
            Task.TaskStatus.OFFERED,
            Task.TaskStatus.ACCEPTED,
            Task.TaskStatus.IN_PROGRESS,
        ],
    )
    return {"assignments": list(live[:10])}


# A volunteer's home page leads with what is theirs to do.
MY_TASKS = HomePanel(
    template="needs/panel_my_tasks.html",
    context=_my_tasks,
    roles=frozenset({"volunteer"}),
    order=1,
)


NEEDS_SUMMARY = HomePanel(
    template="needs/panel_summary.html",
    context=_summary,
    roles=frozenset(
        {
            "street_command",
            "community_worker",
            "social_worker",
            "district_civil_affairs",
            "system_admin",
        }
    ),
    order=5,
)

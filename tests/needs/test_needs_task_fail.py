"""A volunteer who could not do their task fails that task only: the request fails only when
it cannot be done (a worker closes it so), so it goes back for dispatch with an open task of
the same role, and its other tasks go on."""

from __future__ import annotations

import pytest

from tests.needs.factories_needs import make_need, make_volunteer
from wushe.needs import services
from wushe.needs.models import Status, Task

TS = Task.TaskStatus


@pytest.fixture
def two(people, street):
    """A request with two tasks (an escort and a driver), each accepted by its volunteer."""
    v1 = make_volunteer("v1", street.community_a)
    v2 = make_volunteer("v2", street.community_a)
    need = make_need(people.worker_a, street.building_a1, category="escort")
    t1 = services.task_create(actor=people.worker_a, need=need, role="companion")
    t2 = services.task_create(actor=people.worker_a, need=need, role="driver")
    for task, vol in ((t1, v1), (t2, v2)):
        offer = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
        services.assignment_accept(actor=vol, assignment=offer)
    return need, (t1, v1), (t2, v2)


def _replacement(need, failed):
    return need.tasks.exclude(pk__in=[t.pk for t in failed]).exclude(role="driver").get()


def test_a_lone_task_failing_puts_the_request_back_in_the_queue(people, street):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need, role="delivery")
    services.task_claim(actor=vol, task=task)
    services.task_fail(actor=vol, task=task, reason="药店无货")
    need.refresh_from_db()
    task.refresh_from_db()
    assert task.status == TS.FAILED and task.reason == "药店无货"
    assert need.status == Status.TRIAGED and need.outcome == ""
    again = need.tasks.exclude(pk=task.pk).get()
    assert (again.status, again.role, again.assignee) == (TS.OPEN, "delivery", None)
    assert [e.action for e in need.events.all()][-3:] == [
        "task_failed",
        "task_created",
        "followed_tasks",
    ]


def test_a_failed_task_leaves_its_live_sibling_and_the_request_open(people, two):
    need, (t1, v1), (t2, v2) = two
    services.task_fail(actor=v1, task=t1, reason="去不了")
    need.refresh_from_db()
    t2.refresh_from_db()
    assert t2.status == TS.ACCEPTED and t2.assignee == v2
    assert need.is_open and need.status == Status.ACCEPTED
    again = _replacement(need, [t1])
    assert (again.status, again.role) == (TS.OPEN, "companion")

    services.task_complete(actor=v2, task=t2)
    need.refresh_from_db()
    assert need.status == Status.IN_PROGRESS  # the companion is still to come

    v3 = make_volunteer("v3", need.area)
    services.task_claim(actor=v3, task=again)
    services.task_complete(actor=v3, task=again)
    need.refresh_from_db()
    assert need.status == Status.DONE


def test_a_failed_task_after_its_sibling_was_done_keeps_the_request_open(people, two):
    need, (t1, v1), (t2, v2) = two
    services.task_complete(actor=v2, task=t2)
    services.task_fail(actor=v1, task=t1, reason="去不了")
    need.refresh_from_db()
    assert need.status == Status.IN_PROGRESS and need.outcome == ""
    assert _replacement(need, [t1]).status == TS.OPEN

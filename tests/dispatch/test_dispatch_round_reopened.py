"""A reopened request is routed again: its old tasks were closed, so it has no live task and
a round gives it one, as it does a request just taken in."""

from __future__ import annotations

from tests.needs.factories_needs import make_need, make_volunteer
from wushe.dispatch import services
from wushe.needs import services as needs_services
from wushe.needs.models import Outcome, Task

TS = Task.TaskStatus


def test_a_reopened_request_gets_a_task_in_the_next_round(people, street):
    need = make_need(people.worker_a, street.building_a1)
    old = needs_services.task_create(actor=people.worker_a, need=need)
    needs_services.need_close(actor=people.worker_a, need=need, outcome=Outcome.NOT_NEEDED)
    needs_services.need_reopen(actor=people.worker_a, need=need, reason="又需要了")

    rnd = services.dispatch_round_start(actor=people.command, area=street.street, time_limit_s=1)
    new = need.tasks.exclude(pk=old.pk).get()
    assert new.status == TS.OPEN
    assert [t["id"] for t in rnd.instance["tasks"]] == [f"t{new.pk}"]


def test_a_round_leaves_a_request_with_a_live_task_alone(people, street):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = needs_services.task_create(actor=people.worker_a, need=need)
    needs_services.task_claim(actor=vol, task=task)
    services.dispatch_round_start(actor=people.command, area=street.street, time_limit_s=1)
    assert list(need.tasks.all()) == [task]

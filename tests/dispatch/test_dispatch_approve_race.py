"""Two dispatchers approving rounds that share tasks at once: each approval locks the tasks'
requests, then the tasks, by id (the needs workflow's order), before offering in route order,
so the approvals wait for each other instead of deadlocking. PostgreSQL only."""

from __future__ import annotations

import threading

import pytest

from tests.dispatch.round_support import proposed_round
from tests.needs.factories_needs import make_need, make_volunteer
from tests.races import POSTGRES_RACE, run_at_once
from wushe.dispatch import services
from wushe.dispatch.models import DispatchRound
from wushe.needs import services as needs_services
from wushe.needs.models import TaskAssignment

pytestmark = POSTGRES_RACE
WINDOW_S = 2  # how long each approval waits, after its first offer, for the other's


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_overlapping_rounds_never_deadlock(people, street, monkeypatch):
    tasks = [
        needs_services.task_create(
            actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
        )
        for _ in range(3)
    ]
    ann = make_volunteer("ann", street.building_a1)
    bob = make_volunteer("bob", street.building_a1)
    ids = [f"t{t.pk}" for t in tasks]
    # The same tasks in opposite route orders: offering in route order alone would lock
    # the first task of each and then wait for the other's.
    first = proposed_round(people, street, {"routes": [{"volunteer": f"v{ann.pk}", "tasks": ids}]})
    second = proposed_round(
        people, street, {"routes": [{"volunteer": f"v{bob.pk}", "tasks": ids[::-1]}]}
    )
    # The street's round and community A's: two areas, so locking each round (and its area)
    # does not make one approval wait for the other from the start.
    DispatchRound.objects.filter(pk=second.pk).update(area=street.street)
    offered = {first.pk: threading.Event(), second.pk: threading.Event()}
    other = {first.pk: second.pk, second.pk: first.pk}
    real_offer = needs_services.task_offer

    def offer(**kwargs):
        # Widen the window after each approval's first offer so that a wrong order shows.
        made = real_offer(**kwargs)
        mine = kwargs["round_id"]
        if not offered[mine].is_set():
            offered[mine].set()
            offered[other[mine]].wait(timeout=WINDOW_S)
        return made

    monkeypatch.setattr(needs_services, "task_offer", offer)
    results = run_at_once(
        [
            lambda: services.dispatch_round_approve(actor=people.worker_a, round=first),
            lambda: services.dispatch_round_approve(actor=people.command, round=second),
        ]
    )
    assert all(isinstance(r, DispatchRound) for r in results), results
    assert {r.status for r in results} == {DispatchRound.Status.APPROVED}
    # One approval came first and offered every task; the other found them offered.
    counts = sorted(len(r.approval["offered"]) for r in results)
    assert counts == [0, 3]
    assert TaskAssignment.objects.filter(state=TaskAssignment.State.OFFERED).count() == 3

"""A lapse while an accept of another offer of the same task is being written: the accept
holds the task and next locks the task's other offers; the lapse must not wait for the
task while holding one of them (a deadlock, one side aborted). Only meaningful on
PostgreSQL (SQLite serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from tests.needs.factories_needs import make_need, make_volunteer
from tests.races import POSTGRES_RACE
from wushe.needs import services
from wushe.needs.models import Task, TaskAssignment

pytestmark = POSTGRES_RACE


@pytest.mark.django_db(transaction=True)
def test_a_lapse_never_deadlocks_with_an_accept(people, street):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    ann = make_volunteer("ann", street.community_a)
    ben = make_volunteer("ben", street.community_a)
    services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    stale = services.task_offer(actor=people.worker_a, task=task, volunteer=ben)
    task_locked = threading.Event()
    outcome: dict[str, object] = {}

    def accept_like():  # the lock order of assignment_accept: the task, then other offers
        try:
            with transaction.atomic():
                Task.objects.select_for_update().get(pk=task.pk)
                task_locked.set()
                lapse.join(timeout=1.5)  # the lapse gets its chance to take ben's offer
                list(TaskAssignment.objects.select_for_update().filter(pk=stale.pk))
            outcome["accept"] = "ok"
        except Exception as exc:  # noqa: BLE001 (a deadlock here is the finding)
            outcome["accept"] = repr(exc)
        finally:
            connections.close_all()

    def lapse_run():
        try:
            task_locked.wait(timeout=5)
            outcome["lapse"] = services.assignment_lapse(assignment=stale, reason="no answer")
        except Exception as exc:  # noqa: BLE001
            outcome["lapse"] = repr(exc)
        finally:
            connections.close_all()

    lapse = threading.Thread(target=lapse_run)
    accept = threading.Thread(target=accept_like)
    accept.start()
    lapse.start()
    accept.join(timeout=30)
    lapse.join(timeout=30)
    assert outcome == {"accept": "ok", "lapse": None}  # skipped: the next beat tries again
    stale.refresh_from_db()
    assert stale.state == TaskAssignment.State.OFFERED

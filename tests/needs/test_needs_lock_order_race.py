"""Writers of one request under real concurrency: every write locks the request before its
tasks, so a close and an accept never wait for each other in a circle, and two dispatchers
assigning one request at once give it one task. PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError

from tests.needs.factories_needs import make_need, make_volunteer
from tests.races import POSTGRES_RACE, run_at_once
from wushe.core.errors import ApplicationError
from wushe.needs import errors, services
from wushe.needs.models import Outcome, Task, TaskAssignment

pytestmark = POSTGRES_RACE
WINDOW_S = 2  # how long each side holds its first lock for the other to come in


def _outcome(call):
    try:
        call()
    except ApplicationError as exc:  # refused in words: a clean finish
        return exc.message
    except DatabaseError as exc:  # a deadlock here is the finding
        return repr(exc)
    return "ok"


@pytest.mark.django_db(transaction=True)
def test_a_close_and_an_accept_of_one_request_never_deadlock(people, street, monkeypatch):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    ann = make_volunteer("ann", street.community_a)
    offer = services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    accept_took = threading.Event()
    close_locked = threading.Event()

    # Widen the window each had between its two locks, so that a wrong order shows: the
    # accept holds the task and would next write the request; the close holds the request
    # and would next lock the tasks.
    real_take, real_close = services._take, services._close

    def take(*args, **kwargs):
        took = real_take(*args, **kwargs)
        accept_took.set()
        close_locked.wait(timeout=WINDOW_S)
        return took

    def close(*args, **kwargs):
        close_locked.set()
        accept_took.wait(timeout=WINDOW_S)
        return real_close(*args, **kwargs)

    monkeypatch.setattr(services, "_take", take)
    monkeypatch.setattr(services, "_close", close)

    results = run_at_once(
        [
            lambda: _outcome(
                lambda: services.need_close(
                    actor=people.worker_a, need=need, outcome=Outcome.NOT_NEEDED
                )
            ),
            lambda: _outcome(lambda: services.assignment_accept(actor=ann, assignment=offer)),
        ]
    )
    assert results[0] == "ok"
    assert results[1] == "ok" or results[1] == errors.TASK_NOT_OPEN
    task.refresh_from_db()
    assert task.status == Task.TaskStatus.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_assigning_one_request_give_it_one_task(people, street, monkeypatch):
    need = make_need(people.worker_a, street.building_a1)
    ann = make_volunteer("ann", street.community_a)
    ben = make_volunteer("ben", street.community_a)
    both_looked = threading.Barrier(2)
    real_create = services.task_create

    # Widen the window between looking for the request's task and creating one.
    def create(**kwargs):
        try:
            both_looked.wait(timeout=WINDOW_S)
        except threading.BrokenBarrierError:
            pass  # the other dispatcher waits for the request's lock, as it should
        return real_create(**kwargs)

    monkeypatch.setattr(services, "task_create", create)
    results = run_at_once(
        [
            lambda v=v, d=d: _outcome(
                lambda: services.needs_bulk_assign(actor=d, needs=[need], volunteer=v)
            )
            for v, d in ((ann, people.worker_a), (ben, people.command))
        ]
    )
    assert results == ["ok", "ok"]
    task = Task.objects.get(need=need)
    assert set(
        TaskAssignment.objects.filter(task=task).values_list("volunteer__username", flat=True)
    ) == {"ann", "ben"}

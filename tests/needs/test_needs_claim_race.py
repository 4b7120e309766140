"""The atomic claim under real concurrency: many volunteers press "take" at once, one wins.

Threads, each with its own database connection, released together by a barrier. On SQLite
the database serialises writers anyway, so the race is only meaningful on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.needs.factories_needs import make_need, make_volunteer
from wushe.core.errors import ApplicationError
from wushe.needs import services
from wushe.needs.models import Task, TaskAssignment

RACERS = 8

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a real race needs concurrent writers: run with DATABASE_URL=postgres://…",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_many_volunteers_one_task_one_winner(people, street):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    volunteers = [make_volunteer(f"racer{i}", street.community_a) for i in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    results: list[str] = []
    lock = threading.Lock()

    def race(volunteer):
        try:
            barrier.wait()
            try:
                services.task_claim(actor=volunteer, task=Task.objects.get(pk=task.pk))
                outcome = "won"
            except ApplicationError as exc:
                outcome = f"lost:{exc.status_code}"
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(v,)) for v in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results.count("won") == 1
    assert results.count("lost:409") == RACERS - 1
    task.refresh_from_db()
    assert task.status == Task.TaskStatus.ACCEPTED
    assert TaskAssignment.objects.filter(task=task).count() == 1
    assert need.events.filter(action="task_claimed").count() == 1

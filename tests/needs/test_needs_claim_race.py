"""The atomic claim under real concurrency: many volunteers press "take" at once, one wins.

Threads, each with its own database connection, released together by a barrier. On SQLite
the database serialises writers anyway, so the race is only meaningful on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.needs.factories_needs import make_need, make_volunteer
from tests.races import POSTGRES_RACE, run_at_once
from wushe.core.errors import ApplicationError
from wushe.needs import services
from wushe.needs.models import Task, TaskAssignment

RACERS = 8

pytestmark = POSTGRES_RACE


@pytest.mark.django_db(transaction=True)
def test_many_volunteers_one_task_one_winner(people, street):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    volunteers = [make_volunteer(f"racer{i}", street.community_a) for i in range(RACERS)]

    def claim(volunteer):
        try:
            services.task_claim(actor=volunteer, task=Task.objects.get(pk=task.pk))
        except ApplicationError as exc:
            return f"lost:{exc.status_code}"
        return "won"

    results = run_at_once([lambda v=v: claim(v) for v in volunteers])
    assert results.count("won") == 1
    assert results.count("lost:409") == RACERS - 1
    task.refresh_from_db()
    assert task.status == Task.TaskStatus.ACCEPTED
    assert TaskAssignment.objects.filter(task=task).count() == 1
    assert need.events.filter(action="task_claimed").count() == 1

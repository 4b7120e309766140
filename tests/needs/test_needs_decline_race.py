"""A volunteer declines their offer while another volunteer accepts theirs, for the same
task (or a dispatcher takes the other volunteer off it): all of them lock the request, then
the task, then the offer, so neither waits for the other in a circle (before, the decline
held its offer and waited for the task, while the accept held the task and waited for that
offer: PostgreSQL aborted one of them). Only meaningful on PostgreSQL (SQLite serialises
writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.db.models.signals import post_save

from tests.needs.factories_needs import make_need, make_volunteer
from tests.races import POSTGRES_RACE
from wushe.core.errors import ApplicationError
from wushe.needs import services
from wushe.needs.models import Task, TaskAssignment

pytestmark = POSTGRES_RACE


@pytest.mark.parametrize("other", ["declined", "removed"])
@pytest.mark.django_db(transaction=True)
def test_a_decline_and_an_accept_of_one_task_never_deadlock(people, street, monkeypatch, other):
    """Ben declines his offer (or a dispatcher takes him off it) while Ann accepts hers."""
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    ann = make_volunteer("ann", street.community_a)
    ben = make_volunteer("ben", street.community_a)
    accepted = services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    declined = services.task_offer(actor=people.worker_a, task=task, volunteer=ben)
    decline_wrote = threading.Event()
    accept_took = threading.Event()
    outcome: dict[str, object] = {}

    # Widen the window each answer had between its two locks, so the bad order shows.
    def on_save(sender, instance, **kwargs):
        if instance.pk == declined.pk and instance.state == other:
            decline_wrote.set()
            accept_took.wait(timeout=2)

    real_take = services._take

    def take(*args, **kwargs):
        took = real_take(*args, **kwargs)
        accept_took.set()
        decline_wrote.wait(timeout=2)
        return took

    monkeypatch.setattr(services, "_take", take)
    post_save.connect(on_save, sender=TaskAssignment)

    def run(name, answer):
        try:
            answer()
            outcome[name] = "ok"
        except ApplicationError as exc:  # refused in words: a clean finish
            outcome[name] = str(exc.message)
        except Exception as exc:  # noqa: BLE001 (a deadlock here is the finding)
            outcome[name] = repr(exc)
        finally:
            connections.close_all()

    def decline():
        if other == "removed":
            services.assignment_remove(actor=people.worker_a, assignment=declined)
        else:
            services.assignment_decline(actor=ben, assignment=declined)

    def accept():
        decline_wrote.wait(timeout=2)  # the decline starts first
        services.assignment_accept(actor=ann, assignment=accepted)

    threads = [
        threading.Thread(target=run, args=("decline", decline)),
        threading.Thread(target=run, args=("accept", accept)),
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        post_save.disconnect(on_save, sender=TaskAssignment)
    assert outcome == {"decline": "ok", "accept": "ok"}
    assert TaskAssignment.objects.get(pk=declined.pk).state == other
    assert TaskAssignment.objects.get(pk=accepted.pk).state == TaskAssignment.State.ACCEPTED
    assert Task.objects.get(pk=task.pk).assignee == ann

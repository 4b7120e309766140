"""Only an active volunteer takes a task (accepting an offer, from the app or its one-tap
link, or claiming from the pool): it shows them the resident's name and address. A volunteer
deactivated, paused or given another role hands back their offers and accepted tasks, as a
decline would: the tasks are open again for dispatch."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.accounts.roles import Role
from wushe.core.errors import PermissionDeniedError
from wushe.needs import errors, offers, services
from wushe.needs.models import Status, Task, TaskAssignment
from wushe.volunteers.models import VolunteerProfile
from wushe.volunteers.services import volunteer_profile_upsert

TS = Task.TaskStatus
AS = TaskAssignment.State


@pytest.fixture
def offered(people, street):
    """One task offered to two volunteers."""
    ann = make_volunteer("ann", street.community_a)
    ben = make_volunteer("ben", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    b = services.task_offer(actor=people.worker_a, task=task, volunteer=ben)
    return task, a, b


def _pause(user):
    VolunteerProfile.objects.filter(user=user).update(is_active=False)


@pytest.mark.parametrize("how", ["account", "profile"])
def test_an_inactive_volunteer_cannot_accept_an_offer(offered, how):
    task, a, b = offered
    if how == "account":
        type(a.volunteer).objects.filter(pk=a.volunteer_id).update(is_active=False)
    else:
        _pause(a.volunteer)
    a.volunteer.refresh_from_db()
    with pytest.raises(PermissionDeniedError) as exc:
        services.assignment_accept(actor=a.volunteer, assignment=a)
    assert exc.value.message == errors.NOT_ACTIVE_VOLUNTEER
    task.refresh_from_db()
    b.refresh_from_db()
    assert task.status == TS.OFFERED and task.assignee is None and b.state == AS.OFFERED


def test_the_offer_link_refuses_a_deactivated_volunteer(offered):
    task, a, _ = offered
    type(a.volunteer).objects.filter(pk=a.volunteer_id).update(is_active=False)
    r = Client().post(f"/needs/offer/{offers.offer_token(a)}/", {"do": "accept"})
    assert r.status_code == 400
    task.refresh_from_db()
    assert task.assignee is None


def test_a_paused_volunteer_cannot_claim_from_the_pool(client, people, street):
    vol = make_volunteer("v1", street.community_a)
    _pause(vol)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    with pytest.raises(PermissionDeniedError) as exc:
        services.task_claim(actor=vol, task=task)
    assert exc.value.message == errors.NOT_ACTIVE_VOLUNTEER
    login(client, vol)
    client.post("/needs/my-tasks/", {"do": "claim", "task": task.pk})
    task.refresh_from_db()
    assert task.status == TS.OPEN and task.assignee is None


def test_a_volunteer_without_a_profile_cannot_claim(people, street):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    with pytest.raises(PermissionDeniedError) as exc:
        services.task_claim(actor=people.volunteer, task=task)
    assert exc.value.message == errors.NOT_ACTIVE_VOLUNTEER


def _declined_ids(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "wushe.needs.services.offer_declined_on_commit",
        lambda pk, lapsed=False: sent.append(pk),
    )
    return sent


@pytest.mark.parametrize("change", ["deactivated", "role", "profile"])
def test_a_volunteer_leaving_hands_back_offers_and_accepted_tasks(
    people, street, offered, monkeypatch, change
):
    task, a, b = offered
    ann = a.volunteer
    need2 = make_need(people.worker_a, street.building_a1)
    task2 = services.task_create(actor=people.worker_a, need=need2)
    mine = services.task_offer(actor=people.worker_a, task=task2, volunteer=ann)
    services.assignment_accept(actor=ann, assignment=mine)
    services.task_start(actor=ann, task=task2)
    sent = _declined_ids(monkeypatch)

    if change == "deactivated":
        ann.is_active = False
        ann.save()
    elif change == "role":
        ann.role = Role.COMMUNITY_WORKER
        ann.save(update_fields=["role"])
    else:
        volunteer_profile_upsert(
            actor=None, user=ann, home_area=street.community_a, skills=[], is_active=False
        )

    a.refresh_from_db()
    mine.refresh_from_db()
    task.refresh_from_db()
    task2.refresh_from_db()
    need2.refresh_from_db()
    assert (a.state, mine.state) == (AS.DECLINED, AS.DECLINED)
    assert mine.reason == str(errors.VOLUNTEER_WITHDRAWN)
    assert task.status == TS.OFFERED  # ben's offer stands
    assert (task2.status, task2.assignee) == (TS.OPEN, None)
    assert need2.status == Status.TRIAGED
    assert sorted(sent) == sorted([a.pk, mine.pk])  # a round re-dispatches them
    assert need2.events.filter(action="task_removed", task=task2).exists()


def test_a_sign_in_does_not_touch_a_volunteers_tasks(offered):
    _, a, _ = offered
    ann = a.volunteer
    ann.save(update_fields=["last_login"])
    ann.save()
    a.refresh_from_db()
    assert a.state == AS.OFFERED


def test_a_deactivated_volunteers_last_offer_opens_the_task(people, street, monkeypatch):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    _declined_ids(monkeypatch)
    vol.is_active = False
    vol.save()
    task.refresh_from_db()
    need.refresh_from_db()
    assert task.status == TS.OPEN and need.status == Status.TRIAGED

"""Online changes to approved routes: a decline or a lapsed offer re-dispatches just that
task (the engine's insertion, never back to a decliner, else back to the dispatcher with a
reason); an urgent request is inserted into the current routes on demand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.core.audit import ActionLog
from wushe.core.errors import ApplicationError
from wushe.dispatch import errors, selectors, services
from wushe.dispatch.models import DispatchRound
from wushe.needs import services as needs_services
from wushe.needs.models import NeedEvent, Task, TaskAssignment
from wushe.needs.triage import LIFE
from wushe.volunteers.models import VolunteerProfile

pytestmark = pytest.mark.slow  # each round runs the engine for about a second


def on_shift(*users):
    VolunteerProfile.objects.filter(user__in=users).update(on_shift=True)


def task_in(people, area, **facts):
    need = make_need(people.worker_a, area, **facts)
    return needs_services.task_create(actor=people.worker_a, need=need)


def approved_round(people, street):
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1, auto_approve=True
    )
    assert rnd.status == DispatchRound.Status.APPROVED
    return rnd


def offer_of(task, user):
    return TaskAssignment.objects.get(task=task, volunteer=user)


def decline(user, task, capture):
    with capture(execute=True):
        needs_services.assignment_decline(actor=user, assignment=offer_of(task, user))


def test_a_decline_redispatches_to_another_volunteer_never_back(
    people, street, django_capture_on_commit_callbacks
):
    ann = make_volunteer("ann", street.building_a1)
    ben = make_volunteer("ben", street.building_a2)
    cat = make_volunteer("cat", street.building_a2)
    on_shift(ann, ben, cat)
    task = task_in(people, street.building_a1)
    rnd = approved_round(people, street)
    (first,) = TaskAssignment.objects.filter(task=task)

    decline(first.volunteer, task, django_capture_on_commit_callbacks)
    rnd.refresh_from_db()
    second = TaskAssignment.objects.get(task=task, state="offered")
    assert second.volunteer != first.volunteer
    change = rnd.changes[-1]
    assert change["action"] == "redispatch" and change["from_volunteer"] == first.volunteer_id
    assert change["volunteer"] == second.volunteer_id and change["reason"] == ""
    assert rnd.solution["unassigned"] == []
    assert {"volunteer": second.volunteer_id, "task": task.pk, "order": 1} in rnd.approval[
        "offered"
    ]
    # The new volunteer's route shows it, in the round's order.
    (row,) = selectors.my_route(actor=second.volunteer)
    assert row["task"] == task and row["stop"]["order"] == 1
    assert ActionLog.objects.filter(action="dispatch.round.redispatched").exists()

    # The second declines too: the third is chosen, never one of the two who declined.
    decline(second.volunteer, task, django_capture_on_commit_callbacks)
    third = TaskAssignment.objects.get(task=task, state="offered")
    assert third.volunteer not in (first.volunteer, second.volunteer)
    # The third declines: nobody left, so back to the dispatcher with the reason.
    decline(third.volunteer, task, django_capture_on_commit_callbacks)
    rnd.refresh_from_db()
    assert not TaskAssignment.objects.filter(task=task, state="offered").exists()
    assert Task.objects.get(pk=task.pk).status == "open"
    assert rnd.changes[-1]["volunteer"] is None
    assert rnd.changes[-1]["reason"] == str(errors.NONE_CAN_TAKE)
    assert rnd.approval["returned"] == [{"task": task.pk, "reason": str(errors.NONE_CAN_TAKE)}]
    assert rnd.solution["unassigned"] == [f"t{task.pk}"]
    # The request's history (the dispatcher's queue) says why.
    event = NeedEvent.objects.filter(task=task, action="task_returned").get()
    assert event.note == str(errors.NONE_CAN_TAKE) and event.action_label


def test_a_hand_made_offer_is_not_redispatched(people, street, django_capture_on_commit_callbacks):
    ann = make_volunteer("ann", street.building_a1)
    ben = make_volunteer("ben", street.building_a2)
    on_shift(ann, ben)
    task = task_in(people, street.building_a1)
    needs_services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    decline(ann, task, django_capture_on_commit_callbacks)
    assert TaskAssignment.objects.filter(task=task).count() == 1
    assert services.dispatch_redispatch(assignment_id=offer_of(task, ann).pk) == (
        "not-from-a-round"
    )


def test_an_unanswered_offer_lapses_and_is_redispatched(
    people, street, settings, django_capture_on_commit_callbacks
):
    settings.WUSHE_DISPATCH_OFFER_TIMEOUT_S = 600
    ann = make_volunteer("ann", street.building_a1)
    ben = make_volunteer("ben", street.building_a2)
    on_shift(ann, ben)
    task = task_in(people, street.building_a1)
    approved_round(people, street)
    by_hand = task_in(people, street.building_a2)
    manual = needs_services.task_offer(actor=people.worker_a, task=by_hand, volunteer=ann)
    (first,) = TaskAssignment.objects.filter(task=task)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.dispatch_offers_lapse(now=timezone.now() + timedelta(seconds=300)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.dispatch_offers_lapse(now=timezone.now() + timedelta(seconds=900)) == 1
    first.refresh_from_db()
    assert first.state == "declined" and first.reason == str(errors.LAPSED % {"minutes": 10})
    second = TaskAssignment.objects.get(task=task, state="offered")
    assert second.volunteer != first.volunteer
    rnd = DispatchRound.objects.get()
    assert rnd.changes[-1]["lapsed"] is True
    manual.refresh_from_db()
    assert manual.state == "offered"  # a dispatcher's own offer is theirs to follow up


def test_an_answered_offer_does_not_lapse(people, street, settings):
    settings.WUSHE_DISPATCH_OFFER_TIMEOUT_S = 600
    ann = make_volunteer("ann", street.building_a1)
    on_shift(ann)
    task = task_in(people, street.building_a1)
    approved_round(people, street)
    needs_services.assignment_accept(actor=ann, assignment=offer_of(task, ann))
    assert services.dispatch_offers_lapse(now=timezone.now() + timedelta(hours=1)) == 0
    assert offer_of(task, ann).state == "accepted"


def test_an_urgent_request_is_inserted_into_the_current_routes(client, api, people, street):
    ann = make_volunteer("ann", street.building_a1)
    on_shift(ann)
    task_in(people, street.building_a1)
    rnd = approved_round(people, street)
    urgent = task_in(people, street.building_a2, medical_emergency=True)
    assert urgent.need.priority >= LIFE
    locations = len(rnd.instance["locations"])

    login(client, people.worker_a)
    page = client.get(f"/dispatch/{rnd.pk}/").content.decode()
    assert f'data-insert="{urgent.pk}"' in page
    r = client.post(f"/dispatch/{rnd.pk}/", {"do": "insert", "task": urgent.pk}, follow=True)
    assert r.status_code == 200
    rnd.refresh_from_db()
    assert offer_of(urgent, ann).state == "offered"
    # Inserted, not re-solved: the old stop keeps its place in the route.
    (route,) = rnd.solution["routes"]
    assert f"t{urgent.pk}" in route["tasks"] and len(route["tasks"]) == 2
    assert rnd.changes[-1]["action"] == "insert" and rnd.changes[-1]["by"] == people.worker_a.pk
    assert len(rnd.instance["locations"]) == locations + 1
    doc = next(t for t in rnd.instance["tasks"] if t["id"] == f"t{urgent.pk}")
    assert doc["priority"] >= 67 and doc["window"][0] >= 0
    assert rnd.score_assigned == 2

    # Through the API: a task outside the round's area is not found there; the service
    # refuses it with the reason.
    outside = needs_services.task_create(
        actor=people.command, need=make_need(people.command, street.building_b1)
    )
    login(api, people.command)
    r = api.post(f"/api/v1/dispatch/rounds/{rnd.pk}/insert/", {"task": outside.pk}, format="json")
    assert r.status_code == 404
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_insert(actor=people.command, round=rnd, task=outside)
    assert exc.value.message == errors.TASK_OUTSIDE
    r = api.post(f"/api/v1/dispatch/rounds/{rnd.pk}/insert/", {"task": urgent.pk}, format="json")
    assert r.status_code == 400  # already offered


def test_insert_needs_an_approved_round_and_a_feasible_place(people, street, settings):
    settings.WUSHE_DISPATCH_CAPACITY = 1  # ann's route is full with the first task
    ann = make_volunteer("ann", street.building_a1)
    on_shift(ann)
    task_in(people, street.building_a1)
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )
    urgent = task_in(people, street.building_a2, medical_emergency=True)
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_insert(actor=people.worker_a, round=rnd, task=urgent)
    assert exc.value.message == errors.NOT_APPROVED
    rnd = services.dispatch_round_approve(actor=people.worker_a, round=rnd)
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_insert(actor=people.worker_a, round=rnd, task=urgent)
    assert exc.value.message == str(errors.NONE_CAN_TAKE)
    assert not TaskAssignment.objects.filter(task=urgent).exists()
    rnd.refresh_from_db()
    assert f"t{urgent.pk}" not in {t["id"] for t in rnd.instance["tasks"]}  # rolled back


def test_a_broker_failure_does_not_undo_the_decline(
    people, street, monkeypatch, django_capture_on_commit_callbacks
):
    from wushe.dispatch import tasks

    ann = make_volunteer("ann", street.building_a1)
    on_shift(ann)
    task = task_in(people, street.building_a1)
    approved_round(people, street)

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.redispatch_offer, "delay", broker_down)
    decline(ann, task, django_capture_on_commit_callbacks)
    assert offer_of(task, ann).state == "declined"
    assert Task.objects.get(pk=task.pk).status == "open"

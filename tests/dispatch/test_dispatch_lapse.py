"""Online changes to approved routes without an engine run: round offers lapse even when
many hand-made offers wait unanswered; an insertion the checker refuses is said in words."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.dispatch.round_support import approved_round, proposed_round
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.core.audit import ActionLog
from wushe.core.errors import ApplicationError
from wushe.dispatch import errors, selectors, services
from wushe.dispatch.engine import SolutionError
from wushe.dispatch.instance import build_instance
from wushe.needs import services as needs_services
from wushe.needs.models import NeedEvent, TaskAssignment
from wushe.volunteers.models import VolunteerProfile


def test_hand_made_offers_do_not_starve_the_lapse_of_round_offers(
    people, street, settings, monkeypatch
):
    settings.WUSHE_DISPATCH_OFFER_TIMEOUT_S = 600
    monkeypatch.setattr(services, "LAPSE_BATCH", 2)
    ann = make_volunteer("ann", street.building_a1)

    def offer() -> TaskAssignment:
        need = make_need(people.worker_a, street.building_a1)
        task = needs_services.task_create(actor=people.worker_a, need=need)
        return needs_services.task_offer(actor=people.worker_a, task=task, volunteer=ann)

    by_hand = [offer() for _ in range(3)]  # older, lower ids: a dispatcher's own offers
    routed = offer()
    approved_round(people, street, offers=(routed,))

    assert services.dispatch_offers_lapse(now=timezone.now() + timedelta(seconds=900)) == 1
    routed.refresh_from_db()
    assert routed.state == TaskAssignment.State.DECLINED
    assert all(
        TaskAssignment.objects.get(pk=a.pk).state == TaskAssignment.State.OFFERED for a in by_hand
    )


def test_an_insertion_the_checker_refuses_is_said_in_words(people, street, monkeypatch):
    ann = make_volunteer("ann", street.building_a1)
    VolunteerProfile.objects.filter(user=ann).update(on_shift=True)
    need = make_need(people.worker_a, street.building_a1)
    task = needs_services.task_create(actor=people.worker_a, need=need)
    snap = build_instance(area=street.community_a, now=timezone.now())
    rnd = approved_round(
        people,
        street,
        instance=snap.instance,
        report=snap.report,
        solution={"routes": [], "unassigned": [f"t{task.pk}"]},
    )

    def disagree(instance, solution):
        raise SolutionError(f"volunteer v{ann.pk} finishes at 99999s, after shift end 14400")

    monkeypatch.setattr(services, "score", disagree)
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_insert(actor=people.worker_a, round=rnd, task=task)
    assert str(exc.value.message) == str(
        errors.EDIT_SHIFT % {"volunteer": ann, "task": need.tracking_code}
    )


def test_offers_lapse_from_the_command_line_without_celery_beat(people, street, settings):
    settings.WUSHE_DISPATCH_OFFER_TIMEOUT_S = 0
    ann = make_volunteer("ann", street.building_a1)
    need = make_need(people.worker_a, street.building_a1)
    task = needs_services.task_create(actor=people.worker_a, need=need)
    offer = needs_services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    approved_round(people, street, offers=(offer,))
    out = io.StringIO()
    call_command("lapse_offers", stdout=out)
    assert out.getvalue().strip() == "1 offer(s) lapsed"
    offer.refresh_from_db()
    assert offer.state == TaskAssignment.State.DECLINED


def test_a_redispatch_the_checker_refuses_takes_the_task_out_of_the_routes(
    people, street, monkeypatch
):
    ann = make_volunteer("ann", street.building_a1)
    ben = make_volunteer("ben", street.building_a2)
    VolunteerProfile.objects.filter(user__in=[ann, ben]).update(on_shift=True)
    need = make_need(people.worker_a, street.building_a1)
    task = needs_services.task_create(actor=people.worker_a, need=need)
    tid = f"t{task.pk}"
    snap = build_instance(area=street.community_a, now=timezone.now())
    offer = needs_services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    rnd = approved_round(
        people,
        street,
        offers=(offer,),
        instance=snap.instance,
        report=snap.report,
        solution={"routes": [{"volunteer": f"v{ann.pk}", "tasks": [tid]}], "unassigned": []},
        score_assigned=1,
    )
    needs_services.assignment_decline(actor=ann, assignment=offer)
    real_score = services.score

    def refuse_a_route_with_it(instance, solution):
        if any(tid in r["tasks"] for r in solution["routes"]):
            raise SolutionError(f"volunteer v{ben.pk} finishes at 99999s, after shift end 14400")
        return real_score(instance, solution)

    monkeypatch.setattr(services, "score", refuse_a_route_with_it)
    assert services.dispatch_redispatch(assignment_id=offer.pk) == "returned"
    # The job again (its worker was lost before acknowledging): nothing is added twice.
    assert services.dispatch_redispatch(assignment_id=offer.pk) == "returned"
    assert NeedEvent.objects.filter(task=task, action="task_returned").count() == 1
    rnd.refresh_from_db()
    assert len(rnd.approval["returned"]) == 1 and len(rnd.changes) == 1
    # Back in the queue, so on nobody's route (not the decliner's, not the refused one).
    assert rnd.solution["routes"] == [] and rnd.solution["unassigned"] == [tid]
    assert rnd.score_assigned == 0
    assert rnd.approval["returned"][0]["task"] == task.pk
    assert not TaskAssignment.objects.filter(task=task, state="offered").exists()


def test_after_a_partial_approval_the_routes_never_offered_are_not_current(people, street):
    ann = make_volunteer("ann", street.building_a1)
    ben = make_volunteer("ben", street.building_a2)
    VolunteerProfile.objects.filter(user__in=[ann, ben]).update(on_shift=True)
    mine = needs_services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    urgent = needs_services.task_create(
        actor=people.worker_a,
        need=make_need(people.worker_a, street.building_a2, medical_emergency=True),
    )
    rnd = proposed_round(
        people,
        street,
        {
            "routes": [
                {"volunteer": f"v{ann.pk}", "tasks": [f"t{mine.pk}"]},
                {"volunteer": f"v{ben.pk}", "tasks": [f"t{urgent.pk}"]},
            ],
            "unassigned": [],
        },
        score_assigned=2,
    )
    assert selectors.urgent_waiting(round=rnd) == []

    rnd = services.dispatch_round_approve(actor=people.worker_a, round=rnd, volunteer_ids=[ann.pk])
    rnd.refresh_from_db()
    assert rnd.solution["routes"] == [{"volunteer": f"v{ann.pk}", "tasks": [f"t{mine.pk}"]}]
    assert rnd.solution["unassigned"] == [f"t{urgent.pk}"] and rnd.score_assigned == 1
    # Ben was never offered it: it is waiting, and can be inserted into the current routes.
    assert not TaskAssignment.objects.filter(task=urgent).exists()
    assert selectors.urgent_waiting(round=rnd) == [urgent]


def test_a_redispatch_offer_is_logged_as_the_system_for_the_round(people, street):
    ann = make_volunteer("ann", street.building_a1)
    ben = make_volunteer("ben", street.building_a2)
    VolunteerProfile.objects.filter(user__in=[ann, ben]).update(on_shift=True)
    task = needs_services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    snap = build_instance(area=street.community_a, now=timezone.now())
    offer = needs_services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    rnd = approved_round(
        people,
        street,
        offers=(offer,),
        approved_by=people.worker_a,
        instance=snap.instance,
        report=snap.report,
        solution={"routes": [{"volunteer": f"v{ann.pk}", "tasks": [f"t{task.pk}"]}]},
    )
    needs_services.assignment_decline(actor=ann, assignment=offer)
    assert services.dispatch_redispatch(assignment_id=offer.pk) == "offered"

    log = ActionLog.objects.get(action="needs.task.offered", data__volunteer=ben.pk)
    assert log.actor is None and log.data["round"] == rnd.pk
    event = NeedEvent.objects.get(task=task, action="task_offered", note=str(ben))
    assert event.actor is None


def test_a_dispatchers_own_offer_after_a_round_offer_is_not_a_round_offer(people, street, settings):
    settings.WUSHE_DISPATCH_OFFER_TIMEOUT_S = 600
    ann = make_volunteer("ann", street.building_a1)
    need = make_need(people.worker_a, street.building_a1)
    task = needs_services.task_create(actor=people.worker_a, need=need)
    rnd = approved_round(people, street)
    offer = needs_services.task_offer(
        actor=people.worker_a, task=task, volunteer=ann, round_id=rnd.pk
    )
    rnd.approval = {"offered": [{"task": task.pk, "volunteer": ann.pk, "order": 1}]}
    rnd.save()
    assert services.round_of_offer(offer) == rnd.pk
    # The dispatcher takes Ann off, then offers it to her again by hand.
    needs_services.assignment_remove(actor=people.worker_a, assignment=offer)
    again = needs_services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    assert again.pk == offer.pk and services.round_of_offer(again) is None
    assert services.dispatch_offers_lapse(now=timezone.now() + timedelta(seconds=900)) == 0
    assert TaskAssignment.objects.get(pk=offer.pk).state == TaskAssignment.State.OFFERED


def test_offers_made_before_the_mark_are_marked_by_the_migration(people, street):
    from django.apps import apps

    migration = importlib.import_module("wushe.dispatch.migrations.0005_mark_round_offers")
    ann = make_volunteer("ann", street.building_a1)
    need = make_need(people.worker_a, street.building_a1)
    task = needs_services.task_create(actor=people.worker_a, need=need)
    offer = needs_services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    rnd = approved_round(people, street, offers=(offer,), mark=False)
    migration.mark(apps, None)
    offer.refresh_from_db()
    assert offer.from_round == rnd.pk

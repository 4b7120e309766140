"""The workflow: intake, every transition recorded, close with a reason, reopen, merge,
escalation of overdue requests, offers and declines never asked again."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.needs.factories_needs import make_need, make_volunteer
from tests.residents.factories_residents import HouseholdFactory, ResidentFactory
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.models import ActionLog
from wushe.needs import errors, offers, selectors, services
from wushe.needs.models import Need, Outcome, Status, Task, TaskAssignment, TriageSettings
from wushe.residents.models import ResidentTag, Tag

TS = Task.TaskStatus


@pytest.fixture
def vol(street):
    return make_volunteer("v1", street.community_a, ["driver"])


def test_intake_triages_and_records_history(people, street):
    need = make_need(people.worker_a, street.building_a1, medical_emergency=True)
    assert need.status == Status.TRIAGED
    assert need.priority >= 1_000_000
    assert need.tracking_code and len(need.tracking_code) == 8
    assert need.sla_due_at is not None and need.last_verified_at is not None
    assert [(e.action, e.from_status, e.to_status) for e in need.events.all()] == [
        ("created", "", "new"),
        ("triaged", "new", "triaged"),
    ]
    assert ActionLog.objects.filter(action="needs.need.created").count() == 1


def test_bad_input_named(people, street):
    with pytest.raises(ApplicationError) as exc:
        make_need(people.worker_a, street.building_a1, caller_name="", caller_phone="")
    assert exc.value.message == errors.NO_PERSON
    with pytest.raises(ApplicationError) as exc:
        make_need(people.worker_a, street.building_a1, critical_condition=True)
    assert exc.value.field == "days_medicine_left"
    with pytest.raises(PermissionDeniedError):
        make_need(people.worker_b, street.building_a1)
    with pytest.raises(ApplicationError) as exc:
        make_need(
            people.worker_a,
            street.building_a1,
            deadline=timezone.now() - datetime.timedelta(days=1),
        )
    assert exc.value.field == "deadline"


def test_resident_out_of_scope_refused(people, street):
    hh = HouseholdFactory(building=street.building_b1)
    resident = ResidentFactory(area=street.building_b1, household=hh)
    with pytest.raises(PermissionDeniedError) as exc:
        make_need(people.worker_a, street.building_a1, resident=resident)
    assert exc.value.message == errors.RESIDENT_OUT_OF_SCOPE


def test_resident_tags_feed_triage_and_recompute(people, street):
    hh = HouseholdFactory(building=street.building_a1)
    resident = ResidentFactory(area=street.building_a1, household=hh)
    ResidentTag.objects.create(resident=resident, tag=Tag.objects.get(code="living_alone"))
    need = make_need(people.worker_a, street.building_a1, resident=resident)
    assert need.priority_breakdown["vulnerability"] >= 30
    before = need.priority
    services.need_update_facts(actor=people.worker_a, need=need, days_food_left=0)
    assert need.priority > before
    assert need.events.filter(action="facts_changed").exists()


def test_street_triage_settings_apply(people, street):
    TriageSettings.objects.create(street=street.street, weights={"sla_hours": {"groceries": 1}})
    need = make_need(people.worker_a, street.building_a1)
    assert need.sla_due_at - need.created_at < datetime.timedelta(hours=1, minutes=1)


def test_full_path_offer_accept_start_done(people, street, vol):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need, role="driver")
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    need.refresh_from_db()
    assert need.status == Status.ASSIGNED
    services.assignment_accept(actor=vol, assignment=a)
    need.refresh_from_db()
    assert need.status == Status.ACCEPTED
    services.task_start(actor=vol, task=task)
    need.refresh_from_db()
    assert need.status == Status.IN_PROGRESS
    services.task_complete(actor=vol, task=task, note="送到了")
    need.refresh_from_db()
    assert need.status == Status.DONE and need.outcome == Outcome.FULFILLED
    steps = [e.to_status for e in need.events.all() if e.to_status]
    assert steps[-1] == "done" and "accepted" in steps and "in_progress" in steps


def test_two_tasks_done_only_when_both_are(people, street, vol):
    other = make_volunteer("v2", street.community_a, ["companion"])
    need = make_need(people.worker_a, street.building_a1, category="escort")
    driver = services.task_create(actor=people.worker_a, need=need, role="driver")
    companion = services.task_create(actor=people.worker_a, need=need, role="companion")
    services.task_claim(actor=vol, task=driver)
    services.task_claim(actor=other, task=companion)
    services.task_complete(actor=vol, task=driver)
    need.refresh_from_db()
    assert need.status == Status.IN_PROGRESS
    services.task_complete(actor=other, task=companion)
    need.refresh_from_db()
    assert need.status == Status.DONE


def test_decline_is_never_asked_again(people, street, vol):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    services.assignment_decline(actor=vol, assignment=a, reason="不在家")
    task.refresh_from_db()
    assert task.status == TS.OPEN
    with pytest.raises(ApplicationError) as exc:
        services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    assert exc.value.message == errors.DECLINED_BEFORE
    with pytest.raises(ApplicationError):
        services.task_claim(actor=vol, task=task)


def test_fail_needs_reason_and_reopen(people, street, vol):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    services.task_claim(actor=vol, task=task)
    with pytest.raises(ApplicationError):
        services.task_fail(actor=vol, task=task, reason=" ")
    services.need_close(
        actor=people.worker_a, need=need, outcome=Outcome.NOT_POSSIBLE, note="药店无货"
    )
    need.refresh_from_db()
    assert need.status == Status.FAILED and need.outcome == Outcome.NOT_POSSIBLE
    services.need_reopen(actor=people.worker_a, need=need, reason="换一家药店")
    need.refresh_from_db()
    assert need.status == Status.TRIAGED and need.outcome == ""


def test_a_reopened_request_follows_only_its_new_tasks(people, street, vol):
    """A fulfilled request reopened: its old done task belongs to the closed episode, so a
    new offer makes it assigned (not in progress), and finishing the new task closes it."""
    need = make_need(people.worker_a, street.building_a1)
    old = services.task_create(actor=people.worker_a, need=need)
    services.task_claim(actor=vol, task=old)
    services.task_complete(actor=vol, task=old)
    need.refresh_from_db()
    assert need.status == Status.DONE
    services.need_reopen(actor=people.worker_a, need=need, reason="药拿错了")
    task = services.task_create(actor=people.worker_a, need=need)
    offer = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    need.refresh_from_db()
    assert need.status == Status.ASSIGNED
    services.assignment_accept(actor=vol, assignment=offer)
    need.refresh_from_db()
    assert need.status == Status.ACCEPTED
    services.task_complete(actor=vol, task=task)
    need.refresh_from_db()
    assert need.status == Status.DONE and need.outcome == Outcome.FULFILLED


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (Outcome.FULFILLED, Status.DONE),
        (Outcome.NOT_POSSIBLE, Status.FAILED),
        (Outcome.NOT_NEEDED, Status.CANCELLED),
        (Outcome.DUPLICATE, Status.CANCELLED),
    ],
)
def test_close_records_why(people, street, outcome, status):
    need = make_need(people.worker_a, street.building_a1)
    services.need_close(actor=people.worker_a, need=need, outcome=outcome, note="原因")
    need.refresh_from_db()
    assert need.status == status and need.outcome == outcome
    assert need.events.last().note == "原因"
    with pytest.raises(ApplicationError):
        services.need_close(actor=people.worker_a, need=need, outcome=outcome, note="again")


def test_not_possible_requires_note(people, street):
    need = make_need(people.worker_a, street.building_a1)
    with pytest.raises(ApplicationError) as exc:
        services.need_close(actor=people.worker_a, need=need, outcome=Outcome.NOT_POSSIBLE)
    assert exc.value.field == "note"


def test_only_the_assignee_works_the_task(people, street, vol):
    other = make_volunteer("v2", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    services.task_claim(actor=vol, task=task)
    with pytest.raises(PermissionDeniedError):
        services.task_complete(actor=other, task=task)
    with pytest.raises(ApplicationError) as exc:
        services.task_claim(actor=other, task=task)
    assert exc.value.status_code == 409


def test_merge_candidates_and_merge(people, street):
    hh = HouseholdFactory(building=street.building_a1)
    resident = ResidentFactory(area=street.building_a1, household=hh)
    first = make_need(people.worker_a, street.building_a1, resident=resident, category="medicine")
    second = make_need(people.worker_a, street.building_a1, resident=resident, category="medicine")
    make_need(people.worker_a, street.building_a1, resident=resident, category="groceries")
    assert list(selectors.need_merge_candidates(second, people.worker_a)) == [first]
    services.need_merge(actor=people.worker_a, need=second, into=first)
    second.refresh_from_db()
    assert second.merged_into == first and second.outcome == Outcome.DUPLICATE
    assert first.events.filter(action="merged").exists()
    with pytest.raises(ApplicationError):
        services.need_merge(actor=people.worker_a, need=first, into=first)


@pytest.mark.parametrize("closed", ["source", "target"])
def test_merge_refuses_a_closed_request(people, street, closed):
    """A request closed as fulfilled stays fulfilled: it is not turned into a duplicate."""
    source = make_need(people.worker_a, street.building_a1)
    target = make_need(people.worker_a, street.building_a1)
    shut = source if closed == "source" else target
    services.need_close(actor=people.worker_a, need=shut, outcome=Outcome.FULFILLED)
    with pytest.raises(ApplicationError) as exc:
        services.need_merge(actor=people.worker_a, need=source, into=target)
    expected = errors.MERGE_SOURCE_CLOSED if closed == "source" else errors.MERGE_TARGET_CLOSED
    assert exc.value.message == expected
    shut.refresh_from_db()
    assert (shut.status, shut.outcome, shut.merged_into) == (Status.DONE, Outcome.FULFILLED, None)


def test_overdue_escalates_to_top_of_queue(people, street):
    urgent = make_need(people.worker_a, street.building_a1, medical_emergency=True)
    late = make_need(people.worker_a, street.building_a1, category="door_sensor")
    Need.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - datetime.timedelta(hours=1))
    assert list(selectors.need_list(actor=people.worker_a))[0] == urgent
    call_command("escalate_overdue")
    late.refresh_from_db()
    assert late.escalated_at is not None
    assert list(selectors.need_list(actor=people.worker_a))[0] == late
    assert services.needs_escalate_overdue() == 0  # once
    assert list(selectors.need_list(actor=people.worker_a, escalated=True)) == [late]
    assert ActionLog.objects.filter(action="needs.need.escalated").count() == 1


def test_celery_task_escalates(people, street):
    from wushe.needs.tasks import escalate_overdue

    need = make_need(people.worker_a, street.building_a1)
    Need.objects.filter(pk=need.pk).update(sla_due_at=timezone.now() - datetime.timedelta(hours=1))
    assert escalate_overdue.delay().get() == 1


def test_callback_queue_and_verify(people, street):
    need = make_need(None, street.building_a1, channel="web_form")
    assert need.last_verified_at is None
    assert list(selectors.need_list(actor=people.worker_a, callback=True)) == [need]
    services.need_verify(actor=people.worker_a, need=need)
    assert list(selectors.need_list(actor=people.worker_a, callback=True)) == []
    Need.objects.filter(pk=need.pk).update(
        last_verified_at=timezone.now() - datetime.timedelta(days=4)
    )
    assert list(selectors.need_list(actor=people.worker_a, callback=True)) == [need]


def test_offer_link_signed_expiring_single(people, street, vol):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    token = offers.offer_token(a)
    assert offers.assignment_from_token(token) == a
    with pytest.raises(ApplicationError):
        offers.assignment_from_token(token + "x")
    with pytest.raises(ApplicationError):
        offers.assignment_from_token(token, max_age=-1)
    assert TaskAssignment.objects.count() == 1


def test_scoping_of_lists(people, street, vol):
    a = make_need(people.worker_a, street.building_a1)
    b = make_need(people.worker_b, street.building_b1)
    assert list(selectors.need_list(actor=people.worker_a)) == [a]
    assert set(selectors.need_list(actor=people.command)) == {a, b}
    assert list(selectors.need_list(actor=vol)) == []
    assert list(selectors.need_list(actor=people.district)) != []


def test_old_idempotency_keys_pruned(people):
    from wushe.needs.models import IdempotencyKey
    from wushe.needs.tasks import prune_idempotency_keys

    old = IdempotencyKey.objects.create(user=people.worker_a, key="a", scope="s", body_hash="h")
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    IdempotencyKey.objects.create(user=people.worker_a, key="b", scope="s", body_hash="h")
    assert prune_idempotency_keys.delay().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["b"]


def test_tracking_codes_use_every_symbol_of_the_alphabet_evenly(monkeypatch):
    from collections import Counter

    from wushe.needs import services

    # Every byte value once, eight per code: each of the 32 symbols must come exactly 8 times
    # (a byte modulo a length that does not divide 256 would not give every symbol alike).
    chunks = iter([bytes(range(256))[i : i + 8] for i in range(0, 256, 8)])
    monkeypatch.setattr(services.secrets, "token_bytes", lambda n: next(chunks))
    codes = [services._tracking_code() for _ in range(32)]
    assert {len(c) for c in codes} == {8}
    assert Counter("".join(codes)) == dict.fromkeys(services._CODE_ALPHABET, 8)

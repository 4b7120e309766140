"""The request output written out by hand (``NeedOutput.to_representation``) is exactly what
DRF's generic serializer makes of the declared fields: same keys in the same order, same
values, for every role's masking, tasks, merges, escalation and dates."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from tests.needs.factories_needs import make_need, make_volunteer
from tests.residents.factories_residents import HouseholdFactory, ResidentFactory
from wushe.core.privacy import PrivacyContext
from wushe.needs import api, selectors, services
from wushe.needs.models import Need


def _request(user):
    request = APIRequestFactory().get("/")
    request.user = user
    return request


def _generic(serializer: serializers.Serializer, need: Need) -> dict:
    return dict(serializers.Serializer.to_representation(serializer, need))


def _needs(people, street) -> list[Need]:
    worker = people.worker_a
    plain = make_need(worker, street.building_a1)
    resident = ResidentFactory(
        area=street.building_a1, household=HouseholdFactory(building=street.building_a1)
    )
    soon = timezone.now() + datetime.timedelta(hours=20)
    rich = make_need(
        worker,
        street.building_a1,
        resident=resident,
        caller_name="",
        caller_phone="",
        address="",
        category="escort",
        treatment_at=soon,
        deadline=soon + datetime.timedelta(hours=1),
        medical_emergency=True,
        days_medicine_left=0,
        days_food_left=3,
    )
    services.task_create(actor=worker, need=rich)
    task = services.task_create(actor=worker, need=rich, role="driver")
    services.task_offer(actor=worker, task=task, volunteer=make_volunteer("v9", street.community_a))
    dup = make_need(worker, street.building_a1)
    services.need_merge(actor=worker, need=dup, into=plain)
    late = make_need(worker, street.building_a1, category="medicine")
    services.needs_escalate_overdue(now=timezone.now() + datetime.timedelta(days=3))
    ids = [plain.pk, rich.pk, dup.pk, late.pk]
    return list(selectors._need_base().filter(pk__in=ids).order_by("pk"))


@pytest.mark.parametrize("role", ["worker_a", "command", "social", "district", "admin"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_output_equals_drf_generic_output(people, street, role, language):
    user = getattr(people, role)
    needs = _needs(people, street)
    with translation.override(language):
        for need in needs:
            for extra in ({}, {"privacy_context": PrivacyContext(assigned_active=True)}):
                s = api.NeedOutput(context={"request": _request(user), **extra})
                fast, generic = s.to_representation(need), _generic(s, need)
                assert list(fast) == list(generic)
                assert fast == generic


def test_dates_follow_the_time_zone_active_when_each_output_is_made(people, street):
    need = make_need(people.worker_a, street.building_a1)
    for zone in ("Asia/Shanghai", "UTC", "America/New_York", "Asia/Shanghai"):
        with timezone.override(zone):
            s = api.NeedCreated(context={"request": _request(people.worker_a)})
            fast, generic = s.to_representation(need), _generic(s, need)
            assert fast == generic
            assert fast["created_at"] == timezone.localtime(need.created_at).isoformat().replace(
                "+00:00", "Z"
            )


def test_output_masks_and_hides_like_masked_field(people, street):
    need = make_need(people.worker_a, street.building_a1)
    out = api.NeedOutput(need, context={"request": _request(people.district)}).data
    assert out["address"] is None  # hidden for this role
    assert out["caller_phone"] != "13812345678" and out["caller_phone"].endswith("5678")
    out = api.NeedOutput(need, context={"request": _request(people.worker_a)}).data
    assert out["caller_phone"] == "13812345678" and out["address"] == "一村1号楼101"


def test_created_output_and_merge_candidates_equal_drf_generic(people, street):
    worker = people.worker_a
    first = make_need(worker, street.building_a1)
    second = make_need(worker, street.building_a1)
    need = make_need(worker, street.building_a1)
    s = api.NeedCreated(context={"request": _request(worker)})
    fast = s.to_representation(need)
    generic = _generic(s, need)
    assert list(fast) == list(generic) and fast == generic
    assert [c["id"] for c in fast["merge_candidates"]] == [second.pk, first.pk]
    rows = selectors.need_merge_candidates(need, worker).order_by("-id")[:5]
    assert fast["merge_candidates"] == api.MergeCandidate(rows, many=True).data


def test_list_output_equals_generic_and_builds_task_fields_once(people, street, monkeypatch):
    needs = _needs(people, street)
    services.task_create(actor=people.worker_a, need=needs[0])  # two requests with tasks
    needs = list(selectors._need_base().filter(pk__in=[n.pk for n in needs]).order_by("pk"))
    context = {"request": _request(people.worker_a)}
    built = []
    real = api.TaskBrief.get_fields
    monkeypatch.setattr(api.TaskBrief, "get_fields", lambda self: built.append(1) or real(self))
    listed = api.NeedOutput(needs, many=True, context=context).data
    assert len(built) == 1  # one task serializer for the whole list, as DRF's own output
    assert [dict(x) for x in listed] == [
        _generic(api.NeedOutput(context=context), need) for need in needs
    ]
    assert sum(bool(x["tasks"]) for x in listed) == 2

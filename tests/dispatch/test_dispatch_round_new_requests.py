"""A request just taken in has no task yet; a dispatch round still routes it (it gets one, as a
bulk assign gives one), and leaves alone requests that have tasks, closed ones and other areas."""

from __future__ import annotations

import pytest

from tests.needs.factories_needs import make_need, make_volunteer
from wushe.dispatch import services
from wushe.dispatch.models import DispatchRound
from wushe.needs import services as needs_services
from wushe.needs.models import Task
from wushe.volunteers.models import VolunteerProfile

pytestmark = pytest.mark.slow  # the round runs the engine


def test_a_round_routes_requests_that_have_no_task_yet(people, street):
    vol = make_volunteer("runner", street.building_a1, ["delivery"])
    VolunteerProfile.objects.filter(user=vol).update(on_shift=True)
    fresh = make_need(people.worker_a, street.building_a1)  # taken in: no task
    tasked = make_need(people.worker_a, street.building_a2)
    needs_services.task_create(actor=people.worker_a, need=tasked)
    closed = make_need(people.worker_a, street.building_a1)
    needs_services.need_close(actor=people.worker_a, need=closed, outcome="not_needed")
    elsewhere = make_need(people.worker_b, street.building_b1)

    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )

    assert rnd.status == DispatchRound.Status.PROPOSED
    assert Task.objects.filter(need=fresh).count() == 1
    assert Task.objects.filter(need=tasked).count() == 1
    assert not Task.objects.filter(need__in=[closed, elsewhere]).exists()
    snapshot = {int(t["id"][1:]) for t in rnd.instance["tasks"]}
    assert snapshot == set(
        Task.objects.filter(need__in=[fresh, tasked]).values_list("pk", flat=True)
    )
    assert rnd.score_assigned == 2

"""Two rounds starting at once over the same street give a request without a task one task,
not one each (both would route it and send two volunteers to the same door). Real concurrent
writers: PostgreSQL only."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.needs.factories_needs import make_need
from tests.races import POSTGRES_RACE, run_at_once
from wushe.dispatch import services
from wushe.needs.models import Task

RACERS = 4

pytestmark = POSTGRES_RACE


@pytest.mark.django_db(transaction=True)
def test_rounds_starting_at_once_give_a_request_one_task(people, street):
    needs = [make_need(people.worker_a, street.building_a1) for _ in range(3)]

    def start(area):
        with transaction.atomic():
            services._give_requests_a_task(actor=people.command, area=area)

    areas = [street.street, street.community_a] * (RACERS // 2)
    results = run_at_once([lambda a=a: start(a) for a in areas])
    assert results == [None] * RACERS
    for need in needs:
        assert Task.objects.filter(need=need).count() == 1

"""An accept that comes just after the offer lapsed says so (not "declined")."""

from __future__ import annotations

import pytest

from tests.needs.factories_needs import make_need, make_volunteer
from wushe.core.errors import ApplicationError
from wushe.needs import errors, services
from wushe.needs.models import TaskAssignment


def test_an_accept_after_a_lapse_says_the_offer_lapsed(people, street):
    task = services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    ann = make_volunteer("ann", street.community_a)
    ben = make_volunteer("ben", street.community_a)
    late = services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    said_no = services.task_offer(actor=people.worker_a, task=task, volunteer=ben)
    assert services.assignment_lapse(assignment=late, reason="no answer") is not None
    services.assignment_decline(actor=ben, assignment=said_no, reason="busy")

    with pytest.raises(ApplicationError) as exc:
        services.assignment_accept(actor=ann, assignment=late)
    assert exc.value.message == errors.OFFER_LAPSED
    # A volunteer's own decline is still said as before.
    with pytest.raises(ApplicationError) as exc:
        services.assignment_accept(actor=ben, assignment=said_no)
    assert exc.value.message != errors.OFFER_LAPSED
    assert TaskAssignment.objects.get(pk=late.pk).lapsed is True
    assert TaskAssignment.objects.get(pk=said_no.pk).lapsed is False

"""Demo: a day of requests across the demo street, triaged, some assigned; idempotent."""

import io
import random

import pytest

from wushe.accounts.models import User
from wushe.core.demo_runner import DemoContext
from wushe.needs.models import Need, TaskAssignment
from wushe.volunteers.models import VolunteerProfile


@pytest.mark.slow
def test_demo_requests_and_volunteers_idempotent(db):
    from wushe.accounts import demo as accounts_demo
    from wushe.areas import demo as areas_demo
    from wushe.needs import demo
    from wushe.residents import demo as residents_demo
    from wushe.volunteers import demo as volunteers_demo

    def run():
        context = DemoContext(rng=random.Random(2022), out=io.StringIO())
        for module in (areas_demo, accounts_demo, residents_demo, volunteers_demo, demo):
            module.build(context)
        return context

    run()
    count = Need.objects.count()
    assert count == demo.COUNT
    assert VolunteerProfile.objects.count() == 13
    assert Need.objects.filter(priority__gte=1_000_000).exists()
    assert Need.objects.filter(status="done").exists()
    assert len({n.category for n in Need.objects.all()}) >= 6
    # The README's "volunteer" has offers to answer and a task to finish, not an empty page.
    mine = TaskAssignment.objects.filter(volunteer=User.objects.get(username="volunteer"))
    states = sorted(
        mine.filter(task__status__in=["offered", "accepted"]).values_list("state", flat=True)
    )
    assert states == ["accepted", "offered", "offered"]
    run()
    assert Need.objects.count() == count
    assert VolunteerProfile.objects.count() == 13
    assert (
        mine.count() == len(states) + mine.exclude(task__status__in=["offered", "accepted"]).count()
    )

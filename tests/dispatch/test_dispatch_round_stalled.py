"""A round whose solve's worker died does not wait for ever: when the periodic task fails the
stalled job, the round fails with the job's reason, so the dispatcher can start another."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.needs.factories_needs import make_need, make_volunteer
from wushe.core.jobs import STALLED, job_fail_stale
from wushe.core.models import Job
from wushe.dispatch import services
from wushe.dispatch.models import DispatchRound

S = DispatchRound.Status


def test_a_round_whose_job_stalled_fails_with_it(people, street, settings):
    settings.WUSHE_JOB_STALE_AFTER_S = 600
    make_volunteer("v1", street.community_a)
    make_need(people.worker_a, street.building_a1)
    rnd = services.dispatch_round_start(actor=people.command, area=street.street, time_limit_s=1)
    # As if the worker had died mid-solve a quarter of an hour ago.
    DispatchRound.objects.filter(pk=rnd.pk).update(status=S.SOLVING, solution=None)
    Job.objects.filter(pk=rnd.job_id).update(
        status=Job.Status.RUNNING, updated_at=timezone.now() - datetime.timedelta(minutes=15)
    )
    other = services.dispatch_round_start(actor=people.command, area=street.street, time_limit_s=1)
    DispatchRound.objects.filter(pk=other.pk).update(status=S.SOLVING)  # its job is fresh

    assert job_fail_stale() == 1
    rnd.refresh_from_db()
    other.refresh_from_db()
    assert rnd.status == S.FAILED and rnd.error == str(STALLED)
    assert other.status == S.SOLVING  # a round whose job is alive keeps waiting

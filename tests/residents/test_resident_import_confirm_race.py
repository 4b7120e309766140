"""A double tap on "confirm" (two requests at once) starts one import: the preview's sheet is
claimed by one conditional UPDATE."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.races import POSTGRES_RACE, run_at_once
from wushe.core import jobs
from wushe.core.errors import ApplicationError
from wushe.core.jobs import job_create, job_preview_apply
from wushe.core.models import Job

pytestmark = POSTGRES_RACE


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_start_one_job(people, street, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    preview = job_create(
        actor=people.worker_a,
        kind="residents.import",
        upload=SimpleUploadedFile("s.csv", "姓名\n张三\n".encode()),
        params={"dry_run": True},
        area_path=street.community_a.path,
    )
    Job.objects.filter(pk=preview.pk).update(status=Job.Status.DONE)

    def confirm():
        fresh = Job.objects.get(pk=preview.pk)
        return job_preview_apply(
            actor=people.worker_a, preview=fresh, task=None, work=lambda job, progress: {}
        )

    results = run_at_once([confirm, confirm])
    started = [r for r in results if isinstance(r, Job)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(started) == 1 and len(refused) == 1, results
    assert refused[0].message == jobs.PREVIEW_TAKEN
    assert Job.objects.filter(params__dry_run=False).count() == 1

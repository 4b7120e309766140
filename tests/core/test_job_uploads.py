"""A finished job's upload (a preview's sheet waiting to be confirmed) is deleted after a day."""

import datetime
from io import StringIO
from pathlib import Path

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from wushe.core.jobs import job_create
from wushe.core.models import Job


def _finished_job(actor, hours_ago):
    upload = SimpleUploadedFile("sheet.csv", "姓名,身份证号\n张三,310115194105061234\n".encode())
    job = job_create(actor=actor, kind="residents.import", upload=upload, params={"dry_run": True})
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        finished_at=timezone.now() - datetime.timedelta(hours=hours_ago),
    )
    return job


def test_prune_deletes_uploads_of_jobs_finished_over_a_day_ago(people, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    old = _finished_job(people.worker_a, hours_ago=25)
    recent = _finished_job(people.worker_a, hours_ago=2)
    old_file = Path(old.upload.path)
    assert old_file.exists()
    out = StringIO()
    call_command("prune_job_uploads", stdout=out)
    assert "1 upload(s) deleted" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.upload and not old_file.exists()
    assert recent.upload and Path(recent.upload.path).exists()


def test_prune_runs_periodically():
    from wushe.core.tasks import prune_job_uploads

    schedule = django_settings.CELERY_BEAT_SCHEDULE["core.prune_job_uploads"]
    assert schedule["task"] == prune_job_uploads.name

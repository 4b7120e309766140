"""A job whose worker died (its progress stopped) does not stay "running" for ever: a
redelivery takes it over, the periodic task fails it and deletes its sheet, and its page stops
refreshing and says to upload again."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import login
from wushe.core.jobs import (
    NEVER_STARTED,
    STALLED,
    job_create,
    job_fail_stale,
    job_is_stalled,
    job_run,
)
from wushe.core.models import ActionLog, Job


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WUSHE_JOB_STALE_AFTER_S = 600


def _job(actor, *, status, minutes_ago, area=None, kind="residents.import"):
    upload = SimpleUploadedFile("sheet.csv", "姓名,身份证号\n张三,310115194105061234\n".encode())
    job = job_create(
        actor=actor,
        kind=kind,
        upload=upload,
        params={"dry_run": False},
        area_path=area.path if area else "",
    )
    Job.objects.filter(pk=job.pk).update(
        status=status, updated_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    job.refresh_from_db()
    return job


def _work(calls):
    def work(job, progress):
        calls.append(job.pk)
        progress(1)
        return {"rows": 1}

    return work


def test_redelivery_takes_over_a_stalled_running_job(people):
    stalled = _job(people.worker_a, status=Job.Status.RUNNING, minutes_ago=11)
    calls = []
    assert job_run(stalled.pk, _work(calls)).status == Job.Status.DONE
    assert calls == [stalled.pk]


def test_redelivery_leaves_a_job_that_is_still_moving_to_its_worker(people):
    moving = _job(people.worker_a, status=Job.Status.RUNNING, minutes_ago=9)
    calls = []
    assert job_run(moving.pk, _work(calls)).status == Job.Status.RUNNING
    assert calls == []


def _created(job, *, minutes_ago):
    Job.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    job.refresh_from_db()
    return job


def test_stalled_jobs_are_failed_and_their_sheets_deleted(people):
    running = _job(people.worker_a, status=Job.Status.RUNNING, minutes_ago=11)
    lost = _created(
        _job(people.worker_a, status=Job.Status.PENDING, minutes_ago=25 * 60), minutes_ago=25 * 60
    )
    moving = _job(people.worker_a, status=Job.Status.RUNNING, minutes_ago=1)
    done = _job(people.worker_a, status=Job.Status.DONE, minutes_ago=60)
    files = {job.pk: Path(job.upload.path) for job in (running, lost, moving, done)}

    assert job_fail_stale() == 2

    for job, error in ((running, STALLED), (lost, NEVER_STARTED)):
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and job.error == str(error)
        assert job.finished_at is not None
        assert not job.upload and not files[job.pk].exists()
    for job, status in ((moving, Job.Status.RUNNING), (done, Job.Status.DONE)):
        job.refresh_from_db()
        assert job.status == status and job.upload and files[job.pk].exists()
    assert ActionLog.objects.filter(action="core.job.stalled").count() == 2
    # A late redelivery of a failed job does nothing.
    calls = []
    assert job_run(running.pk, _work(calls)).status == Job.Status.FAILED and calls == []


def test_the_prune_command_fails_stalled_jobs_too(people):
    stalled = _job(people.worker_a, status=Job.Status.RUNNING, minutes_ago=11)
    out = StringIO()
    call_command("prune_job_uploads", stdout=out)
    assert "1 stalled job(s) failed" in out.getvalue()
    stalled.refresh_from_db()
    assert stalled.status == Job.Status.FAILED and not stalled.upload


def test_stalled_jobs_are_failed_periodically():
    from wushe.core.tasks import fail_stale_jobs

    schedule = django_settings.CELERY_BEAT_SCHEDULE["core.fail_stale_jobs"]
    assert schedule["task"] == fail_stale_jobs.name


@pytest.mark.parametrize(
    ("page", "kind"),
    [("/jobs/{pk}/", "areas.import"), ("/residents/import/{pk}/", "residents.import")],
)
def test_the_page_of_a_stalled_job_stops_refreshing_and_says_what_to_do(
    client, people, street, page, kind
):
    login(client, people.worker_a)
    area = street.community_a
    moving = _job(people.worker_a, status=Job.Status.RUNNING, minutes_ago=1, area=area, kind=kind)
    html = client.get(page.format(pk=moving.pk)).content.decode()
    assert 'http-equiv="refresh"' in html

    stalled = _job(people.worker_a, status=Job.Status.RUNNING, minutes_ago=11, area=area, kind=kind)
    html = client.get(page.format(pk=stalled.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "upload the file again" in html


def test_a_job_queued_behind_a_long_import_is_waiting_not_stalled(client, people, street):
    """Pending for an hour (longer than the heartbeat timeout): not failed, its sheet kept,
    its page still waiting, and a worker that gets to it then runs it."""
    queued = _created(
        _job(
            people.worker_a,
            status=Job.Status.PENDING,
            minutes_ago=60,
            area=street.community_a,
            kind="areas.import",
        ),
        minutes_ago=60,
    )
    assert not job_is_stalled(queued)
    assert job_fail_stale() == 0
    queued.refresh_from_db()
    assert queued.status == Job.Status.PENDING and Path(queued.upload.path).exists()
    login(client, people.worker_a)
    html = client.get(f"/jobs/{queued.pk}/").content.decode()
    assert 'http-equiv="refresh"' in html

    calls = []
    assert job_run(queued.pk, _work(calls)).status == Job.Status.DONE
    assert calls == [queued.pk]


def test_a_slow_worker_does_not_undo_the_failure_of_its_stalled_job(people):
    """The worker was alive but silent past the timeout: the periodic task failed the job and
    deleted its sheet; when the worker then finishes, the job stays failed."""
    job = _job(people.worker_a, status=Job.Status.PENDING, minutes_ago=0)
    sheet = Path(job.upload.path)

    def slow(job, progress):
        Job.objects.filter(pk=job.pk).update(
            updated_at=timezone.now() - datetime.timedelta(minutes=11)
        )
        assert job_fail_stale() == 1
        return {"rows": 1}

    ran = job_run(job.pk, slow)
    assert ran.status == Job.Status.FAILED and ran.error == str(STALLED)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == str(STALLED) and job.result == {}
    assert not job.upload and not sheet.exists()

"""Periodic work of core (Celery beat): fail the jobs whose worker died, forget the uploads of
finished jobs."""

from celery import shared_task

from wushe.core.jobs import job_fail_stale, job_uploads_prune


@shared_task(name="core.prune_job_uploads")
def prune_job_uploads() -> int:
    return job_uploads_prune()


@shared_task(name="core.fail_stale_jobs")
def fail_stale_jobs() -> int:
    return job_fail_stale()

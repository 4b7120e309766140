"""Periodic work of core: forget the uploads of finished jobs (Celery beat)."""

from celery import shared_task

from wushe.core.jobs import job_uploads_prune


@shared_task(name="core.prune_job_uploads")
def prune_job_uploads() -> int:
    return job_uploads_prune()

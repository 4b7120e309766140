"""Background jobs of the areas app: importing a large file."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from wushe.areas.services import area_import_file
from wushe.core.jobs import job_run
from wushe.core.models import Job

JOB_KIND = "areas.import"


def _import(job: Job, progress: Any) -> dict[str, Any]:
    with job.upload.open("rb") as handle:
        report = area_import_file(
            actor=job.created_by,
            source=handle,
            filename=job.original_name,
            dry_run=bool(job.params.get("dry_run")),
            progress=progress,
        )
    return report.as_dict()


@shared_task(name="areas.import_file")
def import_areas_job(job_id: int) -> None:
    job_run(job_id, _import)

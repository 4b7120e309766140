"""Background jobs of the residents app: a canvass import (preview or commit)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from wushe.areas.models import Area
from wushe.core.jobs import job_run
from wushe.core.models import Job
from wushe.residents.services import Basis, import_workers, resident_import_file

JOB_KIND = "residents.import"


def import_work(job: Job, progress: Any) -> dict[str, Any]:
    params = job.params
    area = Area.objects.get(code=params["area"])
    basis = Basis(
        legal_basis=params.get("legal_basis") or Basis().legal_basis,
        consent_purpose=params.get("consent_purpose", ""),
        consent_version=params.get("consent_version", ""),
    )
    with job.upload.open("rb") as handle:
        report = resident_import_file(
            actor=job.created_by,
            source=handle,
            filename=job.original_name,
            area=area,
            dry_run=bool(params.get("dry_run")),
            basis=basis,
            progress=progress,
            workers=import_workers(job.upload.size),
        )
    return report.as_dict()


@shared_task(name="residents.import_file")
def import_residents_job(job_id: int) -> None:
    job_run(job_id, import_work)

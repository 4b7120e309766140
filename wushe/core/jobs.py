"""Background jobs: create one, run its work with progress, record the result or the error.

The work function receives the job and a ``progress(done)`` callback and returns a dict that
becomes ``job.result``. Errors that users can act on (ApplicationError) are kept as the job's
error message; anything else is logged and shown as an internal error.

A running job's progress updates are its heartbeat: one that has not moved for
``WUSHE_JOB_STALE_AFTER_S`` has lost its worker. A redelivery of its task may take it over,
and ``job_fail_stale`` (periodic) fails it and deletes its upload. A pending job has no
heartbeat: it waits for a worker, however long the imports queued before it take, and only
expires after ``PENDING_EXPIRE`` (a day: its task was lost, and its upload, personal data,
should not wait on disk for good).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from wushe.core.models import Job

logger = logging.getLogger(__name__)

INTERNAL_ERROR = _("The job failed because of an internal error; it has been logged.")
STALLED = _(
    "The job stopped without finishing: the server working on it was interrupted. Nothing more "
    "will happen to it; upload the file again to start over."
)
NEVER_STARTED = _(
    "The job waited a day without a server starting it, so it was given up. Nothing more will "
    "happen to it; upload the file again to start over."
)
PREVIEW_NOT_YOURS = _("Only the person who uploaded this file can confirm its import.")
PREVIEW_NOT_DONE = _("The preview has not finished yet: wait until it is done, then confirm it.")
PREVIEW_FAILED = _(
    "The preview failed, so there is nothing to confirm: fix the file and upload it again."
)
PREVIEW_TAKEN = _(
    "This preview has already been confirmed, or its file was deleted after a day: see the "
    "import it started, or upload the file again."
)
ACTIVE = (Job.Status.PENDING, Job.Status.RUNNING)
# A job still pending this long after it was created will not be started: its task was lost.
PENDING_EXPIRE = datetime.timedelta(days=1)

Work = Callable[[Job, Callable[[int], None]], dict[str, Any]]

# Job kinds whose result is a page of their own app (kind -> the job's page there), so the
# generic job page sends the reader to it rather than showing an import report; and the role
# permission that page needs, which the jobs API asks for too.
JOB_PAGES: dict[str, Callable[[Job], str | None]] = {}
JOB_PERMISSIONS: dict[str, str] = {}
# What an app does when one of its jobs is failed for having stalled (e.g. a dispatch round
# waiting on its solve stops waiting), called inside the transaction that fails the job.
JOB_ON_STALLED: dict[str, Callable[[Job], None]] = {}


def register_job_page(
    kind: str,
    url_of: Callable[[Job], str | None],
    *,
    permission: str | None = None,
    on_stalled: Callable[[Job], None] | None = None,
) -> None:
    JOB_PAGES[kind] = url_of
    if permission:
        JOB_PERMISSIONS[kind] = permission
    if on_stalled:
        JOB_ON_STALLED[kind] = on_stalled


def job_page(job: Job) -> str | None:
    """The URL of the page that shows what this job works on, when its app registered one."""
    url_of = JOB_PAGES.get(job.kind)
    return url_of(job) if url_of is not None else None


def job_create(
    *,
    actor: Any,
    kind: str,
    upload: UploadedFile | None = None,
    params: dict[str, Any] | None = None,
    area_path: str = "",
) -> Job:
    job = Job(kind=kind, created_by=actor, params=params or {}, area_path=area_path)
    if upload is not None:
        job.original_name = upload.name or ""
        job.upload.save(upload.name or "upload", upload, save=False)
    with transaction.atomic():
        job.save()
        log_action(f"core.job.created.{kind}", actor=actor, obj=job, area_path=area_path)
    return job


def _stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.WUSHE_JOB_STALE_AFTER_S)


def _stale() -> Q:
    """The active jobs to give up: running ones whose heartbeat stopped, pending ones that
    were never started within ``PENDING_EXPIRE``."""
    return Q(status=Job.Status.RUNNING, updated_at__lt=_stale_before()) | Q(
        status=Job.Status.PENDING, created_at__lt=timezone.now() - PENDING_EXPIRE
    )


def _stale_error(status: str) -> str:
    return str(NEVER_STARTED if status == Job.Status.PENDING else STALLED)


def job_is_stalled(job: Job) -> bool:
    """Whether a running job has not moved for longer than the timeout, or a pending one was
    never started (a pending job queued behind others is waiting, not stalled)."""
    if job.status == Job.Status.RUNNING:
        return job.updated_at < _stale_before()
    return job.status == Job.Status.PENDING and job.created_at < timezone.now() - PENDING_EXPIRE


def job_shown_status(job: Job) -> tuple[str, str]:
    """The status and error to show for ``job``: a stalled job reads as failed, with what to
    do, even before ``job_fail_stale`` has marked it."""
    if job_is_stalled(job):
        return Job.Status.FAILED, _stale_error(job.status)
    return job.status, job.error


def job_run(job_id: int, work: Work) -> Job:
    """Run ``work`` for the job, moving it pending → running → done | failed."""
    # A job already running belongs to the delivery that claimed it (acks_late delivers
    # twice), unless it stalled: then its worker died and this redelivery takes it over.
    claimable = Q(status=Job.Status.PENDING) | Q(
        status=Job.Status.RUNNING, updated_at__lt=_stale_before()
    )
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        status=Job.Status.RUNNING, progress_done=0, updated_at=timezone.now()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job

    def progress(done: int) -> None:
        Job.objects.filter(pk=job.pk).update(progress_done=done, updated_at=timezone.now())

    try:
        result = work(job, progress)
    except ApplicationError as exc:
        job.status, job.error = Job.Status.FAILED, str(exc.message)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.error = Job.Status.FAILED, str(INTERNAL_ERROR)
    else:
        job.status, job.result = Job.Status.DONE, result
        job.progress_done = int(result.get("rows", job.progress_done))
    job.finished_at = timezone.now()
    # Conditional: a slow worker whose job was meanwhile failed as stalled (and its upload
    # deleted) leaves it failed rather than turning it back to done.
    written = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=job.status,
        error=job.error,
        result=job.result,
        progress_done=job.progress_done,
        finished_at=job.finished_at,
        updated_at=job.finished_at,
    )
    if not written:
        logger.warning("job %s (%s) finished after it was failed as stalled", job.pk, job.kind)
        return Job.objects.get(pk=job.pk)
    if job.upload and (job.status == Job.Status.FAILED or not job.params.get("dry_run")):
        # Uploaded sheets hold personal data: keep them no longer than the job needs them
        # (a preview that worked keeps its file so that the same file can then be applied;
        # one that failed cannot be applied).
        job.upload.delete(save=True)
    return job


# A finished job's upload (a preview's sheet, waiting to be confirmed) is kept this long.
UPLOAD_KEEP = datetime.timedelta(days=1)


def job_uploads_prune(*, older_than: datetime.timedelta = UPLOAD_KEEP) -> int:
    """Delete the uploads of jobs that finished more than ``older_than`` ago; how many.

    A preview that is never confirmed would otherwise keep the residents' sheet (whole ID
    numbers and phones, unencrypted) on disk for good."""
    cutoff = timezone.now() - older_than
    count = 0
    for job in Job.objects.filter(finished_at__lt=cutoff).exclude(upload=""):
        job.upload.delete(save=True)
        count += 1
    return count


def job_fail_stale() -> int:
    """Fail the running jobs that stalled (their worker died) and the pending ones never
    started (see ``PENDING_EXPIRE``), and delete their uploads; how many."""
    count = 0
    for job in Job.objects.filter(_stale()).only("pk", "status"):
        now = timezone.now()
        with transaction.atomic():
            # Conditional: a job that made progress (or started) since the query is left alone.
            failed = Job.objects.filter(_stale(), pk=job.pk, status=job.status).update(
                status=Job.Status.FAILED,
                error=_stale_error(job.status),
                finished_at=now,
                updated_at=now,
            )
            if not failed:
                continue
            job = Job.objects.get(pk=job.pk)
            if job.kind in JOB_ON_STALLED:
                JOB_ON_STALLED[job.kind](job)
            log_action(
                "core.job.stalled",
                actor=None,
                obj=job,
                area_path=job.area_path,
                data={"kind": job.kind},
            )
        if job.upload:
            job.upload.delete(save=True)
        count += 1
    return count


def _preview_take(*, actor: Any, preview: Job) -> ContentFile:
    if not preview.params.get("dry_run"):
        raise NotFoundError()
    if preview.created_by_id != actor.pk:
        raise PermissionDeniedError(PREVIEW_NOT_YOURS)
    if preview.status in ACTIVE:
        raise ApplicationError(PREVIEW_NOT_DONE)
    if preview.status == Job.Status.FAILED:
        raise ApplicationError(PREVIEW_FAILED)
    name = preview.upload.name
    # The claim: one conditional UPDATE, so that of two confirmations at once (a double tap,
    # two tabs) exactly one takes the file.
    taken = 0
    if name:
        taken = Job.objects.filter(
            pk=preview.pk, status=Job.Status.DONE, created_by=actor, upload=name
        ).update(upload="", updated_at=timezone.now())
    if not taken:
        raise ApplicationError(PREVIEW_TAKEN)
    storage = preview.upload.storage
    with storage.open(name, "rb") as handle:
        content = ContentFile(handle.read(), name=preview.original_name or "upload")
    # The preview's copy of the sheet is no longer needed: personal data, kept no longer.
    storage.delete(name)
    return content


def job_preview_apply(*, actor: Any, preview: Job, task: Any, work: Work) -> Job:
    """Apply a finished preview (a job run with ``dry_run``): only the person who made it,
    only once it is done, and only once. Its file becomes a job of the same kind that writes,
    queued as ``task`` when large, else run now with ``work``."""
    content = _preview_take(actor=actor, preview=preview)
    job = job_create(
        actor=actor,
        kind=preview.kind,
        upload=content,  # type: ignore[arg-type]  # a File is all job_create reads
        params={**preview.params, "dry_run": False, "preview_job": preview.pk},
        area_path=preview.area_path,
    )
    if (content.size or 0) > settings.WUSHE_IMPORT_SYNC_MAX_BYTES:
        task.delay(job.pk)
        job.refresh_from_db()  # eager mode (no broker) has already run it
    else:
        job = job_run(job.pk, work)
    return job


def job_for_large_upload(
    *,
    actor: Any,
    kind: str,
    upload: UploadedFile,
    task: Any,
    params: dict[str, Any] | None = None,
    area_path: str = "",
) -> Job | None:
    """Queue ``task`` for an upload above ``WUSHE_IMPORT_SYNC_MAX_BYTES`` and return its job;
    ``None`` when the file is small enough to import within the request."""
    if (upload.size or 0) <= settings.WUSHE_IMPORT_SYNC_MAX_BYTES:
        return None
    job = job_create(actor=actor, kind=kind, upload=upload, params=params, area_path=area_path)
    task.delay(job.pk)
    job.refresh_from_db()  # eager mode (no broker) has already run it
    return job

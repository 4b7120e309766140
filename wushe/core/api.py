"""API plumbing shared by every app: the exception handler that maps application errors; the
progress and report of a background job (an import too large for its request)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from wushe.core.errors import ApplicationError
from wushe.core.jobs import job_shown_status
from wushe.core.models import Job
from wushe.core.selectors import job_get_readable


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    return drf_exception_handler(exc, context)


# The parts of a job's result that its page shows; the reasons are stored masked.
SUMMARY_KEYS = (
    "rows",
    "created",
    "updated",
    "unchanged",
    "skipped",
    "rejected",
    "skipped_rows",
    "warnings",
    "unknown_columns",
    "dry_run",
)


class JobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    # Not a ChoiceField: its enum would take the name "StatusEnum" from another app's.
    status = serializers.CharField(help_text="pending, running, done or failed")
    file_name = serializers.CharField(help_text="the uploaded file's name")
    progress_done = serializers.IntegerField(help_text="rows read so far")
    progress_total = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(help_text="why it failed, in words a user can act on")
    summary = serializers.DictField(
        allow_null=True,
        help_text="once done: an import's counts, rejected and skipped rows (row, reason; "
        "numbers in a reason masked), warnings, unknown columns and dry_run",
    )
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


def job_output(job: Job) -> dict[str, Any]:
    status, error = job_shown_status(job)
    summary = None
    if status == Job.Status.DONE:
        summary = {k: job.result[k] for k in SUMMARY_KEYS if k in job.result}
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": status,
        "file_name": job.original_name,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "error": error,
        "summary": summary,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


class JobViewSet(viewsets.GenericViewSet):
    """A background job started through the API (202 with its id): poll it until its status
    is ``done`` or ``failed``."""

    permission = None  # who may read it is decided per job, like its page: job_get_readable
    serializer_class = JobOutput

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="the job's id")],
        responses=JobOutput,
        description="Status, progress and, once done, the summary of a background job. Seen "
        "by who may open its page: the job is in their area (or they started it) and, for an "
        "import of residents, they may import residents; anyone else gets 404. A job whose "
        "worker stopped reads as failed.",
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(JobOutput(job_output(job_get_readable(request.user, pk))).data)

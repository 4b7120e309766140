"""Project-wide views: the health check and background-job progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wushe.core.errors import ApplicationError
from wushe.core.jobs import job_page, job_shown_status
from wushe.core.models import Job
from wushe.core.selectors import job_get_for


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        return False, exc.__class__.__name__
    return True, "ok"


def _broker_ok() -> tuple[bool, str]:
    from wushe.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    return True, "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, when one is configured) answers; else 503."""
    checks: dict[str, str] = {}
    healthy = True
    ok, detail = _database_ok()
    checks["database"] = detail
    healthy &= ok
    if settings.CELERY_BROKER_URL:
        ok, detail = _broker_ok()
        checks["broker"] = detail
        healthy &= ok
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


class JobDetailView(LoginRequiredMixin, View):
    """Progress of a background job; the page refreshes itself until the job ends."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            job = job_get_for(request.user, pk)
        except ApplicationError as exc:
            raise Http404(str(exc.message)) from exc
        target = job_page(job)
        if target:  # e.g. a dispatch round: its own page shows the job's progress and result
            return redirect(target)
        return render(request, "core/job_detail.html", {"job": job, **job_page_context(job)})


def job_page_context(job: Job) -> dict[str, Any]:
    """What a job's page shows of its state: a stalled job (its worker died) reads as failed
    and the page stops refreshing itself."""
    status, error = job_shown_status(job)
    return {
        "running": status in (Job.Status.PENDING, Job.Status.RUNNING),
        "status": status,
        "status_label": Job.Status(status).label,
        "error": error,
    }

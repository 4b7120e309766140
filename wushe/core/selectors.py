"""Reads of core records, scoped by the requesting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wushe.core.errors import NotFoundError
from wushe.core.jobs import JOB_PERMISSIONS
from wushe.core.models import ActionLog, Job
from wushe.core.permissions import user_may
from wushe.core.scoping import get_scoped, scoped


def job_get_for(actor: Any, pk: int) -> Job:
    return get_scoped(Job.objects.all(), actor, pk=pk)


def job_get_readable(actor: Any, pk: Any) -> Job:
    """A job whose progress and report ``actor`` may read, by the rules of its page: in their
    scope (or theirs), and with the role permission its kind's page needs (an import's report
    names rows and people); NotFoundError otherwise, like a missing job."""
    job = job_get_for(actor, pk)
    permission = JOB_PERMISSIONS.get(job.kind)
    if permission and not user_may(actor, permission):
        raise NotFoundError()
    return job


def action_log_list(*, actor: Any) -> QuerySet[ActionLog]:
    return scoped(ActionLog.objects.select_related("actor"), actor)

"""Reads of core records, scoped by the requesting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wushe.core.models import ActionLog, Job
from wushe.core.scoping import get_scoped, scoped


def job_get_for(actor: Any, pk: int) -> Job:
    return get_scoped(Job.objects.all(), actor, pk=pk)


def action_log_list(*, actor: Any) -> QuerySet[ActionLog]:
    return scoped(ActionLog.objects.select_related("actor"), actor)

"""Reads of the access log: supervisors only, within their scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wushe.core.errors import PermissionDeniedError
from wushe.core.models import AccessLog
from wushe.core.privacy.policy import may_read_access_log
from wushe.core.scoping import scoped


def access_log_list(
    *, actor: Any, object_type: str = "", object_id: str = "", user_id: int | None = None
) -> QuerySet[AccessLog]:
    """Access-log entries about records in the actor's scope, newest first.

    Raises PermissionDeniedError for roles that are not supervisors (see policy).
    """
    if not may_read_access_log(actor):
        raise PermissionDeniedError()
    qs = scoped(AccessLog.objects.select_related("actor"), actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if user_id is not None:
        qs = qs.filter(actor_id=user_id)
    return qs

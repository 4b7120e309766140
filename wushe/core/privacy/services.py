"""``reveal``: the full value for a role that may see it, written to the access log;
``log_access``: the log entries of a look at protected values that is no reveal (a search by a
whole number, whose hit confirms it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.models import AccessLog
from wushe.core.privacy.policy import PrivacyContext, role_of, rule_for
from wushe.core.privacy.presenting import kind_of
from wushe.core.scoping import scoped

REVEAL_NOT_ALLOWED = _("Your role may not see this value in full.")
REVEAL_REASON_REQUIRED = _("Say why you need to see this value in full.")


def scope_path_of(obj: models.Model) -> str:
    """The area path ``obj`` belongs to, following its model's ``scope_path_field``."""
    lookup = getattr(type(obj), "scope_path_field", None)
    if not lookup:
        return ""
    value: Any = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def reveal(
    actor: Any,
    obj: models.Model,
    field: str,
    *,
    reason: str,
    context: Any = None,
    kind: str | None = None,
) -> str:
    """The full value of ``obj.field``, if the actor's role may reveal it; logged with the reason.

    The actor must see ``obj`` through ``scoped()``, unless the caller passes
    ``context={"assigned_active": True}`` having checked that the record belongs to the
    actor's open task. Raises PermissionDeniedError (REVEAL_NOT_ALLOWED) otherwise.
    """
    ctx = PrivacyContext.of(context)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(REVEAL_REASON_REQUIRED, field="reason")
    role = role_of(actor)
    rule = rule_for(kind or kind_of(obj, field), role, context=ctx)
    if not rule.may_reveal:
        raise PermissionDeniedError(REVEAL_NOT_ALLOWED, field=field)
    if not ctx.assigned_active:
        visible = scoped(type(obj)._default_manager.filter(pk=obj.pk), actor).exists()
        if not visible:
            raise PermissionDeniedError(REVEAL_NOT_ALLOWED, field=field)
    log_access(actor, type(obj), [(obj.pk, scope_path_of(obj))], field=field, reason=reason)
    value = getattr(obj, field)
    return "" if value is None else str(value)


def log_access(
    actor: Any,
    model: type[models.Model],
    records: Iterable[tuple[Any, str]],
    *,
    field: str,
    reason: str,
) -> int:
    """Write one access-log entry per record of ``model``, given as (primary key, area path),
    that ``actor`` reached through ``field`` without a reveal; the number written."""
    role = role_of(actor) or ""
    actor_scope_path = getattr(actor, "scope_path", None) or ""
    entries = [
        AccessLog(
            actor=actor,
            actor_role=role,
            actor_scope_path=actor_scope_path,
            object_type=model._meta.label_lower,
            object_id=str(pk),
            field=field,
            reason=reason,
            area_path=area_path or "",
        )
        for pk, area_path in records
    ]
    AccessLog.objects.bulk_create(entries)
    return len(entries)

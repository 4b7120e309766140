"""Write the action log. Services call ``log_action`` for every change that matters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from wushe.core.models import ActionLog
from wushe.core.precompiled import PrecompiledInsert

INSERT = PrecompiledInsert(ActionLog)  # every change of every app writes one


def log_action(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    area_path: str = "",
    data: dict[str, Any] | None = None,
) -> ActionLog:
    """Record ``action`` (dotted, unique per kind of change, e.g. ``areas.area.moved``)."""
    return INSERT.insert(
        action_log_row(action, actor=actor, obj=obj, area_path=area_path, data=data)
    )


def action_log_row(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    area_path: str = "",
    data: dict[str, Any] | None = None,
) -> ActionLog:
    """The row ``log_action`` writes, not yet saved: for a service that writes it in one
    statement with its other rows (``INSERT`` with ``core.precompiled.insert_together``)."""
    # A command-line "system" actor (or an anonymous one) is logged as no user.
    actor_obj = actor if isinstance(actor, get_user_model()) else None
    return ActionLog(
        action=action,
        actor=actor_obj,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        area_path=area_path,
        data=data or {},
    )

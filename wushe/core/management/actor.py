"""Who a management command acts as: a named user, or the system (sees everything)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


class SystemActor:
    """The operator at the command line: unscoped, and logged as no user."""

    is_authenticated = True
    is_active = True
    sees_everything = True
    sees_assigned_only = False
    scope_path = None
    pk = None

    def has_role_permission(self, permission: str) -> bool:
        return True

    def __str__(self) -> str:
        return "system"


def command_actor(username: str | None) -> Any:
    if not username:
        return SystemActor()
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"no active user named {username!r}") from exc

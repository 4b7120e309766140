"""Role permissions for API views and pages: a view declares what it needs, one class checks.

Views set ``permission`` (needed to read), ``write_permission`` (needed for unsafe methods)
and, for viewset actions that need more, ``action_permissions`` (action name -> permission).
The user object answers ``has_role_permission(name)``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import AccessMixin
from rest_framework.permissions import SAFE_METHODS, BasePermission


def user_may(user: Any, permission: str | None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if permission is None:
        return True
    return bool(user.has_role_permission(permission))


class RolePermission(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        needed = getattr(view, "permission", None)
        if request.method not in SAFE_METHODS:
            needed = getattr(view, "write_permission", needed)
        action = getattr(view, "action", None)
        needed = getattr(view, "action_permissions", {}).get(action, needed)
        return user_may(request.user, needed)


class RolePermissionRequiredMixin(AccessMixin):
    """Page counterpart of ``RolePermission``: login first, then the role permission."""

    permission: str | None = None

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_may(request.user, self.permission):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]  # with a View

"""Writes to accounts: creating users and their API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from wushe.accounts import errors
from wushe.accounts.models import User
from wushe.accounts.roles import Role
from wushe.areas.models import Area
from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.scoping import path_in_scope


def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    scope_area: Area | None,
    display_name: str = "",
) -> User:
    """Create a user in the actor's scope; every role but system admin needs an area."""
    if role != Role.SYSTEM_ADMIN and scope_area is None:
        raise ApplicationError(
            errors.SCOPE_REQUIRED.format(role=Role(role).label), field="scope_area"
        )
    if actor is not None and not (
        getattr(actor, "sees_everything", False)
        or (scope_area is not None and path_in_scope(scope_area.path, actor))
    ):
        raise PermissionDeniedError(errors.SCOPE_OUTSIDE)
    if User.objects.filter(username=username).exists():
        raise ApplicationError(errors.USERNAME_TAKEN.format(username=username), field="username")
    user = User(username=username, role=role, scope_area=scope_area, display_name=display_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.is_staff = role == Role.SYSTEM_ADMIN
    with transaction.atomic():
        user.save()
        log_action(
            "accounts.user.created",
            actor=actor,
            obj=user,
            area_path=scope_area.path if scope_area else "",
            data={"username": username, "role": role},
        )
    return user


def token_for(*, username: str) -> str:
    """The API token of ``username``, created on first use (``wushe token USERNAME``)."""
    try:
        user = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist as exc:
        raise ApplicationError(errors.UNKNOWN_USER.format(username=username)) from exc
    token, created = Token.objects.get_or_create(user=user)
    if created:
        log_action(
            "accounts.token.created",
            actor=user,
            obj=user,
            area_path=user.scope_path or "",
        )
    return token.key

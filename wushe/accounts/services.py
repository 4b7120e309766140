"""Writes to accounts: creating users, and their API tokens (one per user: created,
rotated, revoked, and replaced once expired)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
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


def token_expired(token: Token) -> bool:
    """Whether ``token`` is older than ``WUSHE_API_TOKEN_MAX_AGE_DAYS`` (0: tokens never expire)."""
    days = settings.WUSHE_API_TOKEN_MAX_AGE_DAYS
    return bool(days) and token.created < timezone.now() - datetime.timedelta(days=days)


def _active_user(username: str) -> User:
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist as exc:
        raise ApplicationError(errors.UNKNOWN_USER.format(username=username)) from exc


def _token_create(user: User, action: str) -> str:
    token = Token.objects.create(user=user)
    log_action(action, actor=None, obj=user, area_path=user.scope_path or "")
    return token.key


def token_for(*, username: str) -> str:
    """The API token of ``username``, created on first use and replaced once expired
    (``wushe token USERNAME``)."""
    user = _active_user(username)
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and not token_expired(token):
            return token.key
        if token is not None:
            token.delete()
        return _token_create(user, "accounts.token.created")


def token_rotate(*, username: str) -> str:
    """A new API token for ``username``; the old one stops working at once
    (``wushe token USERNAME --rotate``)."""
    user = _active_user(username)
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return _token_create(user, "accounts.token.rotated")


def token_revoke(*, username: str) -> bool:
    """Delete the API token of ``username`` (active or not); whether there was one
    (``wushe token USERNAME --revoke``)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ApplicationError(errors.UNKNOWN_USER.format(username=username))
    return tokens_revoke_for(user=user, reason="revoked")


def tokens_revoke_for(*, user: User, reason: str) -> bool:
    """Delete ``user``'s API token, logged with ``reason`` when there was one."""
    with transaction.atomic():
        deleted, _ = Token.objects.filter(user=user).delete()
        if deleted:
            log_action(
                "accounts.token.revoked",
                actor=None,
                obj=user,
                area_path=user.scope_path or "",
                data={"reason": reason},
            )
    return bool(deleted)

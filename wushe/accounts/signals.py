"""An API token dies with the password it was issued under, and with the account.

Passwords change in several places wushe does not own (Django's password-change and reset
views, the admin's password form, ``wushe changepassword``), and accounts are deactivated in
the admin; every one of them saves the user, so the save is the one place to catch them all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import is_password_usable
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from wushe.accounts.models import User
from wushe.accounts.services import tokens_revoke_for


def _touches(update_fields: Any, *names: str) -> bool:
    return update_fields is None or bool(set(names) & set(update_fields))


@receiver(pre_save, sender=User, dispatch_uid="accounts.note_password_disabled")
def note_password_disabled(
    sender: type[User], instance: User, update_fields: Any, **kwargs: Any
) -> None:
    """Whether this save takes away a usable password (``set_unusable_password``): only then
    is the stored hash read, so an account kept without a password (a script's) keeps its
    token through other edits."""
    instance._wushe_password_disabled = False  # type: ignore[attr-defined]
    if instance.pk is None or instance.has_usable_password():
        return
    if not _touches(update_fields, "password"):
        return
    before = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._wushe_password_disabled = before is not None and is_password_usable(before)  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="accounts.revoke_tokens")
def revoke_tokens_on_credential_change(
    sender: type[User], instance: User, created: bool, update_fields: Any, **kwargs: Any
) -> None:
    if created or not _touches(update_fields, "password", "is_active"):
        return  # e.g. the last_login update at every sign-in
    # set_password() leaves the new raw password in ``_password`` until the save is done;
    # a hash upgrade at sign-in (same password, new hasher) clears it before saving.
    if instance._password is not None:  # type: ignore[attr-defined]
        tokens_revoke_for(user=instance, reason="password_changed")
    elif not instance.is_active:
        tokens_revoke_for(user=instance, reason="deactivated")
    elif getattr(instance, "_wushe_password_disabled", False):
        tokens_revoke_for(user=instance, reason="password_disabled")

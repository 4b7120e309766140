"""An API token dies with the password it was issued under, and with the account.

Passwords change in several places wushe does not own (Django's password-change and reset
views, the admin's password form, ``wushe changepassword``), and accounts are deactivated in
the admin; every one of them saves the user, so the save is the one place to catch them all.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from wushe.accounts.models import User
from wushe.accounts.services import tokens_revoke_for


@receiver(post_save, sender=User, dispatch_uid="accounts.revoke_tokens")
def revoke_tokens_on_credential_change(
    sender: type[User], instance: User, created: bool, update_fields: Any, **kwargs: Any
) -> None:
    if created or (update_fields is not None and not {"password", "is_active"} & update_fields):
        return  # e.g. the last_login update at every sign-in
    # set_password() leaves the new raw password in ``_password`` until the save is done;
    # a hash upgrade at sign-in (same password, new hasher) clears it before saving.
    if instance._password is not None:  # type: ignore[attr-defined]
        tokens_revoke_for(user=instance, reason="password_changed")
    elif not instance.is_active:
        tokens_revoke_for(user=instance, reason="deactivated")
    elif not instance.has_usable_password():
        tokens_revoke_for(user=instance, reason="password_disabled")

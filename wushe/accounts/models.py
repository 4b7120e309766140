"""Users: a role and a scope area."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from wushe.accounts.roles import ROLE_PERMISSIONS, Role
from wushe.areas.models import Area


class WusheUserManager(UserManager["User"]):
    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> User:
        # ``wushe createsuperuser`` makes a system administrator who sees every area.
        extra_fields.setdefault("role", Role.SYSTEM_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    scope_area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        help_text=_("The user acts in this area and everything under it."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)

    objects: ClassVar[WusheUserManager] = WusheUserManager()

    scope_path_field = "scope_area__path"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope_area__isnull=False) | models.Q(role=Role.SYSTEM_ADMIN),
                name="accounts_user_scope_required",
                violation_error_message=_("Every role except system administrator needs an area."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    # -- what core.scoping and core.permissions ask of the acting user --------------------
    @property
    def sees_everything(self) -> bool:
        return self.role == Role.SYSTEM_ADMIN and self.scope_area_id is None

    @property
    def sees_assigned_only(self) -> bool:
        return self.role == Role.VOLUNTEER

    @property
    def scope_path(self) -> str | None:
        return self.scope_area.path if self.scope_area is not None else None

    def has_role_permission(self, permission: str) -> bool:
        return self.is_active and permission in ROLE_PERMISSIONS.get(self.role, frozenset())

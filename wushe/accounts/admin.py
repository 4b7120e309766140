"""Admin for users: system administrators manage the accounts of their scope."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from wushe.accounts.models import User
from wushe.core.admin_site import ScopedAdmin, admin_site


@admin.register(User, site=admin_site)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "scope_area", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name"]
    list_select_related = ["scope_area"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role and area"), {"fields": ("display_name", "role", "scope_area")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "username",
                    "password1",
                    "password2",
                    "display_name",
                    "role",
                    "scope_area",
                )
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_form(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        if not getattr(request.user, "sees_everything", False) and "scope_area" in form.base_fields:
            # A user without an area sees every area when they are a system administrator:
            # only an administrator who sees everything may make one.
            form.base_fields["scope_area"].required = True
        return form

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        obj.is_staff = obj.role == "system_admin"
        super().save_model(request, obj, form, change)

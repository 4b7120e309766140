"""The admin site: for active system administrators only, with every queryset scoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wushe.core.scoping import scoped


class WusheAdminSite(admin.AdminSite):
    site_header = _("wushe administration")
    site_title = _("wushe administration")
    index_title = _("System administration")

    def has_permission(self, request: Any) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_authenticated and user.has_role_permission("admin.access")
        )


admin_site = WusheAdminSite(name="admin")


class ScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose lists, forms and foreign-key choices show only the admin's scope."""

    def get_queryset(self, request: Any) -> Any:
        return scoped(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        related = db_field.remote_field.model
        if getattr(related, "scope_path_field", None):
            kwargs["queryset"] = scoped(related._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Every admin is a system admin (the site checks); they act within their scope.
    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request: Any) -> bool:
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request: Any) -> bool:
        return self.admin_site.has_permission(request)

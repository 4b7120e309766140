"""Admin for areas: browse and correct names and coordinates. Structure changes (new areas,
moves, merges) go through import and the move/merge functions, which keep the history."""

from typing import Any

from django.contrib import admin

from wushe.areas.models import Area, AreaChange
from wushe.core.admin_site import ScopedAdmin, admin_site


@admin.register(Area, site=admin_site)
class AreaAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "parent", "path", "is_active", "merged_into"]
    fields = ["code", "name", "level", "parent", "path", "lon", "lat", "is_active", "merged_into"]
    list_select_related = ["parent"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(AreaChange, site=admin_site)
class AreaChangeAdmin(ScopedAdmin):
    list_display = [
        "created_at",
        "kind",
        "area",
        "from_parent",
        "to_parent",
        "merged_into",
        "actor",
        "reason",
    ]
    list_filter = ["kind"]
    list_select_related = ["area", "from_parent", "to_parent", "merged_into", "actor"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

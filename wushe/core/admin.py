"""Admin for core records: the action log and background jobs, read-only."""

from typing import Any

from django.contrib import admin

from wushe.core.admin_site import ScopedAdmin, admin_site
from wushe.core.models import AccessLog, ActionLog, Job


class ReadOnlyAdmin(ScopedAdmin):
    """History is append-only: nobody edits it, not even an administrator."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ActionLog, site=admin_site)
class ActionLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["action", "object_id"]
    list_select_related = ["actor"]


@admin.register(Job, site=admin_site)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "status", "created_by", "progress_done", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]


@admin.register(AccessLog, site=admin_site)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "actor_role", "object_type", "object_id", "field"]
    list_filter = ["object_type", "field"]
    search_fields = ["object_id", "reason"]
    list_select_related = ["actor"]

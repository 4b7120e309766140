"""Admin for residents: browse within scope, always masked; tags (and synonyms) editable.

Protected values never appear in admin forms: a change goes through the pages (services)."""

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wushe.core.admin_site import ScopedAdmin, admin_site
from wushe.core.privacy.maskers import mask
from wushe.residents.models import Household, Resident, Tag


@admin.register(Resident, site=admin_site)
class ResidentAdmin(ScopedAdmin):
    list_display = ["masked_name", "area", "masked_phone", "legal_basis", "is_active"]
    list_filter = ["legal_basis", "is_active"]
    search_fields = ["name_pinyin", "name_initials"]
    list_select_related = ["area"]
    fields = ["area", "household", "gender", "birth_date", "legal_basis", "is_active"]
    readonly_fields = fields

    @admin.display(description=_("name"))
    def masked_name(self, obj: Resident) -> str:
        return mask("name", obj.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Resident) -> str:
        return mask("phone", obj.phone) if obj.phone else ""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Household, site=admin_site)
class HouseholdAdmin(ScopedAdmin):
    list_display = ["building", "unit", "room"]
    list_select_related = ["building"]
    readonly_fields = ["building"]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(Tag, site=admin_site)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "derived", "sensitive", "order", "is_active"]
    readonly_fields = ["code", "derived"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

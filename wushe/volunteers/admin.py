from django.contrib import admin

from wushe.core.admin_site import ScopedAdmin, admin_site
from wushe.volunteers.models import Shift, VolunteerProfile


class ShiftInline(admin.TabularInline):
    """The hours ledger, read-only: shifts change through the volunteers page or the API."""

    model = Shift
    fields = ["started_at", "started_by", "ended_at", "ended_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


class VolunteerProfileAdmin(ScopedAdmin):
    list_display = ["user", "home_area", "on_shift", "is_active"]
    list_filter = ["on_shift", "is_active"]
    # Set through volunteer_set_shift only, so that every shift is in the ledger.
    readonly_fields = ["on_shift"]
    inlines = [ShiftInline]


admin_site.register(VolunteerProfile, VolunteerProfileAdmin)

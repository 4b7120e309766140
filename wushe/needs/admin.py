from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wushe.core.admin_site import ScopedAdmin, admin_site
from wushe.core.privacy import protected_field_names
from wushe.needs import triage
from wushe.needs.models import Need, TriageSettings


class NeedAdmin(ScopedAdmin):
    list_display = ["tracking_code", "category", "status", "priority", "area", "created_at"]
    list_filter = ["status", "category", "channel"]
    # The stored breakdown names treatments and sensitive tags: the admin shows the plain
    # explanation instead (docs/privacy.md).
    exclude = [*protected_field_names(Need), "priority_breakdown"]
    readonly_fields = ["priority", "explanation", "tracking_code", "escalated_at"]

    @admin.display(description=_("why this priority"))
    def explanation(self, need: Need) -> str:
        return triage.explain(need.priority_breakdown, overdue=need.escalated_at is not None)


class TriageSettingsAdmin(ScopedAdmin):
    list_display = ["street"]


admin_site.register(Need, NeedAdmin)
admin_site.register(TriageSettings, TriageSettingsAdmin)

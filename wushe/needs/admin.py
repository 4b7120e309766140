from wushe.core.admin_site import ScopedAdmin, admin_site
from wushe.core.privacy import protected_field_names
from wushe.needs.models import Need, TriageSettings


class NeedAdmin(ScopedAdmin):
    list_display = ["tracking_code", "category", "status", "priority", "area", "created_at"]
    list_filter = ["status", "category", "channel"]
    exclude = protected_field_names(Need)
    readonly_fields = ["priority", "priority_breakdown", "tracking_code", "escalated_at"]


class TriageSettingsAdmin(ScopedAdmin):
    list_display = ["street"]


admin_site.register(Need, NeedAdmin)
admin_site.register(TriageSettings, TriageSettingsAdmin)

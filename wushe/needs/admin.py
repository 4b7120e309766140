from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wushe.core.admin_site import ScopedAdmin, admin_site
from wushe.core.privacy import protected_field_names
from wushe.needs import selectors, triage
from wushe.needs.models import Need, TriageSettings

# The request's free text often holds an address or a phone: the admin shows it as the system
# administrator may read it (masked, docs/privacy.md), never in an editable form field.
FREE_TEXT = ("description", "outcome_note")


class NeedAdmin(ScopedAdmin):
    list_display = ["tracking_code", "category", "status", "priority", "area", "created_at"]
    list_filter = ["status", "category", "channel"]
    # The stored breakdown names treatments and sensitive tags: the admin shows the plain
    # explanation instead (docs/privacy.md).
    exclude = [*protected_field_names(Need), *FREE_TEXT, "priority_breakdown"]
    readonly_fields = [
        "priority",
        "explanation",
        "tracking_code",
        "escalated_at",
        "description_shown",
        "outcome_note_shown",
    ]

    def get_object(self, request: Any, object_id: str, from_field: Any = None) -> Need | None:
        need = super().get_object(request, object_id, from_field)
        if need is not None:
            need._admin_actor = request.user  # type: ignore[attr-defined]
        return need

    def _shown(self, need: Need, field: str) -> str:
        actor = getattr(need, "_admin_actor", None)
        return selectors.request_text(actor, need, field) or ""

    @admin.display(description=_("why this priority"))
    def explanation(self, need: Need) -> str:
        return triage.explain(need.priority_breakdown, overdue=need.escalated_at is not None)

    @admin.display(description=_("description"))
    def description_shown(self, need: Need) -> str:
        return self._shown(need, "description")

    @admin.display(description=_("outcome note"))
    def outcome_note_shown(self, need: Need) -> str:
        return self._shown(need, "outcome_note")


class TriageSettingsAdmin(ScopedAdmin):
    list_display = ["street"]


admin_site.register(Need, NeedAdmin)
admin_site.register(TriageSettings, TriageSettingsAdmin)

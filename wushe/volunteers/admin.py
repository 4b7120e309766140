from wushe.core.admin_site import ScopedAdmin, admin_site
from wushe.volunteers.models import VolunteerProfile


class VolunteerProfileAdmin(ScopedAdmin):
    list_display = ["user", "home_area", "on_shift", "is_active"]
    list_filter = ["on_shift", "is_active"]


admin_site.register(VolunteerProfile, VolunteerProfileAdmin)

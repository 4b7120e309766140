"""Dispatch messages (translatable constants; tests assert on them)."""

from django.utils.translation import gettext_lazy as _

NOT_PROPOSED = _("Only a proposed round can be approved or discarded (this one is %(status)s).")
TIME_LIMIT = _("The time limit must be between 1 and 300 seconds.")
TASK_TAKEN = _("Taken since the snapshot (now %(status)s).")
NOT_FOUND_SINCE = _("No longer exists.")
VOLUNTEER_GONE = _("The volunteer is no longer active.")
SOLVE_FAILED = _("The engine could not solve this round: %(error)s")

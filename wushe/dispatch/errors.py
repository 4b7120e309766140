"""Dispatch messages (translatable constants; tests assert on them)."""

from django.utils.translation import gettext_lazy as _

from wushe.volunteers.errors import UNKNOWN_TRAVEL_MODE

NOT_PROPOSED = _("Only a proposed round can be approved or discarded (this one is %(status)s).")
TIME_LIMIT = _("The time limit must be between 1 and 300 seconds.")
TASK_TAKEN = _("Taken since the snapshot (now %(status)s).")
NOT_FOUND_SINCE = _("No longer exists.")
VOLUNTEER_GONE = _("The volunteer is no longer active.")
SOLVE_FAILED = _("The engine could not solve this round: %(error)s")

# Edits of a proposal: each names the task (its tracking code) and the volunteer.
EDIT_SKILL = _("%(volunteer)s does not have the skill task %(task)s needs (%(skills)s).")
EDIT_DECLINED = _("%(volunteer)s declined task %(task)s before; it is not offered to them again.")
EDIT_WINDOW = _("In the route of %(volunteer)s, task %(task)s would be reached after its deadline.")
EDIT_CAPACITY = _("%(volunteer)s cannot take task %(task)s: at most %(capacity)s tasks per route.")
EDIT_SHIFT = _("%(volunteer)s cannot take task %(task)s: the route would end after the shift ends.")
EDIT_OTHER = _("Task %(task)s cannot go to %(volunteer)s: %(error)s")
EDIT_NOT_IN_ROUND = _("This task or volunteer is not in this round.")
EDIT_NOT_PROPOSED = _("Only a proposed round can be changed (this one is %(status)s).")

# Re-dispatch and insertion into the current routes.
LAPSED = _("No answer within %(minutes)s minutes.")
NONE_CAN_TAKE = _(
    "No other volunteer in the approved routes can take it in time: back to the dispatcher."
)
SHIFT_OVER = _("The shifts of this round are over: back to the dispatcher.")
NOT_APPROVED = _("Only an approved round has current routes to insert into.")
TASK_NOT_OPEN = _("This task is no longer open (now %(status)s).")
TASK_OUTSIDE = _("This task is not in the area of this round.")
NO_COORDINATES = _("The building of this task has no coordinates.")

# Travel settings.
NOT_A_STREET = _("Travel settings belong to a street (or township).")
DETOUR_RANGE = _("The detour factor must be between 1.0 and 3.0.")
# The same choice as on a volunteer's profile, said the same way.
TRAVEL_MODE = UNKNOWN_TRAVEL_MODE

# The round page's form.
FORM_MISSING = _("Say which %(field)s: the form came without one.")
FORM_NOT_WHOLE = _("The %(field)s must be a whole number, not “%(value)s”.")

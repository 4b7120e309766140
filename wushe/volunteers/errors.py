"""Messages of the volunteers app."""

from django.utils.translation import gettext_lazy as _

UNKNOWN_SKILL = _("Unknown skill “{skill}”.")
NOT_A_VOLUNTEER = _("This user is not a volunteer.")
AREA_OUT_OF_SCOPE = _("This area is outside your scope.")
UNKNOWN_TRAVEL_MODE = _("Choose on foot, by bicycle or by car.")
SHIFT_NOT_YOURS = _("Only the volunteer, or a dispatcher of their area, can change this shift.")
PROFILE_PAUSED = _("Your volunteer profile is paused: ask your community before going on shift.")
SHIFT_CHOICE = _("Say whether the shift starts or ends.")

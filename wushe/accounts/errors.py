"""Messages of the accounts app."""

from django.utils.translation import gettext_lazy as _

SCOPE_REQUIRED = _("A {role} needs an area: choose the area this user acts in.")
SCOPE_OUTSIDE = _("You can only create users inside your own area.")
USERNAME_TAKEN = _("The user name “{username}” is already taken.")
TOO_MANY_ATTEMPTS = _(
    "Too many failed sign-ins. For your safety, sign-in is paused; try again in {minutes} "
    "minutes, or ask your system administrator to reset your password."
)
UNKNOWN_USER = _("No user named “{username}”.")
TOKEN_EXPIRED = _(
    "This API token has expired. Ask your system administrator for a new one "
    "(wushe token USERNAME --rotate)."
)

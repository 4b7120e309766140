"""Messages of the needs app (tests assert on these constants)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wushe.core.errors import ApplicationError

NO_PERSON = _(
    "Say who needs help: choose a registered resident or give the caller's name or phone."
)
RESIDENT_OUT_OF_SCOPE = _("This resident is outside your area.")
AREA_OUT_OF_SCOPE = _("This area is outside your area.")
CRITICAL_WITHOUT_DAYS = _("“Medicine for a critical condition” needs the days of medicine left.")
DEADLINE_IN_PAST = _("The deadline is already past.")
UNKNOWN_CATEGORY = _("Unknown category “{category}”.")
INVALID_TRANSITION = _("A request that is “{status}” cannot be {action}.")
# What was refused, put into INVALID_TRANSITION and TASK_INVALID as {action}.
CLOSED = pgettext_lazy("refused action", "closed")
REOPENED = pgettext_lazy("refused action", "reopened")
GIVEN_TASKS = pgettext_lazy("refused action", "given tasks")
OFFERED = pgettext_lazy("refused action", "offered")
ACCEPTED = pgettext_lazy("refused action", "accepted")
DECLINED = pgettext_lazy("refused action", "declined")
STARTED = pgettext_lazy("refused action", "started")
COMPLETED = pgettext_lazy("refused action", "completed")
FAILED = pgettext_lazy("refused action", "marked as not possible")
TASK_NOT_OPEN = _("Someone else has already taken this task.")
OFFER_LAPSED = _("This offer lapsed: it was not answered in time and can no longer be accepted.")
TASK_INVALID = _("This task is “{status}”: it cannot be {action} now.")
DECLINED_BEFORE = _("This volunteer declined this task before and is not asked again.")
YOU_DECLINED = _("You declined this task before, so it cannot be yours now.")
NOT_YOUR_TASK = _("This task is not yours.")
REASON_REQUIRED = _("Give a reason.")
NOT_A_VOLUNTEER = _("Only volunteers can take tasks.")
NOT_ACTIVE_VOLUNTEER = _(
    "You are not an active volunteer at the moment, so you cannot take tasks. "
    "Ask your community worker."
)
VOLUNTEER_WITHDRAWN = _("The volunteer is no longer active.")
VOLUNTEER_NOT_HERE = _(
    "Choose a volunteer from the list: this one is not in your area or no longer active."
)
MERGE_SELF = _("A request cannot be merged into itself.")
MERGE_TARGET_CLOSED = _("The request to merge into is already closed.")
MERGE_SOURCE_CLOSED = _("This request is already closed: only an open request can be merged.")
OFFER_LINK_INVALID = _("This link is not valid or has expired. Open your tasks instead.")
IDEMPOTENCY_MISMATCH = _(
    "The Idempotency-Key header was already used with a different request body. "
    "Use a new key for a new request."
)
IDEMPOTENCY_IN_PROGRESS = _(
    "A request with this Idempotency-Key header is still being processed. Retry shortly."
)
IDEMPOTENCY_KEY_TOO_LONG = _("The Idempotency-Key header must be at most 255 characters.")
RATE_LIMITED = _("Too many requests from this connection. Please wait a few minutes or call us.")


class UnprocessableError(ApplicationError):
    status_code = 422


class ConflictError(ApplicationError):
    status_code = 409


class RateLimitedError(ApplicationError):
    status_code = 429

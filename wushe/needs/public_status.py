"""What the resident reads on the tracking page (plain words for each status and outcome), and
the public form and API's rate limits, per client address and per phone number (counted in the
shared cache)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from wushe.core.client_ip import counted_as
from wushe.core.privacy import blind_index
from wushe.core.windowed_counts import any_at_limit, count_once
from wushe.needs.models import Need, Outcome, Status


def resident_status_text(need: Need) -> str:
    if need.status == Status.DONE:
        return _("Done: your request has been taken care of.")
    if need.status in (Status.FAILED, Status.CANCELLED):
        return {
            Outcome.NOT_POSSIBLE: _("Closed: we could not do it. Please call your community."),
            Outcome.NOT_NEEDED: _("Closed: you told us it is no longer needed."),
            Outcome.DUPLICATE: _("Closed: this was the same as another request of yours."),
        }.get(need.outcome, _("Closed."))
    if need.status == Status.NEW or need.last_verified_at is None:
        return _("We have your request. A community worker will call you back.")
    return {
        Status.TRIAGED: _("We have your request and are finding a helper."),
        Status.ASSIGNED: _("A helper has been asked to help you."),
        Status.ACCEPTED: _("A helper has taken your request and will come soon."),
        Status.IN_PROGRESS: _("A helper is working on it now."),
    }.get(need.status, _("We have your request."))


PUBLIC_LIMIT = 5  # requests per client address per hour from the public form and API
PUBLIC_LIMIT_PER_PHONE = 5  # requests per phone number per hour, from any address
PUBLIC_WINDOW = 3600


def _rate_limits(address: str, phone: str) -> dict[str, int]:
    """Cache key -> limit. The phone is keyed by its blind index: the cache never holds it."""
    limits = {f"needs.public:{counted_as(address) or 'unknown'}": PUBLIC_LIMIT}
    if phone.strip():
        limits[f"needs.public.phone:{blind_index('phone', phone)}"] = PUBLIC_LIMIT_PER_PHONE
    return limits


def public_rate_allows(*, address: str, phone: str = "") -> bool:
    """Whether one more request may come from this address (and for this phone, once the
    form has given it)."""
    return not any_at_limit(_rate_limits(address, phone))


def public_rate_count(*, address: str, phone: str) -> None:
    for key in _rate_limits(address, phone):
        count_once(key, PUBLIC_WINDOW)

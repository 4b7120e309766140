"""What the resident reads on the tracking page (plain words for each status and outcome), and
the per-address rate limit of the public form and API (counted in the shared cache)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext as _

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


PUBLIC_LIMIT = 5  # requests per address per hour from the public form and API
PUBLIC_WINDOW = 3600


def _rate_key(address: str) -> str:
    return f"needs.public:{address or 'unknown'}"


def public_rate_allows(address: str) -> bool:
    return int(cache.get(_rate_key(address), 0)) < PUBLIC_LIMIT


def public_rate_count(address: str) -> None:
    key = _rate_key(address)
    cache.add(key, 0, PUBLIC_WINDOW)
    cache.incr(key)

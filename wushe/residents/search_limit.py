"""A cap on searches by a whole ID number or phone: a role that may find a resident by their
whole number could otherwise confirm guessed numbers one after another (each hit is logged,
but a log read next week stops nothing). Counts live in the cache (Redis in production), per
user, in a window of an hour; a refused search is written to the action log so a supervisor
sees who hit the cap."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError
from wushe.core.windowed_counts import count_once
from wushe.residents import errors

WINDOW_S = 3600


def _key(actor: Any) -> str:
    return f"wushe:whole-number-searches:{actor.pk}"


def count_whole_number_search(actor: Any) -> None:
    """Count one search by a whole number, or refuse it (field ``q``) above the hourly cap."""
    limit = int(settings.WUSHE_WHOLE_NUMBER_SEARCHES_PER_HOUR)
    if count_once(_key(actor), WINDOW_S) > limit:
        area = getattr(actor, "scope_area", None)
        log_action("residents.search.capped", actor=actor, area_path=area.path if area else "")
        raise ApplicationError(errors.WHOLE_NUMBER_SEARCH_CAP.format(limit=limit), field="q")

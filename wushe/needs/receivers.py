"""What the needs app does when other apps report a change (connected in ``apps.py``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from wushe.needs import services
from wushe.needs.models import TaskAssignment

logger = logging.getLogger(__name__)


def rerank_on_tags_changed(sender: Any, resident_ids: Iterable[int], **kwargs: Any) -> None:
    """Re-rank after the tags change has committed. A failure here must not turn the saved
    change (a worker's tags page, an import job) into an error: it is logged, and the next
    change of the request's facts or tags ranks it again."""
    ids = list(resident_ids)
    try:
        services.needs_rerank_for_residents(resident_ids=ids)
    except Exception:
        logger.exception("could not re-rank the open requests of %s resident(s)", len(ids))


# A save that names its fields and none of these (a sign-in's last_login) changes no standing.
_STANDING_FIELDS = frozenset({"is_active", "role"})


def withdraw_on_user_saved(
    sender: Any, instance: Any, update_fields: Any = None, **kw: Any
) -> None:
    """A user deactivated, or no longer a volunteer: their offers and accepted tasks go back
    for dispatch in the same transaction as the change (they can no longer sign in to do
    them, and must not keep the resident's address)."""
    if kw.get("raw") or (update_fields is not None and not _STANDING_FIELDS & set(update_fields)):
        return
    if instance.is_active and instance.role == "volunteer":
        return
    _withdraw(instance)


def withdraw_on_profile_saved(sender: Any, instance: Any, **kw: Any) -> None:
    """A volunteer profile paused (vetted out, taken off the roster): as for a user."""
    if not kw.get("raw") and not instance.is_active:
        _withdraw(instance.user)


def _withdraw(user: Any) -> None:
    live = TaskAssignment.objects.filter(
        volunteer=user, state__in=[TaskAssignment.State.OFFERED, TaskAssignment.State.ACCEPTED]
    )
    if user.pk is not None and live.exists():  # most saves: nothing live, one cheap query
        services.volunteer_tasks_withdraw(volunteer=user)

"""Reads of volunteer profiles, scoped by the requesting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wushe.core.scoping import get_scoped, scoped
from wushe.volunteers.models import VolunteerProfile


def volunteer_list(
    *, actor: Any, skill: str | None = None, on_shift: bool | None = None
) -> QuerySet[VolunteerProfile]:
    """Active volunteers in scope, optionally with a skill or on shift."""
    qs = scoped(VolunteerProfile.objects.filter(is_active=True), actor)
    if on_shift is not None:
        qs = qs.filter(on_shift=on_shift)
    profiles = qs.select_related("user", "home_area")
    if skill:
        # JSON "contains" is not portable to SQLite; profiles are few per area.
        ids = [p.pk for p in profiles if skill in p.skills]
        profiles = profiles.filter(pk__in=ids)
    return profiles


def volunteer_profile_get_for(actor: Any, pk: Any) -> VolunteerProfile:
    return get_scoped(VolunteerProfile.objects.select_related("user", "home_area"), actor, pk=pk)


def volunteer_profile_of(user: Any) -> VolunteerProfile | None:
    """The user's own profile, if any."""
    return VolunteerProfile.objects.filter(user=user).select_related("home_area").first()

"""Writes to volunteer profiles: one transaction each, logged."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from wushe.areas.models import Area
from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.scoping import path_in_scope
from wushe.volunteers import errors
from wushe.volunteers.models import Skill, TravelMode, VolunteerProfile


def _clean_skills(skills: list[str]) -> list[str]:
    cleaned: list[str] = []
    for skill in skills:
        if skill not in Skill.values:
            raise ApplicationError(errors.UNKNOWN_SKILL.format(skill=skill), field="skills")
        if skill not in cleaned:
            cleaned.append(skill)
    return cleaned


@transaction.atomic
def volunteer_profile_upsert(
    *,
    actor: Any,
    user: Any,
    home_area: Area,
    skills: list[str],
    on_shift: bool = False,
    is_active: bool = True,
) -> VolunteerProfile:
    """Create or update ``user``'s volunteer profile (a worker in scope, or a command line)."""
    if getattr(user, "role", None) != "volunteer":
        raise ApplicationError(errors.NOT_A_VOLUNTEER, field="user")
    if actor is not None and not path_in_scope(home_area.path, actor):
        raise PermissionDeniedError(errors.AREA_OUT_OF_SCOPE, field="home_area")
    profile, created = VolunteerProfile.objects.update_or_create(
        user=user,
        defaults={
            "home_area": home_area,
            "skills": _clean_skills(skills),
            "on_shift": on_shift,
            "is_active": is_active,
        },
    )
    log_action(
        "volunteers.profile.created" if created else "volunteers.profile.updated",
        actor=actor,
        obj=profile,
        area_path=home_area.path,
        data={"skills": profile.skills, "on_shift": on_shift},
    )
    return profile


@transaction.atomic
def volunteer_set_shift(
    *, actor: Any, profile: VolunteerProfile, on_shift: bool
) -> VolunteerProfile:
    """A volunteer starts or ends their shift (themselves, or a worker for them)."""
    if actor != profile.user and not path_in_scope(profile.home_area.path, actor):
        raise PermissionDeniedError()
    profile.on_shift = on_shift
    profile.save(update_fields=["on_shift", "updated_at"])
    log_action(
        "volunteers.profile.shift_changed",
        actor=actor,
        obj=profile,
        area_path=profile.home_area.path,
        data={"on_shift": on_shift},
    )
    return profile


@transaction.atomic
def volunteer_set_travel_mode(
    *, actor: Any, profile: VolunteerProfile, travel_mode: str
) -> VolunteerProfile:
    """How the volunteer gets around (walking, cycling, driving; blank: the street's
    default) -- dispatch plans their travel times with it. Themselves, or a worker."""
    if actor != profile.user and not path_in_scope(profile.home_area.path, actor):
        raise PermissionDeniedError()
    if travel_mode and travel_mode not in TravelMode.values:
        raise ApplicationError(errors.UNKNOWN_TRAVEL_MODE, field="travel_mode")
    profile.travel_mode = travel_mode
    profile.save(update_fields=["travel_mode", "updated_at"])
    log_action(
        "volunteers.profile.travel_mode_changed",
        actor=actor,
        obj=profile,
        area_path=profile.home_area.path,
        data={"travel_mode": travel_mode},
    )
    return profile

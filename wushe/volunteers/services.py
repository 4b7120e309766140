"""Writes to volunteer profiles and shifts: one transaction each, logged.

Going on or off shift opens or closes a ``Shift`` row (who, when) for the hours ledger.
Ending a shift does not touch the volunteer's tasks: what they accepted stays theirs (only
new offers stop, since dispatch rounds take volunteers on shift)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from wushe.areas.models import Area
from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.permissions import user_may
from wushe.core.scoping import path_in_scope
from wushe.volunteers import errors
from wushe.volunteers.models import Shift, Skill, TravelMode, VolunteerProfile


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
            "is_active": is_active,
        },
    )
    _shift_change(profile, on_shift=on_shift, actor=actor)
    log_action(
        "volunteers.profile.created" if created else "volunteers.profile.updated",
        actor=actor,
        obj=profile,
        area_path=home_area.path,
        data={"skills": profile.skills, "on_shift": on_shift},
    )
    return profile


def _shift_change(profile: VolunteerProfile, *, on_shift: bool, actor: Any) -> bool:
    """Open or close ``profile``'s shift row and set the flag; False if already so. A shift
    begun before shifts were recorded (no open row) ends with no row: its hours are unknown."""
    if profile.on_shift == on_shift:
        return False
    now = timezone.now()
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    if on_shift:
        if not Shift.objects.filter(volunteer=profile, ended_at__isnull=True).exists():
            Shift.objects.create(volunteer=profile, started_at=now, started_by=actor_user)
    else:
        Shift.objects.filter(volunteer=profile, ended_at__isnull=True).update(
            ended_at=now, ended_by=actor_user
        )
    profile.on_shift = on_shift
    profile.save(update_fields=["on_shift", "updated_at"])
    return True


def may_set_shift(actor: Any, profile: VolunteerProfile) -> bool:
    """The volunteer themselves, or whoever runs dispatch in the volunteer's area."""
    if actor is not None and actor == profile.user:
        return True
    return user_may(actor, "dispatch.run") and path_in_scope(profile.home_area.path, actor)


@transaction.atomic
def volunteer_set_shift(
    *, actor: Any, profile: VolunteerProfile, on_shift: bool
) -> VolunteerProfile:
    """A volunteer starts or ends their shift (themselves, or a dispatcher for them). Setting
    the state it already has changes nothing, so a repeated tap or request is harmless."""
    if not may_set_shift(actor, profile):
        raise PermissionDeniedError(errors.SHIFT_NOT_YOURS)
    # The lock orders two taps at once: the second sees the first's state.
    profile = (
        VolunteerProfile.objects.select_for_update()
        .select_related("user", "home_area")
        .get(pk=profile.pk)
    )
    if on_shift and not profile.is_active:
        raise ApplicationError(errors.PROFILE_PAUSED, field="on_shift")
    if _shift_change(profile, on_shift=on_shift, actor=actor):
        log_action(
            "volunteers.profile.shift_changed",
            actor=actor,
            obj=profile,
            area_path=profile.home_area.path,
            data={"on_shift": on_shift, "for": profile.user_id},
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

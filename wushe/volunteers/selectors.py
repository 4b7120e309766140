"""Reads of volunteer profiles and their shifts, scoped by the requesting user."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from wushe.core.scoping import get_scoped, scoped
from wushe.volunteers.models import Shift, VolunteerProfile


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


def week_start(now: datetime | None = None) -> datetime:
    """Monday 00:00 of the current week, local time (Asia/Shanghai)."""
    local = timezone.localtime(now or timezone.now())
    monday = local.date() - timedelta(days=local.weekday())
    return timezone.make_aware(datetime.combine(monday, datetime.min.time()))


def hours_since(
    profiles: Iterable[VolunteerProfile], since: datetime, now: datetime | None = None
) -> dict[int, float]:
    """Hours on shift since ``since`` for each profile (pk -> hours, one decimal); a shift
    still open counts up to now. One query for all of them."""
    now = now or timezone.now()
    pks = [p.pk for p in profiles]
    hours = dict.fromkeys(pks, 0.0)
    shifts = Shift.objects.filter(volunteer_id__in=pks, started_at__lt=now).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=since)
    )
    for volunteer_id, started, ended in shifts.values_list(
        "volunteer_id", "started_at", "ended_at"
    ):
        seconds = (min(ended or now, now) - max(started, since)).total_seconds()
        hours[volunteer_id] += max(seconds, 0) / 3600
    return {pk: round(h, 1) for pk, h in hours.items()}


def open_shifts(profiles: Iterable[VolunteerProfile]) -> dict[int, Shift]:
    """The open shift of each profile that has one (pk -> shift)."""
    return {
        s.volunteer_id: s
        for s in Shift.objects.filter(
            volunteer_id__in=[p.pk for p in profiles], ended_at__isnull=True
        )
    }


def shift_summary(profile: VolunteerProfile) -> dict[str, Any]:
    """What the shift toggle shows: on shift or not, since when, hours this week."""
    shift = open_shifts([profile]).get(profile.pk) if profile.on_shift else None
    return {
        "profile": profile,
        "on_shift": profile.on_shift,
        "since": shift.started_at if shift else None,
        "hours_week": hours_since([profile], week_start())[profile.pk],
    }

"""Volunteer pieces other apps' pages load: the one-tap shift toggle (My tasks, My route)
and a ``tel:`` link target for a phone number shown in full."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils import timezone

from wushe.volunteers.selectors import shift_summary, volunteer_profile_of

register = template.Library()

_DIALABLE = re.compile(r"\+?\d{3,15}")


@register.inclusion_tag("volunteers/_shift_toggle.html", takes_context=True)
def shift_toggle(context: template.Context) -> dict[str, Any]:
    """The volunteer's shift (on or off, since when, hours this week) and the button that
    flips it. The page's ``rows`` (assignments) say how many accepted tasks stay theirs."""
    request = context.get("request")
    user = getattr(request, "user", None)
    profile = volunteer_profile_of(user) if user is not None and user.is_authenticated else None
    if profile is None:
        return {"summary": None}
    kept = sum(
        1 for row in context.get("rows") or [] if getattr(row.get("a"), "state", None) == "accepted"
    )
    summary = shift_summary(profile)
    since = summary["since"]
    # A shift begun before today shows its date too.
    today = since is not None and timezone.localdate(since) == timezone.localdate()
    summary["since_format"] = "H:i" if today else "m-d H:i"
    return {
        "summary": summary,
        "kept": kept,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def tel_href(value: Any) -> str:
    """``tel:`` and the digits of a number shown in full; empty for a masked one (138****5678),
    which must not become a link that dials the wrong number."""
    compact = re.sub(r"[\s\-()]", "", str(value or ""))
    return f"tel:{compact}" if _DIALABLE.fullmatch(compact) else ""

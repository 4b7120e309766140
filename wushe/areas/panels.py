"""The areas app's section of the home page: what lies in the user's scope."""

from __future__ import annotations

from typing import Any

from wushe.areas.levels import Level
from wushe.areas.selectors import area_children, area_counts
from wushe.core.navigation import HomePanel


def _summary(user: Any) -> dict[str, Any]:
    counts = area_counts(actor=user)
    children = area_children(actor=user, area=user.scope_area) if user.scope_area_id else []
    return {
        "counts": [(Level(level).label, n) for level, n in counts.items() if n],
        "children": list(children[:50]),
    }


AREA_SUMMARY = HomePanel(
    template="areas/panel_summary.html",
    context=_summary,
    roles=frozenset(
        {
            "street_command",
            "community_worker",
            "social_worker",
            "org_admin",
            "district_civil_affairs",
            "system_admin",
        }
    ),
    order=10,
)

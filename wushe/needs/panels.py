"""The needs app's section of the home page: open requests in scope, by what needs care."""

from __future__ import annotations

from typing import Any

from wushe.core.navigation import HomePanel
from wushe.needs.selectors import need_counts


def _summary(user: Any) -> dict[str, Any]:
    return {"counts": need_counts(actor=user)}


NEEDS_SUMMARY = HomePanel(
    template="needs/panel_summary.html",
    context=_summary,
    roles=frozenset(
        {
            "street_command",
            "community_worker",
            "social_worker",
            "district_civil_affairs",
            "system_admin",
        }
    ),
    order=5,
)

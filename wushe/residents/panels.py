"""The residents app's section of the home page: key-population counts in the user's scope."""

from __future__ import annotations

from typing import Any

from wushe.core.navigation import HomePanel
from wushe.residents.selectors import key_population_counts


def _summary(user: Any) -> dict[str, Any]:
    counts = key_population_counts(actor=user)
    totals: dict[str, int] = {}
    people = 0
    for row in counts["rows"]:
        if row["level"] == "community":
            people += row["total"]
            for code, n in row["counts"].items():
                totals[code] = totals.get(code, 0) + n
    names = dict(counts["tags"])
    return {
        "people": people,
        "counts": [(names[code], n) for code, n in totals.items() if n],
    }


KEY_POPULATIONS = HomePanel(
    template="residents/panel_key_populations.html",
    context=_summary,
    roles=frozenset(
        {"street_command", "community_worker", "social_worker", "district_civil_affairs"}
    ),
    order=20,
)

"""Travel times for a round: each volunteer's way of getting around (their profile, else
the street's default), the street's detour factor, and the street network's durations from
an OSRM-compatible ``table`` service when ``WUSHE_OSRM_URL`` is set.

The instance format (``wushe-dispatch/1``) has one travel speed and one durations matrix for
everyone. A round whose volunteers get around in different ways is therefore planned at
the slowest of their speeds -- every route then holds whoever rides it, the faster ones
arrive early -- and the round says so; each volunteer's own mode stays in the snapshot.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from wushe.areas.models import Area
from wushe.areas.selectors import street_of
from wushe.dispatch.models import StreetTravel
from wushe.dispatch.osrm import OsrmError, one_to_all, table
from wushe.volunteers.models import TravelMode

logger = logging.getLogger(__name__)


def speeds() -> dict[str, float]:
    """Metres per second of each way of getting around (straight-line speed before the
    detour factor)."""
    return {
        TravelMode.WALKING: float(settings.WUSHE_DISPATCH_SPEED_MPS),
        TravelMode.CYCLING: float(settings.WUSHE_DISPATCH_CYCLING_MPS),
        TravelMode.DRIVING: float(settings.WUSHE_DISPATCH_DRIVING_MPS),
    }


def street_defaults(area: Area) -> tuple[str, float]:
    """(travel mode, detour factor) for rounds under ``area``'s street."""
    street = street_of(area)
    row = StreetTravel.objects.filter(area=street).first() if street is not None else None
    if row is not None:
        return row.travel_mode, float(row.detour)
    mode = settings.WUSHE_DISPATCH_TRAVEL_MODE
    if mode not in TravelMode.values:
        mode = TravelMode.WALKING
    return mode, float(settings.WUSHE_DISPATCH_DETOUR)


def round_speed(modes: list[str], detour: float) -> tuple[float, str]:
    """(instance speed in m/s, the mode it is the speed of): the slowest mode among the
    volunteers, over the detour factor."""
    table_ = speeds()
    slowest = min(modes, key=lambda m: table_[m]) if modes else TravelMode.WALKING
    return table_[slowest] / detour, slowest


def add_network_durations(instance: dict[str, Any], report: dict[str, Any]) -> None:
    """Replace straight-line travel by the table service's durations, when one is
    configured. On failure the round keeps coordinates and records a warning."""
    url = settings.WUSHE_OSRM_URL
    if not url or len(instance.get("locations") or []) < 2 or instance.get("durations"):
        return
    from wushe.dispatch.instance import unproject  # noqa: PLC0415 (instance imports us)

    centre = report.get("centre") or [0.0, 0.0]
    points = [unproject(x, y, (centre[0], centre[1])) for x, y in instance["locations"]]
    profile = report.get("travel_mode") or TravelMode.WALKING
    try:
        instance["durations"] = table(
            url,
            profile,
            points,
            timeout=float(settings.WUSHE_OSRM_TIMEOUT_S),
            max_size=int(settings.WUSHE_OSRM_MAX_TABLE),
            budget_s=float(settings.WUSHE_OSRM_BUDGET_S),
        )
    except OsrmError as exc:
        logger.warning("OSRM table failed, using coordinates: %s", exc)
        report["travel_source"] = "coordinates"
        report["travel_warning"] = str(exc)[:300]
        return
    report["travel_source"] = "network"


def network_one_to_all(
    instance: dict[str, Any], report: dict[str, Any], index: int
) -> tuple[list[int], list[int]] | None:
    """The table service's durations from and to location ``index`` of a round that used
    the service; None (and a note in the report) when it is not configured or fails."""
    url = settings.WUSHE_OSRM_URL
    if not url or report.get("travel_source") != "network":
        return None
    from wushe.dispatch.instance import unproject  # noqa: PLC0415 (instance imports us)

    centre = report.get("centre") or [0.0, 0.0]
    points = [unproject(x, y, (centre[0], centre[1])) for x, y in instance["locations"]]
    try:
        return one_to_all(
            url,
            report.get("travel_mode") or TravelMode.WALKING,
            points,
            index,
            timeout=float(settings.WUSHE_OSRM_TIMEOUT_S),
            max_size=int(settings.WUSHE_OSRM_MAX_TABLE),
            budget_s=float(settings.WUSHE_OSRM_BUDGET_S),
        )
    except OsrmError as exc:
        logger.warning("OSRM table failed for an added place, using coordinates: %s", exc)
        report["travel_warning"] = str(exc)[:300]
        return None

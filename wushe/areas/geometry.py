"""Outlines of areas as GeoJSON (WGS-84 lon/lat): checking a drawn boundary, and the convex
hull of buildings when an area has none (a street's or community's rough shape)."""

from __future__ import annotations

from typing import Any

from wushe.areas import errors
from wushe.core.errors import ApplicationError

MAX_POINTS = 20_000


def _ring(ring: Any) -> list[list[float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ApplicationError(errors.GEOMETRY_RING, field="geometry")
    out = []
    for point in ring:
        if (
            not isinstance(point, list | tuple)
            or len(point) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])
        ):
            raise ApplicationError(errors.GEOMETRY_POINT, field="geometry")
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ApplicationError(errors.GEOMETRY_POINT, field="geometry")
        out.append([round(lon, 7), round(lat, 7)])
    if out[0] != out[-1]:
        raise ApplicationError(errors.GEOMETRY_RING, field="geometry")
    return out


def clean_geometry(value: Any) -> dict[str, Any] | None:
    """A GeoJSON Polygon or MultiPolygon (a bare geometry, or a Feature holding one),
    normalised to the bare geometry; None clears the outline. ApplicationError otherwise."""
    if value in (None, "", {}):
        return None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ApplicationError(errors.GEOMETRY_TYPE, field="geometry")
    coords: Any = value.get("coordinates")
    polygons: list[Any] = [coords] if value["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise ApplicationError(errors.GEOMETRY_RING, field="geometry")
    if not all(isinstance(p, list) and p for p in polygons):
        raise ApplicationError(errors.GEOMETRY_RING, field="geometry")
    cleaned = [[_ring(r) for r in polygon] for polygon in polygons]
    if sum(len(r) for p in cleaned for r in p) > MAX_POINTS:
        raise ApplicationError(errors.GEOMETRY_TOO_BIG, field="geometry")
    if value["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": cleaned[0]}
    return {"type": "MultiPolygon", "coordinates": cleaned}


def convex_hull(points: list[tuple[float, float]]) -> dict[str, Any] | None:
    """The convex hull of (lon, lat) points as a GeoJSON Polygon (Andrew's monotone chain);
    None for fewer than three distinct points not all on a line."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return None

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    hull = lower[:-1] + upper[:-1]
    if len(hull) < 3:
        return None
    ring = [[lon, lat] for lon, lat in hull]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

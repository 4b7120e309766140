"""Demo street: one district, one street, 4 communities, 12 grids, 200 buildings with
coordinates (around Pudong, Shanghai). Idempotent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from wushe.areas.levels import Level
from wushe.areas.models import Area

DISTRICT = ("310115000000", "浦东新区")
STREET = ("310115901000", "明珠街道")
COMMUNITIES = [
    ("310115901001", "明珠一村社区", (121.5390, 31.2250)),
    ("310115901002", "东园社区", (121.5480, 31.2262)),
    ("310115901003", "锦绣社区", (121.5405, 31.2170)),
    ("310115901004", "滨江社区", (121.5500, 31.2180)),
]
GRIDS_PER_COMMUNITY = 3
BUILDINGS_PER_COMMUNITY = 50


def _area(code: str, name: str, level: str, parent: Area | None, lonlat: Any = None) -> Area:
    path = f"{parent.path if parent else '/'}{code}/"
    lon, lat = (
        (Decimal(f"{lonlat[0]:.6f}"), Decimal(f"{lonlat[1]:.6f}")) if lonlat else (None, None)
    )
    area, _ = Area.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "parent": parent,
            "path": path,
            "lon": lon,
            "lat": lat,
            "is_active": True,
            "merged_into": None,
        },
    )
    return area


def build(context: Any) -> None:
    rng = context.rng
    district = _area(*DISTRICT, Level.DISTRICT, None)
    street = _area(*STREET, Level.STREET, district)
    communities, grids, buildings = [], [], []
    for code, name, (lon, lat) in COMMUNITIES:
        community = _area(code, name, Level.COMMUNITY, street)
        communities.append(community)
        community_grids = [
            _area(f"{code}{g:03d}", f"{name}第{g}网格", Level.GRID, community)
            for g in range(1, GRIDS_PER_COMMUNITY + 1)
        ]
        grids.extend(community_grids)
        for b in range(1, BUILDINGS_PER_COMMUNITY + 1):
            grid = community_grids[(b - 1) * GRIDS_PER_COMMUNITY // BUILDINGS_PER_COMMUNITY]
            # Buildings on a rough 10 x 5 block, ~40 m apart, with some jitter.
            x = lon + ((b - 1) % 10) * 0.00042 + rng.uniform(-0.00008, 0.00008)
            y = lat - ((b - 1) // 10) * 0.00036 + rng.uniform(-0.00008, 0.00008)
            buildings.append(
                _area(
                    f"{grid.code}{b:04d}",
                    f"{name.removesuffix('社区')}{b}号楼",
                    Level.BUILDING,
                    grid,
                    (x, y),
                )
            )
    context.data.update(
        district=district, street=street, communities=communities, grids=grids, buildings=buildings
    )
    context.out.write(
        _(
            "areas: {district} › {street}: {communities} communities, {grids} grids, "
            "{buildings} buildings"
        ).format(
            district=district.name,
            street=street.name,
            communities=len(communities),
            grids=len(grids),
            buildings=len(buildings),
        )
        + "\n"
    )

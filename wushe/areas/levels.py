"""Area levels, which level may sit under which, and the shape of each level's code.

District, street and community codes are the national statistical division codes in their
12-digit form (6 county + 3 street + 3 community, padded with zeros: a district is
``310115000000``). A grid extends its community's code by 3 digits; a building extends its
parent's code (grid or community) by 4 digits. Codes are identities: they never change, even
when a grid or building later moves; scoping follows the ``path`` instead.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    DISTRICT = "district", _("district")
    STREET = "street", _("street / township")
    COMMUNITY = "community", _("community / village")
    GRID = "grid", _("grid")
    BUILDING = "building", _("building")


ORDER = [Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING]
# Levels that take a drawn outline (buildings are points; districts are above dispatch).
OUTLINED = (Level.STREET, Level.COMMUNITY, Level.GRID)
RANK: dict[str, int] = {level.value: i for i, level in enumerate(ORDER)}

ALLOWED_PARENTS: dict[str, set[str]] = {
    Level.DISTRICT: set(),
    Level.STREET: {Level.DISTRICT},
    Level.COMMUNITY: {Level.STREET},
    Level.GRID: {Level.COMMUNITY},
    Level.BUILDING: {Level.GRID, Level.COMMUNITY},
}

# Names people write in the level column, mapped to the level.
LEVEL_NAMES: dict[str, str] = {
    "district": Level.DISTRICT,
    "区": Level.DISTRICT,
    "区县": Level.DISTRICT,
    "县": Level.DISTRICT,
    "县区": Level.DISTRICT,
    "县级": Level.DISTRICT,
    "street": Level.STREET,
    "街道": Level.STREET,
    "乡镇": Level.STREET,
    "镇": Level.STREET,
    "乡": Level.STREET,
    "街镇": Level.STREET,
    "乡级": Level.STREET,
    "community": Level.COMMUNITY,
    "社区": Level.COMMUNITY,
    "村": Level.COMMUNITY,
    "居委会": Level.COMMUNITY,
    "村委会": Level.COMMUNITY,
    "社区/村": Level.COMMUNITY,
    "村级": Level.COMMUNITY,
    "grid": Level.GRID,
    "网格": Level.GRID,
    "building": Level.BUILDING,
    "楼栋": Level.BUILDING,
    "楼宇": Level.BUILDING,
    "楼": Level.BUILDING,
    "楼号": Level.BUILDING,
}


def parent_code_of(code: str, level: str) -> str | None:
    """The parent's code implied by ``code`` (a building's is its code less 4 digits)."""
    if level == Level.DISTRICT:
        return None
    if level == Level.STREET:
        return code[:6] + "000000"
    if level == Level.COMMUNITY:
        return code[:9] + "000"
    if level == Level.GRID:
        return code[:12]
    return code[:-4]


def code_matches_level(code: str, level: str) -> bool:
    if not code.isdigit():
        return False
    if level == Level.DISTRICT:
        return len(code) == 12 and code[6:] == "000000" and code[4:6] != "00"
    if level == Level.STREET:
        return len(code) == 12 and code[9:] == "000" and code[6:9] != "000"
    if level == Level.COMMUNITY:
        return len(code) == 12 and code[9:] != "000"
    if level == Level.GRID:
        return len(code) == 15
    return len(code) in (16, 19)


def expand_code(code: str, level: str) -> str:
    """Accept the short forms people type (6-digit district, 9-digit street)."""
    if level == Level.DISTRICT and len(code) == 6:
        return code + "000000"
    if level == Level.STREET and len(code) == 9:
        return code + "000"
    return code


def child_extends_parent(code: str, level: str, parent_code: str, parent_level: str) -> bool:
    """Whether a new area's code carries its parent's code (the national code rules)."""
    significant = {"district": 6, "street": 9}.get(parent_level, len(parent_code))
    return code.startswith(parent_code[:significant]) and code != parent_code

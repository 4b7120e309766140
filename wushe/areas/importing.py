"""Turn one spreadsheet row into a validated area row, or a reason to reject it.

Validation only; the writes happen in ``services.area_import``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from wushe.areas import errors
from wushe.areas.levels import LEVEL_NAMES, Level, code_matches_level, expand_code, parent_code_of
from wushe.core.errors import ApplicationError

COLUMNS: dict[str, list[str]] = {
    "code": ["代码", "区划代码", "统计用区划代码", "编码", "编号", "area code"],
    "name": ["名称", "区划名称", "名字", "area name"],
    "level": ["层级", "级别", "类型", "层次", "type"],
    "parent_code": ["上级代码", "上级编码", "上级区划代码", "父级代码", "parent", "parent code"],
    "lon": ["经度", "longitude", "lng"],
    "lat": ["纬度", "latitude"],
}
REQUIRED = ["code", "name", "level"]
COLUMN_LABELS = {
    "code": _("code"),
    "name": _("name"),
    "level": _("level"),
    "parent_code": _("parent code"),
    "lon": _("longitude"),
    "lat": _("latitude"),
}


@dataclass(frozen=True)
class AreaRow:
    row: int
    code: str
    name: str
    level: str
    parent_code: str | None
    lon: Decimal | None
    lat: Decimal | None


def parse_code(value: Any, field: str = "code") -> str:
    """A code as digits, accepting what spreadsheets do to it: full-width digits, spaces,
    a leading apostrophe, an integral float ``310115004001.0``; refusing lost digits."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicationError(errors.CODE_REQUIRED, field=field)
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= 1e15:
            raise ApplicationError(errors.CODE_LOST_DIGITS.format(value=value), field=field)
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().lstrip("'").replace(" ", "")
    if "e+" in text.lower():
        raise ApplicationError(errors.CODE_LOST_DIGITS.format(value=text), field=field)
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not text.isdigit():
        raise ApplicationError(errors.CODE_NOT_DIGITS.format(code=text), field=field)
    return text


def parse_level(value: Any) -> str:
    if value is None or not str(value).strip():
        raise ApplicationError(errors.LEVEL_REQUIRED, field="level")
    key = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if key not in LEVEL_NAMES:
        raise ApplicationError(errors.LEVEL_UNKNOWN.format(value=str(value)), field="level")
    return LEVEL_NAMES[key]


def parse_coordinate(value: Any, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ApplicationError(
            errors.COORD_NOT_NUMBER.format(field=COLUMN_LABELS[field], value=value), field=field
        ) from exc
    if not number.is_finite():
        raise ApplicationError(
            errors.COORD_NOT_NUMBER.format(field=COLUMN_LABELS[field], value=value), field=field
        )
    return number.quantize(Decimal("0.000001"))


def parse_row(number: int, values: dict[str, Any]) -> AreaRow:
    """Validate one row on its own (the parent is checked against the tree later)."""
    level = parse_level(values.get("level"))
    code = expand_code(parse_code(values.get("code")), level)
    if not code_matches_level(code, level):
        raise ApplicationError(
            errors.CODE_LEVEL_MISMATCH.format(code=code, level=Level(level).label), field="code"
        )
    name = str(values.get("name") or "").strip()
    if not name:
        raise ApplicationError(errors.NAME_REQUIRED, field="name")
    raw_parent = values.get("parent_code")
    parent_code = None
    if raw_parent is not None and str(raw_parent).strip():
        parent_code = parse_code(raw_parent, field="parent_code")
        if len(parent_code) in (6, 9):
            parent_code = parent_code.ljust(12, "0")
    else:
        parent_code = parent_code_of(code, level)
    lon = parse_coordinate(values.get("lon"), "lon")
    lat = parse_coordinate(values.get("lat"), "lat")
    if (lon is None) != (lat is None):
        raise ApplicationError(errors.COORD_BOTH, field="lon" if lon is None else "lat")
    if lon is not None and lat is not None and not (73 <= lon <= 136 and 3 <= lat <= 54):
        raise ApplicationError(errors.COORD_OUTSIDE.format(lon=lon, lat=lat), field="lon")
    return AreaRow(number, code, name, level, parent_code, lon, lat)

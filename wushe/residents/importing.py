"""Turn one canvass-sheet row (摸排表) into a validated resident row, a reason to skip it, or a
reason to reject it. Validation only; the writes happen in ``services.resident_import``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from wushe.core.errors import ApplicationError
from wushe.residents import errors
from wushe.residents.idnumbers import IdNumber, gender_warning, parse_gender, parse_id_number
from wushe.residents.phones import parse_phones
from wushe.residents.tags import DEFAULT_SYNONYMS, Categories, parse_categories

NAME_MAX = 50

COLUMNS: dict[str, list[str]] = {
    "serial": ["序号", "编号", "no", "no."],
    "name": ["姓名", "名字", "居民姓名", "人员姓名", "name"],
    "id_number": [
        "身份证号",
        "身份证号码",
        "证件号码",
        "证件号",
        "身份证",
        "公民身份号码",
        "身份证件号码",
        "id number",
    ],
    "gender": ["性别", "gender", "sex"],
    "phone": [
        "联系电话",
        "手机号",
        "手机号码",
        "电话",
        "联系方式",
        "手机",
        "电话号码",
        "本人电话",
        "phone",
    ],
    "building": ["楼号", "楼栋", "楼栋号", "幢号", "楼宇", "幢", "栋", "building"],
    "unit": ["单元", "单元号", "unit"],
    "room": ["门牌号", "房号", "室号", "房间号", "户号", "门牌", "room"],
    "address": ["地址", "住址", "家庭住址", "居住地址", "现住址", "现居住地址", "address"],
    "categories": [
        "人员类别",
        "类别",
        "人群类别",
        "重点人群类别",
        "人员类型",
        "重点人群",
        "特殊人群类别",
        "人员分类",
        "categories",
    ],
    "health_notes": ["健康状况", "病情", "健康情况", "身体状况", "疾病情况", "health"],
    "treatment_schedule": ["治疗时间", "透析时间", "治疗安排", "治疗周期", "就医时间"],
    "emergency_contact": ["紧急联系人", "紧急联系人姓名", "emergency contact"],
    "emergency_phone": ["紧急联系人电话", "紧急联系电话", "紧急联系人手机", "紧急联系人联系方式"],
    "guardian": ["监护人", "监护人姓名", "guardian"],
    "guardian_phone": ["监护人电话", "监护人联系电话", "监护人手机"],
    "notes": ["备注", "情况说明", "说明", "其他情况", "notes"],
}
REQUIRED = ["name"]
COLUMN_LABELS = {
    "name": _("name"),
    "id_number": _("ID number"),
    "phone": _("phone"),
    "building": _("building"),
}

_TOTAL_WORDS = ("合计", "小计", "总计", "共计", "总数")
_SIGNATURE = re.compile(r"(填表人|审核人|签字|签名|制表人|填报人|负责人|盖章|填表日期|填报日期)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACES = re.compile(r"\s+")
_BUILDING = re.compile(r"(\d+)\s*(?:号楼|号|幢|栋|楼)?")
_ADDRESS = re.compile(
    r"(?:(?P<building>\d+)\s*(?:号楼|幢|栋|号))?\s*(?:(?P<unit>\d+)\s*单元)?\s*"
    r"(?:(?P<room>\d+)\s*(?:室|号|户)?)?\s*$"
)


@dataclass
class ResidentRow:
    row: int
    name: str
    id_number: IdNumber | None
    phones: list[str]
    building: str | None  # as written: "12", "12号楼", a building code
    unit: str
    room: str
    tags: dict[str, dict[str, Any]]
    health_notes: str
    emergency_contact: str
    emergency_phone: str
    guardian: str
    guardian_phone: str
    notes: str
    gender: str | None
    warnings: list[str] = field(default_factory=list)
    building_label: str = ""  # the building as written, for messages

    @property
    def birth_date(self) -> datetime.date | None:
        return self.id_number.birth_date if self.id_number else None


def skip_reason(values: dict[str, Any]) -> Any:
    """Why this row is not a resident at all (blank, a total, a signature line), or None."""
    texts: list[str] = []  # the first three non-empty cells: all that is looked at below
    for value in values.values():
        if value is not None:
            text = str(value).strip()
            if text:
                texts.append(text)
                if len(texts) == 3:
                    break
    if not texts:
        return errors.BLANK_ROW
    head = unicodedata.normalize("NFKC", "".join(texts[0].split()))
    name = unicodedata.normalize("NFKC", "".join(str(values.get("name") or "").split()))
    if head.startswith(_TOTAL_WORDS) or name.startswith(_TOTAL_WORDS):
        return errors.TOTAL_ROW
    if _SIGNATURE.search("\x00".join(texts)):  # one search: no signature word spans a \x00
        return errors.SIGNATURE_ROW
    return None


def _text(value: Any, limit: int = 1000) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()[:limit]


@lru_cache(maxsize=4096, typed=True)
def _short(value: Any) -> str:
    # Building, unit and room cells: a sheet repeats a few hundred of them, hence the cache.
    return "".join(_text(value, 20).split())  # str.split() and \s agree on whitespace


def split_address(address: str) -> tuple[str | None, str, str]:
    """(building, unit, room) from the tail of an address: "…12号楼3单元502室"."""
    match = _ADDRESS.search(unicodedata.normalize("NFKC", address))
    if not match:
        return None, "", ""
    return match.group("building"), match.group("unit") or "", match.group("room") or ""


def parse_row(
    number: int,
    values: dict[str, Any],
    synonyms: dict[str, str] = DEFAULT_SYNONYMS,
    *,
    read_categories: Callable[[Any], Categories] | None = None,
    today: datetime.date | None = None,
) -> ResidentRow:
    """Validate one row on its own (its building is resolved against the tree later).
    ``read_categories``: a ``tags.CategoryReader`` over ``synonyms``, for many rows;
    ``today``: the import's date (no birth date after it), the system's date by default."""
    name = _text(values.get("name"), 200)
    name = _SPACES.sub("", name) if _CJK.search(name) else name
    if not name:
        raise ApplicationError(errors.NAME_REQUIRED, field="name")
    if len(name) > NAME_MAX:
        raise ApplicationError(
            errors.NAME_TOO_LONG.format(value=name, limit=NAME_MAX), field="name"
        )
    raw_id = values.get("id_number")
    id_number = None
    if raw_id is not None and str(raw_id).strip():
        id_number = parse_id_number(raw_id, today=today)
    phones = parse_phones(values.get("phone"), field="phone")
    if id_number is None and not phones:
        raise ApplicationError(errors.ID_OR_PHONE_REQUIRED, field="id_number")
    warnings: list[str] = []
    gender = parse_gender(values.get("gender"))
    if id_number is not None:
        warning = gender_warning(gender, id_number)
        if warning:
            warnings.append(warning)
        gender = id_number.gender
    if read_categories is None:
        categories = parse_categories(values.get("categories"), synonyms)
    else:
        categories = read_categories(values.get("categories"))
    if categories.unknown:
        warnings.append(str(errors.UNKNOWN_CATEGORIES.format(names="、".join(categories.unknown))))
    schedule = _text(values.get("treatment_schedule"), 200)
    if schedule and "critical_treatment" in categories.tags:
        categories.tags["critical_treatment"].setdefault("schedule", schedule)
    building, unit, room = (
        (_short(values.get("building")) or None),
        _short(values.get("unit")),
        _short(values.get("room")),
    )
    address = _text(values.get("address"), 200)
    if address and not (building and room):
        a_building, a_unit, a_room = split_address(address)
        building = building or a_building
        unit = unit or a_unit
        room = room or a_room
    emergency_phone = parse_phones(values.get("emergency_phone"), field="emergency_phone")
    guardian_phone = parse_phones(values.get("guardian_phone"), field="guardian_phone")
    return ResidentRow(
        row=number,
        name=name,
        id_number=id_number,
        phones=phones,
        building=_strip_building(building),
        unit=_strip_suffix(unit, "单元"),
        room=_strip_suffix(room, "室"),
        tags=categories.tags,
        health_notes=_text(values.get("health_notes")),
        emergency_contact=_text(values.get("emergency_contact"), 50),
        emergency_phone=emergency_phone[0] if emergency_phone else "",
        guardian=_text(values.get("guardian"), 50),
        guardian_phone=guardian_phone[0] if guardian_phone else "",
        notes=_text(values.get("notes")),
        gender=gender,
        warnings=warnings,
        building_label=building or "",
    )


def _strip_suffix(text: str, suffix: str) -> str:
    return text[: -len(suffix)] if text.endswith(suffix) else text


@lru_cache(maxsize=4096)
def _strip_building(text: str | None) -> str | None:
    if not text:
        return None
    match = _BUILDING.fullmatch(text)
    return match.group(1) if match else text

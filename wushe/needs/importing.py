"""Hotline work-order import (12345 工单) as the hotline exports them: every row accounted for
(created, updated, unchanged, skipped, rejected); a work order imported twice stays one request
(the work-order number is unique). A work order already known in another area (or outside the
actor's scope) is rejected, never moved; total and signature lines are skipped as the canvass
import skips them."""

from __future__ import annotations

import datetime
import re
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.areas.levels import Level
from wushe.areas.models import Area
from wushe.core.errors import ApplicationError
from wushe.core.imports import ImportReport
from wushe.core.scoping import path_in_scope
from wushe.core.tables import read_table
from wushe.needs import errors, services
from wushe.needs.models import Category, Channel, Need
from wushe.residents.importing import skip_reason

SYNONYMS = {
    "order_no": ["工单号", "工单编号", "编号", "work order"],
    "called_at": ["来电时间", "受理时间", "call time"],
    "caller": ["来电人", "来电人姓名", "姓名", "caller"],
    "phone": ["联系电话", "来电号码", "电话", "phone"],
    "address": ["地址", "事发地址", "住址", "address"],
    "type": ["诉求类型", "类型", "问题类型", "type"],
    "content": ["诉求内容", "内容", "问题描述", "content"],
    "urgency": ["紧急程度", "紧急", "urgency"],
    "deadline": ["办结时限", "办理时限", "时限", "deadline"],
}
CATEGORY_WORDS: list[tuple[str, str]] = [
    ("中药", Category.HERBAL),
    ("门磁", Category.DOOR_SENSOR),
    ("抗原", Category.ANTIGEN),
    ("核酸", Category.SAMPLING),
    ("采样", Category.SAMPLING),
    ("心理", Category.PSYCHOLOGICAL),
    ("透析", Category.ESCORT),
    ("化疗", Category.ESCORT),
    ("就医", Category.ESCORT),
    ("转运", Category.ESCORT),
    ("医院", Category.ESCORT),
    ("配药", Category.MEDICINE),
    ("取药", Category.MEDICINE),
    ("药", Category.MEDICINE),
    ("买菜", Category.GROCERIES),
    ("物资", Category.GROCERIES),
    ("送货", Category.GROCERIES),
    ("生活", Category.GROCERIES),
]
EMERGENCY_WORDS = ("特急", "特别紧急", "危急", "紧急医疗")

MISSING_ORDER_NO = _("The work-order number (工单号) is missing.")
MISSING_CONTENT = _("Both the type (诉求类型) and the content (诉求内容) are empty.")
MISSING_CONTACT = _("Neither a caller (来电人) nor a phone (联系电话) is given.")
BAD_DEADLINE = _("The deadline (办结时限) “{value}” is not a date.")
REPEATED_ORDER_NO = _("The work order {order_no} appears again; first in row {row}.")
ORDER_NO_IN_OTHER_AREA = _(
    "The work order {order_no} is already a request in {area}, outside the area imported "
    "into; it was left there."
)
ORDER_NO_OUT_OF_SCOPE = _(
    "The work order {order_no} is already a request outside your area; it was left there."
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def category_of(type_text: str, content: str) -> str:
    for word, category in CATEGORY_WORDS:
        if word in type_text:
            return category
    for word, category in CATEGORY_WORDS:
        if word in content:
            return category
    return Category.OTHER


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _when(value: Any) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time(23, 59))
    else:
        text = re.sub(r"[年月/.]", "-", str(value).strip()).replace("日", "")
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(text) from exc
        if len(text) <= 10:
            moment = moment.replace(hour=23, minute=59)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class _DryRunError(Exception):
    pass


def _building_in(area: Area, address: str, buildings: list[Area]) -> Area:
    matches = [b for b in buildings if b.name and b.name in address]
    return max(matches, key=lambda b: len(b.name)) if matches else area


def need_import_hotline(
    *, actor: Any, source: str | Any | IO[bytes], filename: str, area: Area, dry_run: bool = False
) -> ImportReport:
    """Import a 12345 work-order sheet into ``area`` (a street or community)."""
    if not path_in_scope(area.path, actor):
        raise ApplicationError(errors.AREA_OUT_OF_SCOPE, field="area")
    table = read_table(source, filename=filename, synonyms=SYNONYMS, required=["order_no"])
    report = ImportReport(
        dry_run=dry_run, header_row=table.header_row, unknown_columns=table.unknown_columns
    )
    buildings = list(Area.objects.filter(path__startswith=area.path, level=Level.BUILDING))
    seen: dict[str, int] = {}  # work-order number -> the first row that gave it
    try:
        with transaction.atomic():
            for row in table.rows:
                if row.is_blank():
                    report.skip(row.number, _("empty row"))
                    continue
                reason = skip_reason(row.values)
                # A real work order (its number has no Chinese: not 合计 or 填表人) is never
                # taken for a footer, whatever its other cells say.
                order_no = _text(row.values.get("order_no"))
                if reason is not None and (not order_no or _CJK.search(order_no)):
                    report.skip(row.number, reason)
                    continue
                _import_row(actor, area, buildings, row.number, row.values, report, seen)
            if dry_run:
                raise _DryRunError
    except _DryRunError:
        pass
    return report


def _import_row(
    actor: Any,
    area: Area,
    buildings: list[Area],
    number: int,
    values: dict[str, Any],
    report: ImportReport,
    seen: dict[str, int],
) -> None:
    order_no = _text(values.get("order_no"))
    if not order_no:
        report.reject(number, MISSING_ORDER_NO, "order_no")
        return
    type_text, content = _text(values.get("type")), _text(values.get("content"))
    if not (type_text or content):
        report.reject(number, MISSING_CONTENT, "content")
        return
    caller, phone = _text(values.get("caller")), _text(values.get("phone"))
    if not (caller or phone):
        report.reject(number, MISSING_CONTACT, "caller")
        return
    try:
        given = _when(values.get("deadline"))
    except ValueError:
        report.reject(number, BAD_DEADLINE.format(value=_text(values.get("deadline"))), "deadline")
        return
    deadline = given
    if deadline is not None and deadline < timezone.now():
        deadline = None  # the hotline's own deadline passed: the SLA clock decides
    first = seen.setdefault(order_no, number)
    if first != number:
        report.reject(number, REPEATED_ORDER_NO.format(order_no=order_no, row=first), "order_no")
        return
    description = f"{type_text}：{content}" if type_text else content
    existing = Need.objects.filter(hotline_order_no=order_no).select_related("area").first()
    if existing is not None:
        if not path_in_scope(existing.area.path, actor):
            report.reject(number, ORDER_NO_OUT_OF_SCOPE.format(order_no=order_no), "order_no")
            return
        if not existing.area.path.startswith(area.path):
            message = ORDER_NO_IN_OTHER_AREA.format(order_no=order_no, area=existing.area.name)
            report.reject(number, message, "order_no")
            return
        if existing.description == description and existing.deadline in (deadline, given):
            report.unchanged += 1
            return
        try:
            services.need_update_facts(
                actor=actor, need=existing, description=description, deadline=deadline
            )
        except ApplicationError as exc:
            report.reject(number, exc.message, exc.field)
            return
        report.updated += 1
        return
    address = _text(values.get("address"))
    try:
        with transaction.atomic():
            services.need_create(
                actor=actor,
                area=_building_in(area, address, buildings),
                category=category_of(type_text, content),
                channel=Channel.HOTLINE,
                caller_name=caller,
                caller_phone=phone,
                address=address,
                description=description,
                medical_emergency=any(w in _text(values.get("urgency")) for w in EMERGENCY_WORDS),
                deadline=deadline,
                hotline_order_no=order_no,
            )
    except ApplicationError as exc:
        report.reject(number, exc.message, exc.field)
        return
    report.created += 1

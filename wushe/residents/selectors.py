"""Reads of the registry, always scoped by the requesting user."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from wushe.areas.levels import Level
from wushe.areas.models import Area
from wushe.core.privacy import Access, blind_index, blind_tail
from wushe.core.privacy.policy import role_of, rule_for
from wushe.core.scoping import get_scoped, scoped
from wushe.residents.models import Household, Resident, ResidentTag, Tag
from wushe.residents.pinyin import search_key
from wushe.residents.tags import CHILD, ELDERLY_60, ELDERLY_80

_DIGITS = re.compile(r"^\d{3}[\dXx]$")
_WHOLE_ID = re.compile(r"\d{17}[\dXx]|\d{15}")
_WHOLE_PHONE = re.compile(r"\+?[\d\-()]{7,}")


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def derived_q(code: str, *, today: datetime.date | None = None) -> Q | None:
    """The filter for an age tag (computed from the birth date, or typed when there is none)."""
    today = today or timezone.localdate()
    typed = Q(birth_date__isnull=True, tag_links__tag__code=code)
    if code == ELDERLY_60:
        return Q(birth_date__lte=_years_before(today, 60)) | typed
    if code == ELDERLY_80:
        return Q(birth_date__lte=_years_before(today, 80)) | typed
    if code == CHILD:
        return Q(birth_date__gt=_years_before(today, 14)) | typed
    return None


def resident_list(
    *,
    actor: Any,
    search: str | None = None,
    tag: str | None = None,
    area_code: str | None = None,
) -> QuerySet[Resident]:
    """Residents in scope. ``search``: a name, pinyin (full or initials), the last four of a
    phone or ID number, a whole phone or ID number, or a building name."""
    qs = scoped(Resident.objects.filter(is_active=True), actor)
    if area_code:
        area = Area.objects.filter(code=area_code).only("path").first()
        qs = qs.filter(area__path__startswith=area.path) if area else qs.none()
    if tag:
        q = derived_q(tag)
        qs = qs.filter(q if q is not None else Q(tag_links__tag__code=tag))
    if search:
        qs = qs.filter(search_q(search, actor=actor))
    if tag or search:
        qs = qs.distinct()
    return qs.select_related("area", "household__building").prefetch_related(
        Prefetch("tag_links", queryset=ResidentTag.objects.select_related("tag"))
    )


def _may_match(actor: Any, kind: str, *, whole: bool) -> bool:
    """Whether ``actor`` may search by a value of ``kind``: by its last four when they see it
    at all, by the whole value only when they see it in full or may reveal it. A hit confirms
    a guess, so a role that sees ``138****5678`` would otherwise find the full number in at
    most 10,000 searches, with nothing in the access log."""
    rule = rule_for(kind, role_of(actor))
    if whole:
        return rule.show is Access.FULL or rule.may_reveal
    return rule.show is not Access.HIDDEN


def _compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _whole_kind(compact: str) -> str | None:
    """``id_number`` or ``phone`` when ``compact`` is a whole one (not a last four)."""
    if _DIGITS.match(compact):
        return None
    if len(compact) >= 15 and _WHOLE_ID.fullmatch(compact):
        return "id_number"
    if _WHOLE_PHONE.fullmatch(compact):
        return "phone"
    return None


def whole_number_field(text: str, *, actor: Any) -> str | None:
    """The Resident field (``id_number`` or ``phone``) that ``search_q`` matches ``text`` with
    as a whole number for ``actor``; ``None`` for any other search, or one the actor may not
    make (it finds nobody)."""
    kind = _whole_kind(_compact(text))
    return kind if kind and _may_match(actor, kind, whole=True) else None


def search_q(text: str, *, actor: Any) -> Q:
    compact = _compact(text)
    nothing = Q(pk__in=[])
    if _DIGITS.match(compact):
        q = nothing
        if _may_match(actor, "phone", whole=False):
            q |= Q(phone_tail=blind_tail("phone", compact))
        if _may_match(actor, "id_number", whole=False):
            q |= Q(id_number_tail=blind_tail("id_number", compact.upper()))
        return q
    kind = _whole_kind(compact)
    if kind == "id_number":
        if not _may_match(actor, "id_number", whole=True):
            return nothing
        return Q(id_number_index=blind_index("id_number", compact))
    if kind == "phone":
        if not _may_match(actor, "phone", whole=True):
            return nothing
        return Q(phone_index=blind_index("phone", compact))
    key = search_key(compact)
    if key and key == compact.lower():
        return Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key)
    return (
        Q(name__icontains=compact)
        | Q(area__name__icontains=compact)
        | Q(household__building__name__icontains=compact)
    )


def resident_get_for(actor: Any, pk: Any) -> Resident:
    """The resident if the actor may see them; NotFoundError alike for missing and foreign."""
    return get_scoped(
        Resident.objects.select_related(
            "area", "household__building", "created_by"
        ).prefetch_related(
            Prefetch("tag_links", queryset=ResidentTag.objects.select_related("tag"))
        ),
        actor,
        pk=pk,
    )


def household_get_for(actor: Any, pk: Any) -> Household:
    return get_scoped(Household.objects.select_related("building"), actor, pk=pk)


def household_members(*, actor: Any, household: Household) -> QuerySet[Resident]:
    return resident_list(actor=actor).filter(household=household)


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.filter(is_active=True)


def sees_tag_details(actor: Any) -> bool:
    """Whether ``actor`` sees a tag's details (treatment and its schedule, disability category
    and grade, the sheet's remark): health notes, so only for the roles that may reveal one."""
    return rule_for("health_note", role_of(actor)).may_reveal


def resident_tags(
    resident: Resident,
    *,
    today: datetime.date | None = None,
    names: dict[str, str] | None = None,
    details: bool = True,
) -> list[dict[str, Any]]:
    """Stored tags with details, plus the age tags that follow from the birth date.

    For a list, pass ``names`` (``tag_names()``) once, or each row costs a query. For output
    to a user, pass ``details=sees_tag_details(user)``."""
    today = today or timezone.localdate()
    tags: list[dict[str, Any]] = []
    if resident.birth_date is not None:
        age = (
            today.year
            - resident.birth_date.year
            - ((today.month, today.day) < (resident.birth_date.month, resident.birth_date.day))
        )
        derived = [
            c
            for c, ok in ((ELDERLY_80, age >= 80), (ELDERLY_60, age >= 60), (CHILD, age < 14))
            if ok
        ]
        names = names if names is not None else tag_names()
        tags.extend({"code": c, "name": names.get(c, c), "derived": True} for c in derived)
    for link in resident.tag_links.all():
        detail = {
            "disability_category": link.get_disability_category_display()
            if link.disability_category
            else "",
            "disability_grade": link.disability_grade,
            "treatment": link.get_treatment_display() if link.treatment else "",
            "schedule": link.schedule or "",
            "note": link.note or "",
        }
        tags.append(
            {
                "code": link.tag.code,
                "name": link.tag.name,
                "derived": False,
                **({k: v for k, v in detail.items() if v} if details else {}),
            }
        )
    return tags


def tag_names() -> dict[str, str]:
    return dict(Tag.objects.values_list("code", "name"))


def key_population_counts(*, actor: Any) -> dict[str, Any]:
    """Key-population counts per community and per grid in the actor's scope.

    Returns ``{"tags": [(code, name)], "rows": [{"area": Area, "level", "total", "counts":
    {code: n}}]}``: communities, each followed by its grids. A person with two tags counts
    once under each; ``total`` counts people."""
    today = timezone.localdate()
    residents = scoped(Resident.objects.filter(is_active=True), actor)
    by_area: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    age_rows = (
        residents.values("area__path")
        .annotate(
            total=Count("id"),
            e60=Count("id", filter=Q(birth_date__lte=_years_before(today, 60))),
            e80=Count("id", filter=Q(birth_date__lte=_years_before(today, 80))),
            child=Count("id", filter=Q(birth_date__gt=_years_before(today, 14))),
        )
        .order_by()
    )
    for row in age_rows:
        counts = by_area[row["area__path"]]
        counts["__total"] += row["total"]
        counts[ELDERLY_60] += row["e60"]
        counts[ELDERLY_80] += row["e80"]
        counts[CHILD] += row["child"]
    tag_rows = (
        ResidentTag.objects.filter(resident__in=residents)
        .exclude(tag__derived=True, resident__birth_date__isnull=False)
        .values("resident__area__path", "tag__code")
        .annotate(n=Count("resident", distinct=True))
        .order_by()
    )
    for row in tag_rows:
        by_area[row["resident__area__path"]][row["tag__code"]] += row["n"]
    # Roll each area's counts up to its community and grid (path segments 3 and 4).
    rolled: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path, counts in by_area.items():
        codes = [c for c in path.strip("/").split("/") if c]
        for depth in (3, 4):
            if len(codes) >= depth:
                for code, n in counts.items():
                    rolled[codes[depth - 1]][code] += n
    areas = {
        a.code: a
        for a in Area.objects.filter(code__in=list(rolled), level__in=[Level.COMMUNITY, Level.GRID])
    }
    tags = list(tag_list().values_list("code", "name"))
    rows = [
        {
            "area": area,
            "level": area.level,
            "total": rolled[area.code].get("__total", 0),
            "counts": {code: rolled[area.code].get(code, 0) for code, _name in tags},
        }
        for area in sorted(areas.values(), key=lambda a: a.path)
    ]
    return {"tags": tags, "rows": rows}

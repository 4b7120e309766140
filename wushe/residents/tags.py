"""Key-population tags (重点人群): the defaults and the mapping of the categories communities
write (``人员类别``: "独居老人、透析（周二四六）/低保") to tags with their details.

The tags themselves are data (``models.Tag``, loaded with these defaults by a data migration, so
a street can add its own synonyms); the functions here are pure and take the synonym table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Tags derived from the birth date, never typed in: elderly 60+/80+, children under 14.
ELDERLY_60 = "elderly_60"
ELDERLY_80 = "elderly_80"
CHILD = "child"
DISABLED = "disabled"
CRITICAL_TREATMENT = "critical_treatment"
DERIVED = frozenset({ELDERLY_60, ELDERLY_80, CHILD})

# (code, Chinese name, English name, synonyms, derived, sensitive, order)
DEFAULT_TAGS: list[dict[str, Any]] = [
    {
        "code": ELDERLY_60,
        "name": "老年人（60岁以上）",
        "name_en": "elderly (60+)",
        "synonyms": ["老年人", "老人", "60岁以上", "60岁以上老人"],
        "derived": True,
        "order": 10,
    },
    {
        "code": ELDERLY_80,
        "name": "高龄老人（80岁以上）",
        "name_en": "very old (80+)",
        "synonyms": ["高龄", "高龄老人", "80岁以上", "80岁以上老人"],
        "derived": True,
        "order": 11,
    },
    {
        "code": "living_alone",
        "name": "独居",
        "name_en": "living alone",
        "synonyms": ["独居", "独居老人", "独居人员", "孤寡老人", "孤老"],
        "order": 20,
    },
    {
        "code": "empty_nest",
        "name": "空巢",
        "name_en": "empty-nest",
        "synonyms": ["空巢", "空巢老人", "纯老家庭", "纯老"],
        "order": 21,
    },
    {
        "code": DISABLED,
        "name": "残疾人",
        "name_en": "disabled",
        "synonyms": ["残疾", "残疾人", "残障", "残障人士", "持证残疾人"],
        "sensitive": True,
        "order": 30,
    },
    {
        "code": CHILD,
        "name": "儿童（14岁以下）",
        "name_en": "child (under 14)",
        "synonyms": ["儿童", "14岁以下儿童", "婴幼儿", "留守儿童"],
        "derived": True,
        "sensitive": True,
        "order": 40,
    },
    {
        "code": "pregnant",
        "name": "孕产妇",
        "name_en": "pregnant or postpartum",
        "synonyms": ["孕妇", "孕产妇", "怀孕", "产妇", "待产孕妇"],
        "sensitive": True,
        "order": 50,
    },
    {
        "code": "chronic_illness",
        "name": "慢性病",
        "name_en": "chronic illness",
        "synonyms": ["慢性病", "慢病", "基础病", "慢性病患者", "高血压", "糖尿病", "心脏病"],
        "sensitive": True,
        "order": 60,
    },
    {
        "code": CRITICAL_TREATMENT,
        "name": "需定期治疗（透析、化疗等）",
        "name_en": "time-critical treatment (dialysis, chemotherapy…)",
        "synonyms": [
            "透析",
            "血透",
            "腹透",
            "血液透析",
            "腹膜透析",
            "肾透析",
            "化疗",
            "放疗",
            "放化疗",
            "肿瘤放化疗",
            "定期治疗",
        ],
        "sensitive": True,
        "order": 61,
    },
    {
        "code": "severe_mental_illness",
        "name": "严重精神障碍",
        "name_en": "severe mental illness",
        "synonyms": ["严重精神障碍", "严重精神障碍患者", "精神障碍", "精神病", "重精"],
        "sensitive": True,
        "order": 70,
    },
    {
        "code": "low_income",
        "name": "低保",
        "name_en": "low-income support",
        "synonyms": ["低保", "低保户", "低保对象", "低收入", "低收入家庭", "低边", "低保边缘"],
        "order": 80,
    },
    {
        "code": "extreme_poverty",
        "name": "特困供养",
        "name_en": "extreme-poverty support",
        "synonyms": ["特困", "特困供养", "特困人员", "五保", "五保户"],
        "order": 81,
    },
    {
        "code": "stranded",
        "name": "滞留外地人员",
        "name_en": "stranded non-local",
        "synonyms": [
            "滞留",
            "滞留人员",
            "滞留外地人员",
            "外地滞留人员",
            "滞留外来人员",
            "来沪滞留",
        ],
        "order": 90,
    },
    {
        "code": "frontline_family",
        "name": "一线人员家属",
        "name_en": "front-line worker's family",
        "synonyms": [
            "一线人员家属",
            "一线家属",
            "医护家属",
            "抗疫一线家属",
            "医务人员家属",
            "一线医护人员家属",
        ],
        "order": 100,
    },
]

DISABILITY_CATEGORIES = {
    "视力": "visual",
    "听力": "hearing",
    "言语": "speech",
    "肢体": "physical",
    "智力": "intellectual",
    "精神": "psychiatric",
    "多重": "multiple",
}
TREATMENTS = {
    "透析": "dialysis",
    "血透": "dialysis",
    "腹透": "dialysis",
    "血液透析": "dialysis",
    "腹膜透析": "dialysis",
    "肾透析": "dialysis",
    "化疗": "chemotherapy",
    "放疗": "radiotherapy",
    "放化疗": "chemotherapy",
    "肿瘤放化疗": "chemotherapy",
}
_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_SPLIT = re.compile(r"[、，,/;；|\s]+")
_BRACKETS = re.compile(r"[（(\[【]([^）)\]】]*)[）)\]】]")
_DISABILITY = re.compile(
    r"^(视力|听力|言语|肢体|智力|精神|多重)(?:残疾|残)(?:人)?([一二三四1-4])?级?$"
)
_GRADE_ONLY = re.compile(r"^(?:残疾)?([一二三四1-4])级(?:残疾)?(?:人)?$")
_DISABLED_GRADE = re.compile(r"^残疾(?:人)?([一二三四1-4])级$")


def normalise_category(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def synonym_table(tags: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """normalised synonym (and name, and code) -> tag code."""
    table: dict[str, str] = {}
    for tag in tags:
        for word in [tag["code"], tag["name"], *tag.get("synonyms", [])]:
            table.setdefault(normalise_category(word), tag["code"])
    return table


DEFAULT_SYNONYMS = synonym_table(DEFAULT_TAGS)


@dataclass
class Categories:
    tags: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> details
    unknown: list[str] = field(default_factory=list)

    def add(self, code: str, **details: Any) -> None:
        current = self.tags.setdefault(code, {})
        current.update({k: v for k, v in details.items() if v not in (None, "")})


def parse_categories(value: Any, synonyms: Mapping[str, str] = DEFAULT_SYNONYMS) -> Categories:
    """Tags and details from a 人员类别 cell; words that match no tag are listed in ``unknown``.

    Separators: 、，, / ; | and spaces. A bracket after a word holds its detail: a treatment's
    schedule ("透析（周二四六）"), a disability grade ("肢体残疾（二级）").
    """
    result = Categories()
    if value is None:
        return result
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return result
    # Keep bracketed details attached to their word: protect separators inside brackets.
    protected = _BRACKETS.sub(
        lambda m: "("
        + m.group(1)
        .replace(" ", "\u00a0")
        .replace(",", "\u3002")
        .replace("、", "\u3002")
        .replace("/", "\u2215")
        + ")",
        text,
    )
    last: str | None = None
    for raw in _SPLIT.split(protected):
        word = raw.strip()
        if not word:
            continue
        detail = None
        bracket = _BRACKETS.search(word)
        if bracket:
            detail = (
                bracket.group(1)
                .replace("\u00a0", " ")
                .replace("\u3002", "、")
                .replace("\u2215", "/")
                .strip()
            )
            word = _BRACKETS.sub("", word).strip()
        key = normalise_category(word)
        code = _match(key, detail, synonyms, result, last)
        if code is None:
            result.unknown.append(
                raw.replace("\u00a0", " ").replace("\u3002", "、").replace("\u2215", "/")
            )
        else:
            last = code
    return result


class CategoryReader:
    """``parse_categories`` under one synonym table, remembering the cells it has read (a sheet
    repeats a handful of category texts); every call returns a fresh ``Categories``."""

    LIMIT = 4096  # distinct cells remembered

    def __init__(self, synonyms: Mapping[str, str] = DEFAULT_SYNONYMS) -> None:
        self.synonyms = synonyms
        self._seen: dict[str, Categories] = {}

    def __call__(self, value: Any) -> Categories:
        if not isinstance(value, str):
            return parse_categories(value, self.synonyms)
        known = self._seen.get(value)
        if known is None:
            known = parse_categories(value, self.synonyms)
            if len(self._seen) < self.LIMIT:
                self._seen[value] = known
        return Categories(
            tags={code: dict(details) for code, details in known.tags.items()},
            unknown=list(known.unknown),
        )


def _grade(text: str | None) -> int | None:
    if not text:
        return None
    match = re.search(r"([一二三四1-4])级", text)
    return _GRADES[match.group(1)] if match else None


def _match(
    key: str,
    detail: str | None,
    synonyms: Mapping[str, str],
    result: Categories,
    last: str | None,
) -> str | None:
    if not key:
        return None
    disability = _DISABILITY.match(key)
    if disability:
        grade = _GRADES.get(disability.group(2) or "") or _grade(detail)
        result.add(DISABLED, category=DISABILITY_CATEGORIES[disability.group(1)], grade=grade)
        return DISABLED
    graded = _DISABLED_GRADE.match(key)
    if graded:
        result.add(DISABLED, grade=_GRADES[graded.group(1)])
        return DISABLED
    grade_only = _GRADE_ONLY.match(key)
    if grade_only and last == DISABLED:
        result.add(DISABLED, grade=_GRADES[grade_only.group(1)])
        return DISABLED
    code = synonyms.get(key)
    if code is None:
        return None
    if code == DISABLED:
        result.add(DISABLED, grade=_grade(detail))
    elif code == CRITICAL_TREATMENT:
        result.add(CRITICAL_TREATMENT, treatment=TREATMENTS.get(key), schedule=detail)
    else:
        result.add(code, note=detail)
    return code


def derived_tags(age: int | None) -> set[str]:
    """The tags that follow from age alone: 60+, 80+, under 14."""
    if age is None:
        return set()
    tags = set()
    if age >= 60:
        tags.add(ELDERLY_60)
    if age >= 80:
        tags.add(ELDERLY_80)
    if age < 14:
        tags.add(CHILD)
    return tags

"""Triage as pure functions (no database): the guideline's order, 生命优先、弱势优先、紧迫优先.

``compute(facts, weights)`` gives a ``Priority``: a life-critical need outranks every other
(tier), then the resident's vulnerability (key-population tags, weighted), then the nearness
of the deadline. The score packs the three so one integer sorts the queue:
``tier * 10^6 + vulnerability * 10^3 + urgency`` (vulnerability and urgency each below 1000).

The breakdown is stored as codes with parameters; ``explain`` turns it into plain words in the
active language ("dialysis on Tue 14:00; lives alone; 80+"), naming a treatment or a sensitive
tag only for an audience that may read health details (docs/privacy.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

LIFE = 1_000_000
VULNERABILITY = 1_000

DEFAULT_WEIGHTS: dict[str, Any] = {
    # key-population tag code -> points (their sum is capped at 999)
    "tags": {
        "elderly_80": 40,
        "elderly_60": 15,
        "living_alone": 30,
        "empty_nest": 15,
        "disabled": 30,
        "child": 25,
        "pregnant": 35,
        "chronic_illness": 20,
        "critical_treatment": 40,
        "severe_mental_illness": 25,
        "extreme_poverty": 15,
        "low_income": 10,
        "stranded": 10,
        "frontline_family": 10,
    },
    "treatment_window_hours": 48,  # a treatment sooner than this is life-critical
    "medicine_critical_days": 2,  # critical-condition medicine lasting no longer is life-critical
    "urgency_horizon_hours": 168,  # deadlines further away than this add no urgency
    "sla_hours": {
        "medicine": 24,
        "groceries": 48,
        "escort": 4,
        "psychological": 24,
        "antigen": 24,
        "door_sensor": 72,
        "herbal": 48,
        "sampling": 24,
        "other": 48,
    },
}

# Tags that make running out of medicine life-critical even without the explicit fact.
CRITICAL_TAGS = frozenset({"critical_treatment", "severe_mental_illness"})


@dataclass(frozen=True)
class Facts:
    category: str
    now: datetime.datetime
    medical_emergency: bool = False
    critical_condition: bool = False
    treatment_at: datetime.datetime | None = None
    treatment_name: str = ""  # "dialysis", from the resident's tag, when known
    days_medicine_left: int | None = None
    days_food_left: int | None = None
    deadline: datetime.datetime | None = None
    tags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Priority:
    score: int
    life_critical: bool
    vulnerability: int
    urgency: int
    effective_deadline: datetime.datetime | None
    reasons: list[dict[str, Any]]

    def as_breakdown(self) -> dict[str, Any]:
        return {
            "life_critical": self.life_critical,
            "vulnerability": self.vulnerability,
            "urgency": self.urgency,
            "effective_deadline": self.effective_deadline.isoformat()
            if self.effective_deadline
            else None,
            "reasons": self.reasons,
        }


def merged_weights(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults with a street's overrides laid over them (nested dicts merged)."""
    weights = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_WEIGHTS.items()}
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(weights.get(key), dict):
            weights[key].update(value)
        else:
            weights[key] = value
    return weights


def sla_hours(category: str, weights: Mapping[str, Any]) -> int:
    table = weights.get("sla_hours", {})
    return int(table.get(category, table.get("other", 48)))


def compute(facts: Facts, weights: Mapping[str, Any] | None = None) -> Priority:
    w = merged_weights(weights)
    reasons: list[dict[str, Any]] = []
    life = False

    # 1. Life first.
    if facts.medical_emergency:
        life = True
        reasons.append({"code": "medical_emergency"})
    if facts.treatment_at is not None:
        hours = (facts.treatment_at - facts.now).total_seconds() / 3600
        soon = -2 <= hours <= float(w["treatment_window_hours"])
        life = life or soon
        reasons.append(
            {
                "code": "treatment",
                "at": facts.treatment_at.isoformat(),
                "name": facts.treatment_name,
                "life": soon,
            }
        )
    if facts.days_medicine_left is not None:
        critical = facts.critical_condition or bool(facts.tags & CRITICAL_TAGS)
        running_out = facts.days_medicine_left <= int(w["medicine_critical_days"])
        if critical and running_out:
            life = True
        reasons.append(
            {
                "code": "medicine_left",
                "days": facts.days_medicine_left,
                "life": critical and running_out,
            }
        )
    if facts.days_food_left is not None:
        reasons.append({"code": "food_left", "days": facts.days_food_left})

    # 2. The vulnerable first.
    tag_weights: Mapping[str, int] = w["tags"]
    present = sorted(
        (t for t in facts.tags if tag_weights.get(t, 0) > 0),
        key=lambda t: (-tag_weights[t], t),
    )
    if "elderly_80" in present and "elderly_60" in present:
        present.remove("elderly_60")  # 80+ already says it
    vulnerability = min(999, sum(int(tag_weights[t]) for t in present))
    reasons.extend({"code": "tag", "tag": t} for t in present)

    # 3. The urgent first: the nearest of the deadline and the day supplies run out.
    candidates = [d for d in (facts.deadline, facts.treatment_at) if d is not None]
    candidates.extend(
        facts.now + datetime.timedelta(days=days)
        for days in (facts.days_medicine_left, facts.days_food_left)
        if days is not None
    )
    effective = min(candidates) if candidates else None
    urgency = 0
    if effective is not None:
        horizon = float(w["urgency_horizon_hours"])
        hours_left = (effective - facts.now).total_seconds() / 3600
        urgency = (
            999 if hours_left <= 0 else max(0, min(999, int(999 * (1 - hours_left / horizon))))
        )
        if effective != facts.treatment_at:
            reasons.append({"code": "due", "at": effective.isoformat()})

    score = (LIFE if life else 0) + vulnerability * VULNERABILITY + urgency
    return Priority(score, life, vulnerability, urgency, effective, reasons)


# The tags any helper may read in an explanation: age and living alone tell them how to meet
# the person at the door. Every other tag (health, disability, pregnancy, a child, income
# support …) is sensitive personal information, or not theirs to know (docs/privacy.md).
PLAIN_TAGS = frozenset({"elderly_80", "elderly_60", "living_alone", "empty_nest"})


def _when(value: str) -> str:
    moment = timezone.localtime(datetime.datetime.fromisoformat(value))
    # The day as date_format(moment, "D") names it, without parsing a format.
    return f"{WEEKDAYS_ABBR[moment.weekday()]} {moment:%H:%M}"


def _tag_label(code: str) -> str:
    labels = {
        "elderly_80": _("80+"),
        "elderly_60": _("60+"),
        "living_alone": _("lives alone"),
        "empty_nest": _("empty-nest"),
        "disabled": _("disabled"),
        "child": _("child"),
        "pregnant": _("pregnant"),
        "chronic_illness": _("chronic illness"),
        "critical_treatment": _("regular treatment"),
        "severe_mental_illness": _("severe mental illness"),
        "extreme_poverty": _("extreme poverty"),
        "low_income": _("low income"),
        "stranded": _("stranded"),
        "frontline_family": _("front-line family"),
    }
    return labels.get(code, code)


def _treatment_label(name: str) -> str:
    return {
        "dialysis": _("dialysis"),
        "chemotherapy": _("chemotherapy"),
        "radiotherapy": _("radiotherapy"),
    }.get(name, _("treatment"))


def explain(breakdown: Mapping[str, Any], *, overdue: bool = False, health: bool = False) -> str:
    """Plain words for a stored breakdown, in the active language. ``health``: the audience
    may read health details (``wushe.residents.selectors.sees_tag_details``); otherwise a
    treatment is "an appointment" and only ``PLAIN_TAGS`` are named."""
    parts: list[str] = []
    if overdue:
        parts.append(_("overdue"))
    for reason in breakdown.get("reasons", []):
        code = reason.get("code")
        if code == "medical_emergency":
            parts.append(_("medical emergency"))
        elif code == "treatment" and health:
            parts.append(
                _("%(treatment)s on %(when)s")
                % {
                    "treatment": _treatment_label(reason.get("name", "")),
                    "when": _when(reason["at"]),
                }
            )
        elif code == "treatment":
            parts.append(_("appointment on %(when)s") % {"when": _when(reason["at"])})
        elif code == "medicine_left":
            parts.append(_("medicine left for %(days)s day(s)") % {"days": reason["days"]})
        elif code == "food_left":
            parts.append(_("food left for %(days)s day(s)") % {"days": reason["days"]})
        elif code == "tag" and (health or reason["tag"] in PLAIN_TAGS):
            parts.append(_tag_label(reason["tag"]))
        elif code == "due":
            parts.append(_("due %(when)s") % {"when": _when(reason["at"])})
    return _("; ").join(parts)

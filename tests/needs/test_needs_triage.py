"""Triage: life first, then the vulnerable, then the urgent — with the explanation."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import formats, translation

from wushe.needs import triage

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC)


def facts(**kw):
    return triage.Facts(category=kw.pop("category", "groceries"), now=NOW, **kw)


def test_life_outranks_any_vulnerability_and_urgency():
    life = triage.compute(facts(medical_emergency=True))
    frail_urgent = triage.compute(
        facts(
            tags=frozenset(triage.DEFAULT_WEIGHTS["tags"]),
            deadline=NOW - datetime.timedelta(hours=1),
        )
    )
    assert life.life_critical and not frail_urgent.life_critical
    assert life.score > frail_urgent.score


def test_vulnerability_outranks_urgency():
    vulnerable = triage.compute(facts(tags=frozenset({"elderly_80", "living_alone"})))
    urgent = triage.compute(facts(deadline=NOW + datetime.timedelta(minutes=5)))
    assert vulnerable.score > urgent.score
    assert vulnerable.vulnerability == 70


def test_urgency_orders_equals_by_deadline():
    soon = triage.compute(facts(deadline=NOW + datetime.timedelta(hours=2)))
    later = triage.compute(facts(deadline=NOW + datetime.timedelta(days=3)))
    none = triage.compute(facts())
    assert soon.score > later.score > none.score == 0


def test_treatment_soon_is_life_critical_far_is_not():
    soon = triage.compute(facts(category="escort", treatment_at=NOW + datetime.timedelta(hours=20)))
    far = triage.compute(facts(category="escort", treatment_at=NOW + datetime.timedelta(days=5)))
    assert soon.life_critical and not far.life_critical


def test_medicine_running_out_is_life_critical_only_for_a_critical_condition():
    critical = triage.compute(facts(days_medicine_left=1, critical_condition=True))
    by_tag = triage.compute(facts(days_medicine_left=1, tags=frozenset({"critical_treatment"})))
    plain = triage.compute(facts(days_medicine_left=1))
    assert critical.life_critical and by_tag.life_critical and not plain.life_critical
    assert plain.urgency > 0  # still urgent: the medicine runs out tomorrow


def test_street_weights_override_defaults():
    base = triage.compute(facts(tags=frozenset({"pregnant"})))
    heavier = triage.compute(facts(tags=frozenset({"pregnant"})), {"tags": {"pregnant": 200}})
    assert heavier.vulnerability == 200 > base.vulnerability
    assert triage.merged_weights({"tags": {"pregnant": 200}})["tags"]["elderly_80"] == 40


def test_explanation_in_english_and_chinese():
    treatment = datetime.datetime(2026, 12, 1, 14, 0, tzinfo=SHANGHAI)  # a Tuesday
    result = triage.compute(
        facts(
            category="escort",
            treatment_at=treatment,
            treatment_name="dialysis",
            tags=frozenset({"living_alone", "elderly_80", "elderly_60"}),
        )
    )
    with translation.override("en"):
        text = triage.explain(result.as_breakdown(), health=True)
    assert text.startswith("dialysis on Tue 14:00; 80+; lives alone")
    with translation.override("zh-hans"):
        zh = triage.explain(result.as_breakdown(), overdue=True, health=True)
    assert "透析" in zh and "独居" in zh and "超时" in zh


def test_explanation_without_health_details_names_no_treatment_or_sensitive_tag():
    treatment = datetime.datetime(2026, 12, 1, 14, 0, tzinfo=SHANGHAI)  # a Tuesday
    sensitive = {
        "critical_treatment", "severe_mental_illness", "chronic_illness", "disabled",
        "pregnant", "child", "low_income", "extreme_poverty",
    }  # fmt: skip
    result = triage.compute(
        facts(
            category="escort",
            treatment_at=treatment,
            treatment_name="dialysis",
            medical_emergency=True,
            days_medicine_left=1,
            tags=frozenset({"living_alone", "elderly_80", *sensitive}),
        )
    )
    with translation.override("en"):
        text = triage.explain(result.as_breakdown())
    assert text.split("; ")[:4] == [
        "medical emergency",
        "appointment on Tue 14:00",
        "medicine left for 1 day(s)",
        "80+",
    ]
    assert "lives alone" in text
    for word in ("dialysis", "treatment", "mental", "illness", "disabled", "pregnant", "child",
                 "income", "poverty"):  # fmt: skip
        assert word not in text, word


def test_sla_hours_per_category():
    w = triage.merged_weights(None)
    assert triage.sla_hours("escort", w) < triage.sla_hours("door_sensor", w)
    assert triage.sla_hours("unknown", w) == w["sla_hours"]["other"]


def test_explanation_names_each_day_as_django_date_format_does():
    monday = datetime.datetime(2026, 11, 30, 8, 5, tzinfo=SHANGHAI)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for days in range(7):
                moment = monday + datetime.timedelta(days=days)
                expected = f"{formats.date_format(moment, 'D')} 08:05"
                assert triage._when(moment.isoformat()) == expected

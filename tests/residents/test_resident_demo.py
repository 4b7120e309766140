"""Demo residents: a few thousand across the demo street, valid, tagged, idempotent."""

import io
import random

import pytest
from django.utils import translation

from wushe.core.demo_runner import DemoContext
from wushe.residents.models import Resident, ResidentTag


@pytest.mark.slow
def test_demo_residents_are_valid_tagged_and_idempotent(db):
    from wushe.areas import demo as areas_demo
    from wushe.residents import demo

    context = DemoContext(rng=random.Random(2022), out=io.StringIO())
    with translation.override("en"):  # the summary line's words, not the product's language
        areas_demo.build(context)
        demo.build(context)
    count = Resident.objects.count()
    assert count >= 2900  # 200 buildings x 15, less the rare duplicate ID
    assert "0 rejected" in context.out.getvalue() or count < 3000
    codes = set(ResidentTag.objects.values_list("tag__code", flat=True))
    assert {"living_alone", "empty_nest", "disabled", "chronic_illness", "low_income"} <= codes
    again = DemoContext(rng=random.Random(2022), out=io.StringIO())
    with translation.override("en"):
        areas_demo.build(again)
        demo.build(again)
    assert Resident.objects.count() == count
    assert f"{count} unchanged" in again.out.getvalue()


@pytest.mark.slow
def test_the_demo_summary_speaks_the_product_language(db):
    from wushe.areas import demo as areas_demo
    from wushe.residents import demo

    context = DemoContext(rng=random.Random(2022), out=io.StringIO())
    with translation.override("zh-hans"):
        areas_demo.build(context)
        demo.build(context)
    out = context.out.getvalue()
    assert "辖区：" in out and "个社区" in out
    assert "居民：新建 " in out and "created" not in out

"""FieldsOnce: the same validated data and the same errors, naming the same fields, as the
plain DRF serializer with the same declared fields — in Chinese and English; the fields are
built once and shared safely between threads; partial validation is refused."""

from __future__ import annotations

import copy
import threading

import pytest
from django.utils import translation
from rest_framework import serializers

from wushe.needs.api import NeedInput

GOOD = {"area": "310115901001", "category": "medicine", "caller_phone": "13900001111"}
BAD = [
    {},
    {"area": "310115901001", "category": "pizza"},
    {**GOOD, "days_medicine_left": -1, "deadline": "not a date", "medical_emergency": "maybe"},
    {**GOOD, "caller_name": "x" * 51, "channel": "fax", "resident": "abc"},
    {**GOOD, "treatment_at": "2026-12-01T14:00:00", "days_food_left": None},
]


def _plain() -> type[serializers.Serializer]:
    declared = {k: copy.deepcopy(v) for k, v in NeedInput._declared_fields.items()}
    return type("PlainNeedInput", (serializers.Serializer,), declared)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("data", [GOOD, *BAD])
def test_same_result_as_plain_drf(data, language):
    plain = _plain()
    with translation.override(language):
        ours, theirs = NeedInput(data=data), plain(data=data)
        assert ours.is_valid() == theirs.is_valid()
        assert {k: [str(m) for m in v] for k, v in ours.errors.items()} == {
            k: [str(m) for m in v] for k, v in theirs.errors.items()
        }
        if ours.errors:
            assert ours.errors  # every error is keyed by the field it is about
            assert set(ours.errors) <= set(NeedInput._declared_fields)
        else:
            assert dict(ours.validated_data) == dict(theirs.validated_data)


def test_errors_name_the_field_in_chinese():
    with translation.override("zh-hans"):
        s = NeedInput(data={"area": "310115901001", "category": "pizza"})
        assert not s.is_valid()
        assert "category" in s.errors and "pizza" in str(s.errors["category"][0])
        assert "不是合法选项" in str(s.errors["category"][0])


def test_fields_built_once_and_partial_refused():
    assert NeedInput().fields is NeedInput(data=GOOD).fields
    with pytest.raises(ValueError, match="partial"):
        NeedInput(data=GOOD, partial=True)


def test_threads_validating_at_once_get_their_own_results():
    bodies = [{**GOOD, "days_medicine_left": i} for i in range(200)]
    results: dict[int, object] = {}

    def work(offset: int) -> None:
        for i in range(offset, 200, 4):
            s = NeedInput(data=bodies[i])
            s.is_valid(raise_exception=True)
            results[i] = s.validated_data["days_medicine_left"]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: i for i in range(200)}


def test_shared_fields_have_their_messages_formatted_before_any_thread_uses_them():
    # DRF's lazy_format formats itself on first use without a lock: two threads showing the
    # same message for the first time at once could fail (a 500) on a shared field.
    from rest_framework.utils.formatting import lazy_format

    fresh = type("FreshNeedInput", (NeedInput,), {})
    with translation.override("en"):
        fields = fresh().fields
    lazy = [
        v.message
        for f in fields.values()
        for v in f.validators
        if isinstance(getattr(v, "message", None), lazy_format)
    ]
    assert lazy and all(m.result is not None for m in lazy)

"""Masking by role: the maskers, the policy table, the volunteer's rules, exports, MaskedField."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from tests.core.privacy_testapp.models import Person
from wushe.accounts.roles import Role
from wushe.core.privacy import Access, Purpose, present
from wushe.core.privacy.maskers import mask_id_number, mask_name, mask_phone
from wushe.core.privacy.policy import POLICY, rule_for
from wushe.core.privacy.presenting import HIDDEN, access_for, present_or_none
from wushe.core.privacy.serializers import MaskedField

ID = "31011519900101123X"
PHONE = "13812345678"


def test_maskers_follow_common_practice():
    assert mask_id_number(ID) == "3101**********123X"
    assert mask_id_number("3101 1519 9001 0112 3x") == "3101**********123X"
    assert mask_phone(PHONE) == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_phone("021-68881234") == "021****1234"
    assert mask_phone("110") == "***"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_every_role_has_a_rule_for_every_kind():
    for kind, rules in POLICY.items():
        assert set(rules) == {r.value for r in Role}, kind


def test_unknown_role_or_kind_gets_the_strictest_rule():
    assert rule_for("phone", "resident").show is Access.HIDDEN
    assert rule_for("passport", Role.STREET_COMMAND).show is Access.HIDDEN
    assert rule_for("phone", None).show is Access.HIDDEN


@pytest.fixture
def person(street):
    return Person.objects.create(
        area=street.grid_a1, name="张三", id_number=ID, phone=PHONE, health_note="透析"
    )


H = "hidden"  # stands for HIDDEN, translated when the test runs
EXPECTED = {
    # role: (id_number, phone, health_note, name)
    "command": ("3101**********123X", PHONE, H, "张三"),
    "worker_a": ("3101**********123X", PHONE, H, "张三"),
    "social": ("3101**********123X", PHONE, H, "张三"),
    "volunteer": (H, "138****5678", H, "张*"),
    "org": (H, "138****5678", H, "张*"),
    "district": ("3101**********123X", "138****5678", H, "张*"),
    "admin": ("3101**********123X", "138****5678", H, "张三"),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_present_per_role(people, person, who):
    actor = getattr(people, who)
    shown = tuple(present(actor, person, f) for f in ("id_number", "phone", "health_note", "name"))
    assert shown == tuple(str(HIDDEN) if v == H else v for v in EXPECTED[who])


def test_volunteer_sees_phone_and_name_in_full_only_on_an_active_task(people, person):
    active = {"assigned_active": True}
    assert present(people.volunteer, person, "phone", context=active) == PHONE
    assert present(people.volunteer, person, "name", context=active) == "张三"
    assert present(people.volunteer, person, "id_number", context=active) == str(HIDDEN)
    assert present(people.volunteer, person, "health_note", context=active) == str(HIDDEN)
    assert present(people.volunteer, person, "phone") == "138****5678"
    # The flag changes nothing for other roles.
    assert present(people.org, person, "phone", context=active) == "138****5678"


def test_exports_never_carry_full_values(people, person):
    assert present(people.command, person, "phone", purpose=Purpose.EXPORT) == "138****5678"
    assert present(people.command, person, "name", purpose=Purpose.EXPORT) == "张*"


def test_inactive_and_anonymous_see_nothing(people, person):
    from django.contrib.auth.models import AnonymousUser

    assert present(AnonymousUser(), person, "phone") == str(HIDDEN)
    people.worker_a.is_active = False
    assert present(people.worker_a, person, "phone") == str(HIDDEN)


def test_empty_values_stay_empty(people, street):
    blank = Person.objects.create(area=street.grid_a1, phone=None, health_note="")
    assert present(people.command, blank, "phone") == ""
    assert present(people.volunteer, blank, "health_note") == ""


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_present_or_none_is_none_when_hidden_else_present(people, street, person, who):
    actor = getattr(people, who)
    blank = Person.objects.create(area=street.grid_a1, phone=None, health_note="")
    for obj in (person, blank):
        for field in ("id_number", "phone", "health_note", "name"):
            for context in (None, {"assigned_active": True}):
                hidden = access_for(actor, obj, field, context=context) is Access.HIDDEN
                expected = None if hidden else present(actor, obj, field, context=context)
                assert present_or_none(actor, obj, field, context=context) == expected


class PersonOut(serializers.ModelSerializer):
    id_number = MaskedField()
    phone = MaskedField()
    health_note = MaskedField()
    name = MaskedField()
    exported_phone = MaskedField(source="phone", purpose=Purpose.EXPORT)

    class Meta:
        model = Person
        fields = ["id", "name", "id_number", "phone", "health_note", "exported_phone"]


def serialize(actor, obj, **extra):
    request = APIRequestFactory().get("/")
    request.user = actor
    return PersonOut(obj, context={"request": request, **extra}).data


def test_masked_field_applies_the_policy(people, person):
    data = serialize(people.worker_a, person)
    assert data["id_number"] == "3101**********123X"
    assert data["phone"] == PHONE
    assert data["health_note"] is None
    assert data["exported_phone"] == "138****5678"
    data = serialize(people.volunteer, person)
    assert data["id_number"] is None and data["phone"] == "138****5678" and data["name"] == "张*"
    data = serialize(people.volunteer, person, privacy_context={"assigned_active": True})
    assert data["phone"] == PHONE and data["id_number"] is None


def test_masked_field_never_leaks_for_any_role(people, person):
    for who in EXPECTED:
        data = serialize(getattr(people, who), person)
        assert ID not in str(data)
        assert "透析" not in str(data)

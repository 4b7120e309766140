"""PrecompiledQuery: the same rows and related objects as the QuerySet it was built from, one
query per call, every call reading the database afresh; shapes it cannot keep are refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from wushe.areas.models import Area
from wushe.core.precompiled import PrecompiledQuery

TOKENS = PrecompiledQuery(
    lambda key: Token.objects.select_related("user__scope_area").filter(key=key)
)


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_same_objects_as_the_queryset_in_one_query(people):
    for user in (people.worker_a, people.admin):  # with and without a scope area
        key = Token.objects.create(user=user).key
        expected = Token.objects.select_related("user__scope_area").get(key=key)
        with CaptureQueriesContext(connection) as ctx:
            token = TOKENS.first(key)
            area = token.user.scope_area
        assert len(ctx.captured_queries) == 1
        assert _fields(token) == _fields(expected)
        assert _fields(token.user) == _fields(expected.user)
        assert token.user.password == user.password
        if user.scope_area_id is None:
            assert area is None
        else:
            assert _fields(area) == _fields(expected.user.scope_area)
        assert token._state.db == "default" and not token._state.adding


def test_reads_afresh_and_finds_nothing_for_an_unknown_value(people, street):
    key = Token.objects.create(user=people.worker_a).key
    assert TOKENS.first("no-such-key") is None and TOKENS.all("no-such-key") == []
    people.worker_a.scope_area = street.community_b
    people.worker_a.is_active = False
    people.worker_a.save(update_fields=["scope_area", "is_active"])
    token = TOKENS.first(key)
    assert token.user.scope_area == street.community_b and not token.user.is_active


def test_values_of_its_own_stay_and_integer_arguments(street):
    by_parent = PrecompiledQuery(
        lambda level, parent: Area.objects.filter(level=level, parent_id=parent, is_active=True)
        .exclude(code="none")
        .order_by("code"),
        types=(str, int),
    )
    for parent in (street.street, street.community_a):
        expected = list(
            Area.objects.filter(level="community", parent_id=parent.pk, is_active=True)
            .exclude(code="none")
            .order_by("code")
        )
        assert by_parent.all("community", parent.pk) == expected
    assert by_parent.all("community", street.street.pk)  # two communities


def test_refuses_an_argument_that_does_not_reach_the_sql_once(db):
    twice = PrecompiledQuery(lambda code: Area.objects.filter(Q(code=code) | Q(name=code)))
    with pytest.raises(ValueError, match="each argument"):
        twice.first("310115901000")
    unused = PrecompiledQuery(lambda code: Area.objects.filter(level="street"))
    with pytest.raises(ValueError, match="each argument"):
        unused.first("310115901000")

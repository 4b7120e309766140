"""The one scoping mechanism, exercised directly on the area tree and the action log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.needs.factories_needs import make_need
from wushe.areas.models import Area
from wushe.areas.selectors import area_by_code_for
from wushe.core.audit import log_action
from wushe.core.errors import NotFoundError
from wushe.core.models import ActionLog
from wushe.core.scoping import get_scoped, path_in_scope, row_in_scope, scoped


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_worker_sees_own_community_and_below_only(street, people):
    seen = codes(scoped(Area.objects.all(), people.worker_a))
    assert street.community_a.code in seen
    assert street.building_a1.code in seen
    assert street.community_b.code not in seen
    assert street.building_b1.code not in seen
    assert street.street.code not in seen  # not upwards either


def test_street_command_sees_whole_street(street, people):
    seen = codes(scoped(Area.objects.all(), people.command))
    assert {street.community_a.code, street.community_b.code, street.building_b1.code} <= seen
    assert street.district.code not in seen


def test_unscoped_system_admin_sees_everything_scoped_admin_does_not(street, people):
    assert scoped(Area.objects.all(), people.admin).count() == Area.objects.count()
    assert street.community_b.code not in codes(scoped(Area.objects.all(), people.scoped_admin))


def test_volunteer_sees_no_unassigned_rows(street, people):
    assert not scoped(Area.objects.all(), people.volunteer).exists()


def test_inactive_and_anonymous_users_see_nothing(street, people):
    from django.contrib.auth.models import AnonymousUser

    people.command.is_active = False
    assert not scoped(Area.objects.all(), people.command).exists()
    assert not scoped(Area.objects.all(), AnonymousUser()).exists()
    assert not scoped(Area.objects.all(), None).exists()


def test_get_scoped_answers_404_alike_for_missing_and_foreign(street, people):
    with pytest.raises(NotFoundError):
        get_scoped(Area.objects.all(), people.worker_a, code=street.community_b.code)
    with pytest.raises(NotFoundError):
        get_scoped(Area.objects.all(), people.worker_a, code="999999999999")
    assert (
        get_scoped(Area.objects.all(), people.worker_a, code=street.grid_a1.code) == street.grid_a1
    )


def test_prefix_does_not_leak_to_sibling_with_longer_code(street, people):
    # /…/310115901001/ must not match a sibling whose code merely starts with the same digits.
    assert path_in_scope(street.building_a1.path, people.worker_a)
    assert not path_in_scope(street.community_b.path, people.worker_a)
    assert not path_in_scope(street.street.path, people.worker_a)


def test_action_log_scoped_by_its_area_path(street, people):
    log_action("test.thing.done", actor=people.worker_a, area_path=street.community_a.path)
    log_action("test.thing.done", actor=people.worker_b, area_path=street.community_b.path)
    mine = scoped(ActionLog.objects.all(), people.worker_a)
    assert [e.actor for e in mine] == [people.worker_a]
    assert scoped(ActionLog.objects.all(), people.command).count() == 2


def test_row_in_scope_and_area_by_code_agree_with_get_scoped(people, street):
    """The fetch-then-check path of intake gives each role the areas ``get_scoped`` gives."""
    people.org.is_active = False  # an inactive user sees nothing
    for user in [*vars(people).values(), None]:
        for area in Area.objects.all():
            try:
                expected = get_scoped(Area.objects.all(), user, code=area.code)
            except NotFoundError:
                expected = None
            assert row_in_scope(area, user) is (expected is not None), (user, area.code)
            try:
                found = area_by_code_for(user, area.code)
            except NotFoundError:
                found = None
            assert found == expected, (user, area.code)
    with pytest.raises(NotFoundError):
        area_by_code_for(people.command, "no-such-code")
    with CaptureQueriesContext(connection) as ctx:
        area_by_code_for(people.command, street.building_a1.code)
    [query] = ctx.captured_queries
    assert "ORDER BY" not in query["sql"]  # a code is unique: the server sorts nothing


def test_row_in_scope_refuses_models_scoped_through_a_join_or_an_owner(people, street):
    with pytest.raises(ValueError, match="does not apply"):
        row_in_scope(make_need(people.worker_a, street.building_a1), people.worker_a)

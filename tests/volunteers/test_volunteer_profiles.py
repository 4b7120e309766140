"""Volunteer profiles: skills checked, scope respected, shift flag, selectors by skill."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from wushe.accounts.roles import Role
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.models import ActionLog
from wushe.volunteers import errors, selectors, services


@pytest.fixture
def vol(street):
    return UserFactory(username="vol1", role=Role.VOLUNTEER, scope_area=street.community_a)


def test_profile_created_then_updated_and_logged(people, street, vol):
    p = services.volunteer_profile_upsert(
        actor=people.worker_a, user=vol, home_area=street.grid_a1, skills=["driver", "driver"]
    )
    assert p.skills == ["driver"]
    p = services.volunteer_profile_upsert(
        actor=people.worker_a, user=vol, home_area=street.grid_a1, skills=["medical"], on_shift=True
    )
    assert p.skills == ["medical"] and p.on_shift
    actions = list(ActionLog.objects.values_list("action", flat=True))
    assert "volunteers.profile.created" in actions and "volunteers.profile.updated" in actions


def test_unknown_skill_and_non_volunteer_rejected(people, street, vol):
    with pytest.raises(ApplicationError) as exc:
        services.volunteer_profile_upsert(
            actor=people.worker_a, user=vol, home_area=street.grid_a1, skills=["pilot"]
        )
    assert exc.value.field == "skills"
    with pytest.raises(ApplicationError) as exc:
        services.volunteer_profile_upsert(
            actor=people.worker_a, user=people.worker_b, home_area=street.grid_a1, skills=[]
        )
    assert exc.value.message == errors.NOT_A_VOLUNTEER


def test_out_of_scope_area_refused(people, street, vol):
    with pytest.raises(PermissionDeniedError):
        services.volunteer_profile_upsert(
            actor=people.worker_b, user=vol, home_area=street.grid_a1, skills=[]
        )


def test_list_scoped_and_by_skill(people, street, vol):
    services.volunteer_profile_upsert(
        actor=None, user=vol, home_area=street.grid_a1, skills=["driver"], on_shift=True
    )
    other = UserFactory(username="vol2", role=Role.VOLUNTEER, scope_area=street.community_b)
    services.volunteer_profile_upsert(
        actor=None, user=other, home_area=street.grid_b1, skills=["counsellor"]
    )
    assert [p.user for p in selectors.volunteer_list(actor=people.worker_a)] == [vol]
    assert {p.user for p in selectors.volunteer_list(actor=people.command)} == {vol, other}
    assert [p.user for p in selectors.volunteer_list(actor=people.command, skill="counsellor")] == [
        other
    ]
    assert [p.user for p in selectors.volunteer_list(actor=people.command, on_shift=True)] == [vol]
    # a volunteer sees their own profile only
    assert [p.user for p in selectors.volunteer_list(actor=vol)] == [vol]


def test_shift_by_self(street, vol):
    p = services.volunteer_profile_upsert(actor=None, user=vol, home_area=street.grid_a1, skills=[])
    assert services.volunteer_set_shift(actor=vol, profile=p, on_shift=True).on_shift

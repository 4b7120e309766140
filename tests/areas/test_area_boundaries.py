"""Boundary changes: moves and merges carry everything under them, keep the history, and
scoping follows at once."""

import pytest

from tests.factories import UserFactory
from wushe.accounts.roles import Role
from wushe.areas import errors
from wushe.areas.levels import Level
from wushe.areas.models import Area, AreaChange
from wushe.areas.selectors import area_list
from wushe.areas.services import area_merge, area_move
from wushe.core.errors import ApplicationError, PermissionDeniedError
from wushe.core.models import ActionLog


def visible(user):
    return set(area_list(actor=user).values_list("code", flat=True))


def test_moving_a_grid_carries_its_buildings_and_scope_follows(street, people):
    grid = street.grid_a2
    grid_worker = UserFactory(username="grid_a2", role=Role.COMMUNITY_WORKER, scope_area=grid)
    assert street.building_a2.code in visible(people.worker_a)

    area_move(actor=people.command, area=grid, new_parent=street.community_b, reason="封控区调整")

    street.building_a2.refresh_from_db()
    assert (
        street.building_a2.path
        == f"{street.community_b.path}{grid.code}/{street.building_a2.code}/"
    )
    assert street.building_a2.code not in visible(people.worker_a)
    assert street.building_a2.code in visible(people.worker_b)
    next_request_user = type(grid_worker).objects.get(pk=grid_worker.pk)
    assert street.building_a2.code in visible(next_request_user)  # the grid's worker moves along
    change = AreaChange.objects.get()
    assert (change.kind, change.from_parent, change.to_parent) == (
        AreaChange.Kind.MOVED,
        street.community_a,
        street.community_b,
    )
    assert change.moved_descendants == 1 and change.reason == "封控区调整"
    assert ActionLog.objects.filter(action="areas.area.moved", actor=people.command).exists()


def test_moving_a_building_between_grids(street, people):
    moved = area_move(
        actor=people.command,
        area=street.building_a1,
        new_parent=street.grid_a2,
        reason="楼栋划入2格",
    )
    assert moved.parent == street.grid_a2
    assert moved.path.startswith(street.grid_a2.path)
    assert moved.code == "3101159010010010001"  # the code is an identity and never changes


@pytest.mark.parametrize(
    ("area", "parent", "message"),
    [
        ("grid_a1", "grid_a2", "cannot be moved under"),
        ("community_a", "grid_a1", "cannot be moved under"),
        ("grid_a1", "community_a", "is already under"),
        ("building_a1", "building_a2", "cannot be moved under"),
    ],
)
def test_move_rules(street, people, area, parent, message):
    with pytest.raises(ApplicationError) as info:
        area_move(
            actor=people.command,
            area=getattr(street, area),
            new_parent=getattr(street, parent),
            reason="r",
        )
    assert message in str(info.value.message)
    assert info.value.field == "new_parent"


def test_move_without_reason(street, people):
    with pytest.raises(ApplicationError) as info:
        area_move(
            actor=people.command, area=street.grid_a1, new_parent=street.community_b, reason=" "
        )
    assert info.value.field == "reason"
    assert str(info.value.message) == str(errors.REASON_REQUIRED)
    street.grid_a1.refresh_from_db()
    assert street.grid_a1.parent == street.community_a


def test_move_outside_scope_is_denied(street, people):
    with pytest.raises(PermissionDeniedError):
        area_move(
            actor=people.worker_a, area=street.building_a1, new_parent=street.grid_b1, reason="r"
        )
    street.building_a1.refresh_from_db()
    assert street.building_a1.parent == street.grid_a1


def test_merging_two_grids_moves_buildings_and_users(street, people):
    grid_worker = UserFactory(
        username="grid_a2", role=Role.COMMUNITY_WORKER, scope_area=street.grid_a2
    )
    area_merge(
        actor=people.command, source=street.grid_a2, target=street.grid_a1, reason="网格合并"
    )

    source = Area.objects.get(pk=street.grid_a2.pk)
    assert not source.is_active and source.merged_into == street.grid_a1
    street.building_a2.refresh_from_db()
    assert street.building_a2.parent == street.grid_a1
    assert street.building_a2.path == f"{street.grid_a1.path}{street.building_a2.code}/"
    grid_worker.refresh_from_db()
    assert grid_worker.scope_area == street.grid_a1  # scoping follows the merge
    assert street.building_a1.code in visible(grid_worker)
    change = AreaChange.objects.get(kind=AreaChange.Kind.MERGED)
    assert change.merged_into == street.grid_a1 and change.moved_descendants == 1
    assert source.code not in visible(people.worker_a)  # inactive areas leave the lists
    assert source.code in set(
        area_list(actor=people.worker_a, include_inactive=True).values_list("code", flat=True)
    )


def test_merge_rules(street, people):
    with pytest.raises(ApplicationError):
        area_merge(actor=people.command, source=street.grid_a1, target=street.grid_a1, reason="r")
    with pytest.raises(ApplicationError):
        area_merge(
            actor=people.command, source=street.community_a, target=street.community_b, reason="r"
        )
    with pytest.raises(PermissionDeniedError):
        area_merge(actor=people.worker_a, source=street.grid_a1, target=street.grid_b1, reason="r")
    area_merge(actor=people.command, source=street.grid_a2, target=street.grid_a1, reason="r")
    with pytest.raises(ApplicationError):  # a merged grid cannot change again
        area_move(
            actor=people.command,
            area=Area.objects.get(pk=street.grid_a2.pk),
            new_parent=street.community_b,
            reason="r",
        )


def test_level_choices_cover_the_tree():
    assert [c for c, _ in Level.choices] == ["district", "street", "community", "grid", "building"]

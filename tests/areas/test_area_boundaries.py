"""Boundary changes: moves and merges carry everything under them, keep the history, and
scoping follows at once."""

import pytest

from tests.conftest import login
from tests.factories import UserFactory
from wushe.accounts.roles import Role
from wushe.areas import errors
from wushe.areas.levels import Level
from wushe.areas.models import Area, AreaChange
from wushe.areas.selectors import area_list
from wushe.areas.services import area_merge, area_move
from wushe.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from wushe.core.models import ActionLog, Job
from wushe.core.privacy.selectors import access_log_list
from wushe.core.selectors import action_log_list, job_get_for


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


def _records_under(street, people, building):
    """An access-log entry, an action-log entry and an import job that copy ``building``'s
    path, as reveals, services and uploads write them."""
    from wushe.core.audit import log_action
    from wushe.core.privacy.services import log_access
    from wushe.residents.models import Resident

    log_access(people.worker_a, Resident, [(7, building.path)], field="phone", reason="回访")
    log_action("residents.resident.updated", actor=people.worker_a, area_path=building.path)
    return Job.objects.create(
        kind="residents.import", created_by=people.worker_a, area_path=building.path
    )


def _community_users(street):
    supervisor_b = UserFactory(
        username="social_b", role=Role.SOCIAL_WORKER, scope_area=street.community_b
    )
    colleague_a = UserFactory(
        username="worker_a2", role=Role.COMMUNITY_WORKER, scope_area=street.community_a
    )
    supervisor_a = UserFactory(
        username="social_a", role=Role.SOCIAL_WORKER, scope_area=street.community_a
    )
    return supervisor_b, colleague_a, supervisor_a


def test_a_move_carries_the_logs_and_jobs_of_the_moved_areas(street, people):
    supervisor_b, colleague_a, supervisor_a = _community_users(street)
    job = _records_under(street, people, street.building_a2)
    _records_under(street, people, street.building_a1)  # stays where it is
    assert access_log_list(actor=supervisor_a).count() == 2
    assert not access_log_list(actor=supervisor_b).exists()

    area_move(actor=people.command, area=street.grid_a2, new_parent=street.community_b, reason="r")

    street.building_a2.refresh_from_db()
    assert list(access_log_list(actor=supervisor_b).values_list("area_path", flat=True)) == [
        street.building_a2.path
    ]
    assert access_log_list(actor=supervisor_a).count() == 1
    with pytest.raises(NotFoundError):
        job_get_for(colleague_a, job.pk)
    assert job_get_for(people.worker_b, job.pk) == job
    assert (
        action_log_list(actor=people.worker_b)
        .filter(action="residents.resident.updated", area_path=street.building_a2.path)
        .exists()
    )
    assert (
        not action_log_list(actor=colleague_a)
        .filter(action="residents.resident.updated", area_path__startswith=street.grid_a2.path)
        .exists()
    )
    assert ActionLog.objects.get(action="areas.area.moved").data["records"] == {
        "core.accesslog": 1,
        "core.actionlog": 1,
        "core.job": 1,
    }


def test_the_move_is_seen_on_the_pages(client, street, people):
    supervisor_b, colleague_a, _ = _community_users(street)
    job = _records_under(street, people, street.building_a2)
    area_move(actor=people.command, area=street.grid_a2, new_parent=street.community_b, reason="r")

    login(client, supervisor_b)
    page = client.get("/privacy/access-log/")
    assert page.status_code == 200 and "回访" in page.content.decode()
    login(client, colleague_a)
    assert client.get(f"/residents/import/{job.pk}/").status_code == 404
    login(client, people.worker_b)
    assert client.get(f"/residents/import/{job.pk}/").status_code == 200


def test_a_merge_carries_the_logs_and_jobs_of_the_merged_grid(street, people):
    supervisor_b, colleague_a, supervisor_a = _community_users(street)
    job = _records_under(street, people, street.building_a2)
    log_action_on_grid = ActionLog.objects.create(action="x.y", area_path=street.grid_a2.path)

    area_merge(actor=people.command, source=street.grid_a2, target=street.grid_b1, reason="r")

    street.building_a2.refresh_from_db()
    job.refresh_from_db()
    log_action_on_grid.refresh_from_db()
    assert job.area_path == street.building_a2.path == f"{street.grid_b1.path}3101159010010020002/"
    assert log_action_on_grid.area_path == street.grid_b1.path
    assert access_log_list(actor=supervisor_b).count() == 1
    assert not access_log_list(actor=supervisor_a).exists()
    with pytest.raises(NotFoundError):
        job_get_for(colleague_a, job.pk)

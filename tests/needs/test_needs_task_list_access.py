"""Who may list tasks through the API: a task's note may hold a resident's address and phone,
so only roles that see requests (in scope) or work on tasks (their own)."""

import pytest

from tests.needs.factories_needs import make_need, make_volunteer
from wushe.needs import services

NOTE = "已送到 一村1号楼101 电话13812345678"


@pytest.fixture
def done_task(people, street):
    vol = make_volunteer("v1", street.community_a)
    task = services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    services.assignment_accept(actor=vol, assignment=a)
    services.task_complete(actor=vol, task=task, note=NOTE)
    return task, vol


@pytest.mark.parametrize(
    ("role", "listed"),
    [("worker_a", 1), ("command", 1), ("social", 1), ("district", 1), ("worker_b", 0)],
)
def test_roles_that_see_requests_list_the_tasks_in_their_scope(
    api, people, done_task, role, listed
):
    api.force_authenticate(getattr(people, role))
    r = api.get("/api/v1/tasks/")
    assert r.status_code == 200 and r.data["count"] == listed


def test_a_volunteer_lists_only_their_own(api, people, done_task):
    task, vol = done_task
    api.force_authenticate(vol)
    (row,) = api.get("/api/v1/tasks/").data["results"]
    assert row["id"] == task.pk
    api.force_authenticate(people.volunteer)  # same area, not theirs
    assert api.get("/api/v1/tasks/").data["count"] == 0


def test_an_organisation_admin_lists_no_tasks(api, people, done_task):
    api.force_authenticate(people.org)
    r = api.get("/api/v1/tasks/")
    assert r.status_code == 403 and NOTE not in r.content.decode()
    api.force_authenticate(None)
    assert api.get("/api/v1/tasks/").status_code in (401, 403)

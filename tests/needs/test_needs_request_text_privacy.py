"""A request's free text (description, close note, a task's note and reason, history notes)
often holds an address or a phone, so it is shown like the request's address: in full to the
workers, masked (stars) to the system administrator, hidden from district civil affairs and
organisation admins (null in the API); a volunteer still reads what their task needs."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.needs import selectors, services
from wushe.needs.models import Need, NeedEvent, Outcome, Task

DESCRIPTION = "送到3号楼201，电话13900002222"
NOTE = "放在3号楼201门口"
REASON = "电话13900002222打不通"
CLOSE = "家属已送到3号楼201"
TEXTS = (DESCRIPTION, NOTE, REASON, CLOSE)
WORKERS = ["worker_a", "command", "social"]


@pytest.fixture
def closed(people, street):
    """A request whose texts all hold the address: a done task with a note, a failed one
    with a reason, closed with a note."""
    worker = people.worker_a
    need = make_need(worker, street.building_a1, description=DESCRIPTION)
    ann = make_volunteer("ann", street.building_a1)
    bob = make_volunteer("bob", street.building_a1)
    done = services.task_create(actor=worker, need=need, role="driver")
    failed = services.task_create(actor=worker, need=need)
    for task, volunteer in ((done, ann), (failed, bob)):
        offer = services.task_offer(actor=worker, task=task, volunteer=volunteer)
        services.assignment_accept(actor=volunteer, assignment=offer)
    services.task_complete(actor=ann, task=done, note=NOTE)
    services.task_fail(actor=bob, task=failed, reason=REASON)
    services.need_close(actor=worker, need=need, outcome=Outcome.FULFILLED, note=CLOSE)
    return Need.objects.get(pk=need.pk), ann, bob


def _api_texts(api, user, need):
    api.force_authenticate(user)
    out = api.get(f"/api/v1/needs/{need.pk}/").json()
    history = api.get(f"/api/v1/needs/{need.pk}/history/").json()
    listed = api.get("/api/v1/needs/", {"status": need.status}).json()["results"]
    tasks = api.get("/api/v1/tasks/").json()["results"]
    return out, history, listed, tasks


@pytest.mark.parametrize("role", WORKERS)
def test_workers_read_the_texts_in_full(client, api, people, closed, role):
    need, _, _ = closed
    user = getattr(people, role)
    login(client, user)
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert all(text in page for text in TEXTS)
    out, history, listed, tasks = _api_texts(api, user, need)
    assert out["description"] == DESCRIPTION and out["outcome_note"] == CLOSE
    assert listed[0]["description"] == DESCRIPTION
    assert {t["note"] for t in out["tasks"]} >= {NOTE}
    assert {t["reason"] for t in out["tasks"]} >= {REASON}
    assert {t["note"] for t in tasks} >= {NOTE}
    assert {e["note"] for e in history} >= {NOTE, REASON, CLOSE}


def test_district_civil_affairs_reads_none_of_them(client, api, people, closed):
    need, _, _ = closed
    login(client, people.district)
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert "3号楼201" not in page and "13900002222" not in page
    assert need.tracking_code in page  # the page itself is shown
    out, history, listed, tasks = _api_texts(api, people.district, need)
    assert out["description"] is None and out["outcome_note"] is None
    assert listed[0]["description"] is None
    assert [(t["note"], t["reason"]) for t in out["tasks"]] == [(None, None)] * 3
    assert [(t["note"], t["reason"]) for t in tasks] == [(None, None)] * 3
    notes = {e["action"]: e["note"] for e in history}
    assert notes["closed"] is None and notes["task_done"] is None
    assert notes["task_failed"] is None
    assert "3号楼201" not in str(history) and "13900002222" not in str(history)
    # Notes the system writes itself (a task's role) carry no caller's words: still shown.
    assert "driver" in [e["note"] for e in history if e["action"] == "task_created"]


def test_the_system_administrator_reads_them_masked(client, api, people, closed):
    need, _, _ = closed
    login(client, people.admin)
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert "3号楼201" not in page and "13900002222" not in page
    assert "******" in page
    out, history, listed, tasks = _api_texts(api, people.admin, need)
    assert out["description"] == "******" and out["outcome_note"] == "******"
    assert listed[0]["description"] == "******"
    assert {t["note"] for t in out["tasks"]} == {"", "******"}
    assert {t["reason"] for t in tasks} == {"", "******"}
    assert {e["note"] for e in history if e["action"] in ("closed", "task_done")} == {"******"}
    assert "3号楼201" not in str(history)


def test_organisation_admins_read_none_of_them(client, api, people, closed):
    need, _, _ = closed
    login(client, people.org)
    assert client.get(f"/needs/{need.pk}/").status_code == 403
    api.force_authenticate(people.org)
    assert api.get(f"/api/v1/needs/{need.pk}/history/").status_code == 403
    task = need.tasks.exclude(note="").get()
    event = need.events.get(action="closed")
    assert selectors.request_text(people.org, need, "description") is None
    assert selectors.request_text(people.org, task, "note") is None
    assert selectors.request_text(people.org, event, "note") is None


def test_a_volunteer_still_reads_their_tasks_texts(client, api, people, street, closed):
    need, ann, bob = closed
    api.force_authenticate(ann)
    (mine,) = api.get("/api/v1/tasks/").json()["results"]
    assert mine["note"] == NOTE
    api.force_authenticate(bob)
    (theirs,) = api.get("/api/v1/tasks/").json()["results"]
    assert theirs["reason"] == REASON
    # The description on the task they are doing, as before.
    open_need = make_need(people.worker_a, street.building_a1, description=DESCRIPTION)
    task = services.task_create(actor=people.worker_a, need=open_need)
    services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    login(client, ann)
    assert DESCRIPTION in client.get("/needs/my-tasks/").content.decode()
    assert Task.objects.filter(need=open_need).count() == 1


def test_a_task_completed_through_the_api_answers_its_note_to_the_volunteer(api, people, street):
    need = make_need(people.worker_a, street.building_a1)
    ann = make_volunteer("ann", street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    services.assignment_accept(
        actor=ann, assignment=services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    )
    api.force_authenticate(ann)
    done = api.post(f"/api/v1/tasks/{task.pk}/complete/", {"note": NOTE}).json()
    assert done["note"] == NOTE
    assert NeedEvent.objects.filter(need=need, action="task_done", note=NOTE).exists()

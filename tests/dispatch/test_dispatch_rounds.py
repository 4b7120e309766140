"""Dispatch rounds end to end (eager Celery): start → proposed → approve → the volunteer has
offers in route order; skipped tasks; explanations; scoping through pages and the API."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.core.audit import ActionLog
from wushe.core.errors import ApplicationError
from wushe.dispatch import errors, selectors, services
from wushe.dispatch.explain import explain_routes
from wushe.dispatch.models import DispatchRound
from wushe.needs import services as needs_services
from wushe.needs.models import Task, TaskAssignment
from wushe.volunteers.models import VolunteerProfile

pytestmark = pytest.mark.slow  # each round runs the engine for about a second


def setup_round(people, street):
    """Three open tasks in community A, one volunteer on shift there."""
    vol = make_volunteer("runner", street.building_a1, ["delivery"])
    VolunteerProfile.objects.filter(user=vol).update(on_shift=True)
    tasks = []
    for area in (street.building_a1, street.building_a2, street.building_a1):
        need = make_need(people.worker_a, area)
        tasks.append(needs_services.task_create(actor=people.worker_a, need=need))
    return vol, tasks


def test_round_end_to_end(people, street):
    vol, tasks = setup_round(people, street)
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )
    assert rnd.status == DispatchRound.Status.PROPOSED
    assert rnd.job.status == "done"
    assert rnd.score_assigned == 3 and rnd.score_travel_s > 0
    route = rnd.solution["routes"][0]
    assert route["volunteer"] == f"v{vol.pk}"
    order = [int(t[1:]) for t in route["tasks"]]
    assert sorted(order) == sorted(t.pk for t in tasks)

    rnd = services.dispatch_round_approve(actor=people.worker_a, round=rnd)
    assert rnd.status == DispatchRound.Status.APPROVED
    assert [o["task"] for o in rnd.approval["offered"]] == order
    offers = TaskAssignment.objects.filter(volunteer=vol).order_by("id")
    assert [a.task_id for a in offers] == order
    assert all(a.state == "offered" for a in offers)
    # The volunteer's route lists them in route order, with the walk between stops.
    rows = selectors.my_route(actor=vol)
    assert [r["task"].pk for r in rows] == order
    assert rows[0]["stop"]["order"] == 1
    actions = set(ActionLog.objects.values_list("action", flat=True))
    assert {
        "dispatch.round.started",
        "dispatch.round.proposed",
        "dispatch.round.approved",
    } <= actions

    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_discard(actor=people.worker_a, round=rnd)
    assert exc.value.message.__mod__  # the NOT_PROPOSED constant, formatted
    assert str(errors.NOT_PROPOSED).split("(")[0] in str(exc.value.message)


def test_tasks_taken_since_the_snapshot_are_skipped(people, street):
    vol, tasks = setup_round(people, street)
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )
    other = make_volunteer("quick", street.building_a1)
    needs_services.task_claim(actor=other, task=tasks[0])
    rnd = services.dispatch_round_approve(actor=people.worker_a, round=rnd)
    assert [s["task"] for s in rnd.approval["skipped"]] == [tasks[0].pk]
    assert len(rnd.approval["offered"]) == 2
    assert Task.objects.get(pk=tasks[0].pk).assignee == other


def test_empty_round_and_discard(people, street):
    rnd = services.dispatch_round_start(
        actor=people.worker_b, area=street.community_b, time_limit_s=1
    )
    assert rnd.status == DispatchRound.Status.PROPOSED and rnd.score_assigned == 0
    rnd = services.dispatch_round_discard(actor=people.worker_b, round=rnd)
    assert rnd.status == DispatchRound.Status.DISCARDED


def test_time_limit_is_checked(people, street):
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_start(
            actor=people.worker_a, area=street.community_a, time_limit_s=0
        )
    assert exc.value.message == errors.TIME_LIMIT


def test_explanation_names_skill_distance_load_priority():
    instance = {
        "locations": [[0, 0], [300, 400], [300, 0]],
        "travel": {"speed_mps": 1.0},
        "volunteers": [
            {"id": "v1", "start": 0, "capacity": 5, "skills": ["driver"], "shift": [0, 9000]}
        ],
        "tasks": [
            {"id": "t1", "location": 1, "service_s": 60, "skills": ["driver"], "priority": 80},
            {"id": "t2", "location": 2, "service_s": 60, "priority": 10, "window": [0, 3600]},
        ],
    }
    (route,) = explain_routes(instance, {"routes": [{"volunteer": "v1", "tasks": ["t1", "t2"]}]})
    first, second = route["stops"]
    assert first["skills_needed"] == ["driver"] == first["skills_matched"]
    assert first["metres"] == 500 and first["walk_min"] == 8.3
    assert first["load"] == 1 and first["priority"] == 80
    assert second["metres"] == 400 and second["load"] == 2
    assert second["arrival_min"] == round((500 + 60 + 400) / 60)
    assert second["window_end_min"] == 60


def test_pages_owner_colleague_outsider(client, people, street):
    vol, tasks = setup_round(people, street)
    login(client, people.worker_a)
    r = client.post("/dispatch/", {"area": street.community_a.code, "time_limit_s": 1})
    rnd = DispatchRound.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/dispatch/{rnd.pk}/"
    page = client.get(f"/dispatch/{rnd.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert all(t.need.tracking_code in html for t in tasks)
    assert html.count("/100") == 3  # each stop explains its priority
    assert client.get("/dispatch/").status_code == 200
    client.logout()
    login(client, people.command)  # colleague above in the tree
    assert client.get(f"/dispatch/{rnd.pk}/").status_code == 200
    client.logout()
    login(client, people.worker_b)  # outsider
    assert client.get(f"/dispatch/{rnd.pk}/").status_code == 404
    assert client.post(f"/dispatch/{rnd.pk}/", {"do": "approve"}).status_code == 404
    # Starting a round on someone else's area: nothing is created.
    client.post("/dispatch/", {"area": street.community_a.code, "time_limit_s": 1})
    assert DispatchRound.objects.count() == 1
    client.logout()
    login(client, people.social)  # no dispatch permission
    assert client.get("/dispatch/").status_code == 403
    client.logout()
    login(client, people.worker_a)
    r = client.post(f"/dispatch/{rnd.pk}/", {"do": "approve"}, follow=True)
    assert r.status_code == 200
    client.logout()
    login(client, vol)
    route = client.get("/dispatch/my-route/")
    assert route.status_code == 200
    assert route.content.decode().count('data-testid="stop"') == 3


def test_api_owner_colleague_outsider(api, people, street):
    setup_round(people, street)
    url = "/api/v1/dispatch/rounds/"
    login(api, people.worker_a)
    r = api.post(url, {"area": street.community_a.code, "time_limit_s": 1}, format="json")
    assert r.status_code == 201, r.content
    pk = r.data["id"]
    assert r.data["status"] == "proposed" and r.data["tasks"] == 3
    assert r.data["explanation"][0]["stops"][0]["order"] == 1
    assert api.get(url).data["count"] == 1
    api.logout()
    login(api, people.command)
    assert api.get(f"{url}{pk}/").status_code == 200
    api.logout()
    login(api, people.worker_b)
    assert api.get(f"{url}{pk}/").status_code == 404
    assert api.get(url).data["count"] == 0
    assert api.post(f"{url}{pk}/approve/", {}, format="json").status_code == 404
    r = api.post(url, {"area": street.community_a.code, "time_limit_s": 1}, format="json")
    assert r.status_code == 404
    api.logout()
    login(api, people.volunteer)
    assert api.get(url).status_code == 403
    api.logout()
    login(api, people.worker_a)
    r = api.post(f"{url}{pk}/approve/", {}, format="json")
    assert r.status_code == 200 and r.data["status"] == "approved"
    assert len(r.data["approval"]["offered"]) == 3
    r = api.post(f"{url}{pk}/approve/", {}, format="json")
    assert r.status_code == 400


def test_auto_approve_sends_offers_at_once(people, street):
    vol, tasks = setup_round(people, street)
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1, auto_approve=True
    )
    assert rnd.status == DispatchRound.Status.APPROVED
    assert rnd.approved_by == people.worker_a
    assert TaskAssignment.objects.filter(volunteer=vol, state="offered").count() == 3


def test_approve_one_route_only(client, people, street):
    vol, tasks = setup_round(people, street)
    other = make_volunteer("second", street.building_a2)
    VolunteerProfile.objects.filter(user=other).update(on_shift=True)
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )
    login(client, people.worker_a)
    client.post(f"/dispatch/{rnd.pk}/", {"do": "approve", "volunteer": str(other.pk)})
    rnd.refresh_from_db()
    assert rnd.status == DispatchRound.Status.APPROVED
    assert {o["volunteer"] for o in rnd.approval["offered"]} <= {other.pk}
    assert not TaskAssignment.objects.filter(volunteer=vol).exists()


def test_engine_failure_fails_the_round(people, street, monkeypatch):
    setup_round(people, street)

    def broken(instance, time_limit_s, seed=0):
        from wushe.dispatch.engine import InstanceError

        raise InstanceError("tasks[0].priority: expected an integer 0..100")

    monkeypatch.setattr(services, "solve", broken)
    rnd = services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )
    assert rnd.status == DispatchRound.Status.FAILED
    assert "tasks[0].priority" in rnd.error
    assert rnd.job.status == "failed"


def test_api_list_query_count(api, people, street, django_assert_max_num_queries):
    for _ in range(3):
        services.dispatch_round_start(
            actor=people.worker_a, area=street.community_a, time_limit_s=1
        )
    login(api, people.worker_a)
    with django_assert_max_num_queries(6) as queries:
        r = api.get("/api/v1/dispatch/rounds/")
    assert r.data["count"] == 3
    assert not any('"instance"' in q["sql"] for q in queries.captured_queries)

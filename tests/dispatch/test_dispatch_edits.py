"""A dispatcher edits a proposal before approving it: move, reorder, remove; every edit is
checked by the engine's rules and refused with a reason naming the task and volunteer."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.core.audit import ActionLog
from wushe.core.errors import ApplicationError
from wushe.dispatch import errors, selectors, services
from wushe.dispatch.edits import apply_edit, read_violation
from wushe.dispatch.engine import score
from wushe.dispatch.explain import explain_routes
from wushe.dispatch.models import DispatchRound
from wushe.needs import services as needs_services
from wushe.needs.models import TaskAssignment
from wushe.volunteers.models import VolunteerProfile

pytestmark = pytest.mark.slow  # each round runs the engine for about a second


def on_shift(*users):
    VolunteerProfile.objects.filter(user__in=users).update(on_shift=True)


def task_in(people, area, role=""):
    need = make_need(people.worker_a, area)
    return needs_services.task_create(actor=people.worker_a, need=need, role=role)


def start(people, street):
    return services.dispatch_round_start(
        actor=people.worker_a, area=street.community_a, time_limit_s=1
    )


def route_of(rnd, user):
    for r in rnd.solution["routes"]:
        if r["volunteer"] == f"v{user.pk}":
            return [int(t[1:]) for t in r["tasks"]]
    return []


def test_apply_edit_moves_reorders_removes_without_touching_the_input():
    instance = {
        "volunteers": [{"id": "v1"}, {"id": "v2"}],
        "tasks": [{"id": "t1"}, {"id": "t2"}, {"id": "t3"}],
    }
    sol = {"routes": [{"volunteer": "v1", "tasks": ["t1", "t2"]}], "unassigned": ["t3"]}
    moved = apply_edit(instance, sol, action="move", task_id="t2", volunteer_id="v1", position=1)
    assert moved["routes"] == [{"volunteer": "v1", "tasks": ["t2", "t1"]}]
    given = apply_edit(instance, sol, action="move", task_id="t3", volunteer_id="v2")
    assert given["routes"][1] == {"volunteer": "v2", "tasks": ["t3"]} and given["unassigned"] == []
    out = apply_edit(instance, sol, action="remove", task_id="t1")
    assert out["routes"] == [{"volunteer": "v1", "tasks": ["t2"]}]
    assert out["unassigned"] == ["t3", "t1"]
    assert sol["routes"][0]["tasks"] == ["t1", "t2"]  # the input is unchanged


def test_the_engines_rules_are_read_back():
    v = read_violation("volunteer v3 lacks ['medical'] for t7")
    assert (v.rule, v.task, v.volunteer) == ("skill", "t7", "v3")
    assert read_violation("volunteer v3 lacks ['eligible:t7'] for t7").rule == "declined"
    assert read_violation("t7 reached at 1200s, after its window [0, 600]").task == "t7"
    assert read_violation("volunteer v3 carries 13 > capacity 12").rule == "capacity"
    assert read_violation("volunteer v3 finishes at 9000s, after shift end 7200").rule == "shift"
    assert read_violation("something new").rule == "other"


def test_reorder_move_remove_then_approve_in_the_edited_order(people, street):
    ann = make_volunteer("ann", street.building_a1, ["delivery"])
    ben = make_volunteer("ben", street.building_a2, ["delivery"])
    on_shift(ann, ben)
    tasks = [task_in(people, a) for a in (street.building_a1, street.building_a2)] + [
        task_in(people, street.building_a1)
    ]
    rnd = start(people, street)
    assert rnd.score_assigned == 3
    holder = ann if len(route_of(rnd, ann)) >= 2 else ben
    other = ben if holder == ann else ann
    first, second = route_of(rnd, holder)[:2]

    rnd = services.dispatch_round_edit(
        actor=people.worker_a,
        round=rnd,
        action="move",
        task=second,
        volunteer=holder.pk,
        position=1,
    )
    assert route_of(rnd, holder)[:2] == [second, first]
    rnd = services.dispatch_round_edit(
        actor=people.worker_a, round=rnd, action="move", task=first, volunteer=other.pk
    )
    assert route_of(rnd, other)[-1] == first and first not in route_of(rnd, holder)
    dropped = next(t.pk for t in tasks if t.pk not in (first, second))
    rnd = services.dispatch_round_edit(
        actor=people.worker_a, round=rnd, action="remove", task=dropped
    )
    assert f"t{dropped}" in rnd.solution["unassigned"]
    # The scores are the engine's figures of the edited routes.
    figures = score(rnd.instance, rnd.solution)
    assert rnd.score_assigned == figures["assigned"] == 2
    assert rnd.score_travel_s == figures["travel_s"]
    # Every edit is recorded: who and what.
    assert [c["action"] for c in rnd.changes] == ["move", "move", "remove"]
    assert rnd.changes[0]["by"] == people.worker_a.pk and rnd.changes[0]["position"] == 1
    assert rnd.changes[1]["from_volunteer"] == holder.pk and rnd.changes[1]["volunteer"] == other.pk
    assert ActionLog.objects.filter(action="dispatch.round.edited").count() == 3

    rnd = services.dispatch_round_approve(actor=people.worker_a, round=rnd)
    assert [r["task"].pk for r in selectors.my_route(actor=holder)] == route_of(rnd, holder)
    assert not TaskAssignment.objects.filter(task_id=dropped).exists()
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_edit(actor=people.worker_a, round=rnd, action="remove", task=second)
    assert str(exc.value.message) == str(
        errors.EDIT_NOT_PROPOSED % {"status": DispatchRound.Status.APPROVED.label}
    )


def test_a_missing_skill_is_refused_naming_task_and_volunteer(people, street):
    nurse = make_volunteer("nurse", street.building_a1, ["medical"])
    porter = make_volunteer("porter", street.building_a2, ["delivery"])
    on_shift(nurse, porter)
    care = task_in(people, street.building_a1, role="medical")
    rnd = start(people, street)
    assert route_of(rnd, nurse) == [care.pk]
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_edit(
            actor=people.worker_a, round=rnd, action="move", task=care.pk, volunteer=porter.pk
        )
    message = str(exc.value.message)
    assert care.need.tracking_code in message and str(porter) in message
    assert message.startswith(str(errors.EDIT_SKILL).split("%")[0])
    rnd.refresh_from_db()
    assert route_of(rnd, nurse) == [care.pk] and rnd.changes == []


def test_capacity_and_shift_are_refused(people, street, settings):
    settings.WUSHE_DISPATCH_CAPACITY = 1
    ann = make_volunteer("ann", street.building_a1)
    ben = make_volunteer("ben", street.building_a2)
    on_shift(ann, ben)
    one, two = task_in(people, street.building_a1), task_in(people, street.building_a2)
    rnd = start(people, street)
    assert rnd.score_assigned == 2
    holder = ann if route_of(rnd, ann) else ben
    moving = two.pk if route_of(rnd, holder) == [one.pk] else one.pk
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_edit(
            actor=people.worker_a, round=rnd, action="move", task=moving, volunteer=holder.pk
        )
    assert str(holder) in str(exc.value.message) and "1" in str(exc.value.message)

    settings.WUSHE_DISPATCH_CAPACITY = 12
    settings.WUSHE_DISPATCH_SHIFT_S = 900  # one 600 s visit fits, two do not
    rnd = start(people, street)
    holder = ann if route_of(rnd, ann) else ben
    moving = next(t for t in (one.pk, two.pk) if t not in route_of(rnd, holder))
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_edit(
            actor=people.worker_a, round=rnd, action="move", task=moving, volunteer=holder.pk
        )
    code = next(t.need.tracking_code for t in (one, two) if t.pk == moving)
    assert code in str(exc.value.message)
    assert str(exc.value.message) == str(errors.EDIT_SHIFT % {"volunteer": holder, "task": code})


def test_a_window_is_refused(people, street):
    ann = make_volunteer("ann", street.building_a1)
    on_shift(ann)
    one, two = task_in(people, street.building_a1), task_in(people, street.building_a2)
    rnd = start(people, street)
    assert len(route_of(rnd, ann)) == 2
    first = route_of(rnd, ann)[0]
    # The first stop must be started within five minutes: after the other visit it cannot.
    doc = next(t for t in rnd.instance["tasks"] if t["id"] == f"t{first}")
    doc["window"] = [0, 300]
    DispatchRound.objects.filter(pk=rnd.pk).update(instance=rnd.instance)
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_edit(
            actor=people.worker_a, round=rnd, action="move", task=first, volunteer=ann.pk
        )
    code = next(t.need.tracking_code for t in (one, two) if t.pk == first)
    assert str(exc.value.message) == str(errors.EDIT_WINDOW % {"volunteer": ann, "task": code})


def test_a_decliner_is_never_routed_the_task_again(people, street):
    ann = make_volunteer("ann", street.building_a1)
    ben = make_volunteer("ben", street.building_a2)
    on_shift(ann, ben)
    task = task_in(people, street.building_a1)
    offer = needs_services.task_offer(actor=people.worker_a, task=task, volunteer=ann)
    needs_services.assignment_decline(actor=ann, assignment=offer)
    rnd = start(people, street)
    assert route_of(rnd, ben) == [task.pk] and route_of(rnd, ann) == []
    with pytest.raises(ApplicationError) as exc:
        services.dispatch_round_edit(
            actor=people.worker_a, round=rnd, action="move", task=task.pk, volunteer=ann.pk
        )
    assert str(exc.value.message) == str(
        errors.EDIT_DECLINED % {"volunteer": ann, "task": task.need.tracking_code}
    )
    # The explanation shows real skills only, not the marker that keeps ann off.
    detail = explain_routes(rnd.instance, rnd.solution)
    assert detail[0]["stops"][0]["skills_needed"] == []


def test_edit_through_page_and_api(client, api, people, street):
    ann = make_volunteer("ann", street.building_a1, ["delivery"])
    on_shift(ann)
    task_in(people, street.building_a1), task_in(people, street.building_a2)
    rnd = start(people, street)
    last = route_of(rnd, ann)[-1]
    login(client, people.worker_a)
    page = client.get(f"/dispatch/{rnd.pk}/").content.decode()
    assert 'data-testid="edit-stop"' in page
    r = client.post(
        f"/dispatch/{rnd.pk}/",
        {"do": "move", "task": last, "volunteer": ann.pk, "position": 1},
        follow=True,
    )
    rnd.refresh_from_db()
    assert route_of(rnd, ann)[0] == last
    assert 'data-testid="changes"' in r.content.decode()

    url = f"/api/v1/dispatch/rounds/{rnd.pk}/edit/"
    login(api, people.worker_a)
    r = api.post(url, {"action": "remove", "task": last}, format="json")
    assert r.status_code == 200 and r.data["score_assigned"] == 1
    assert r.data["changes"][-1]["action"] == "remove"
    r = api.post(url, {"action": "move", "task": 999999, "volunteer": ann.pk}, format="json")
    assert r.status_code == 400
    api.logout()
    login(api, people.worker_b)
    assert api.post(url, {"action": "remove", "task": last}, format="json").status_code == 404
    api.logout()
    login(api, people.volunteer)
    assert api.post(url, {"action": "remove", "task": last}, format="json").status_code == 403

"""The instance adapter: projection to metres, priority bands, skills, windows, and what is
left out (tasks without coordinates, volunteers without a position)."""

from __future__ import annotations

import datetime
import math

from django.utils import timezone

from tests.factories import AreaFactory
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.dispatch.engine import validate_instance
from wushe.dispatch.instance import build_instance, engine_priority, project, unproject
from wushe.needs import services as needs_services
from wushe.needs.triage import LIFE, VULNERABILITY
from wushe.volunteers.models import VolunteerProfile


def on_shift(user):
    VolunteerProfile.objects.filter(user=user).update(on_shift=True)
    return user


def test_projection_is_metres_around_the_centre():
    pts, centre = project([(121.539, 31.225), (121.540, 31.225), (121.539, 31.226)])
    assert centre == (121.539 + 1 / 3 * 0.001, 31.225 + 1 / 3 * 0.001)
    east = pts[1][0] - pts[0][0]
    north = pts[2][1] - pts[0][1]
    # 0.001° of longitude at 31.2°N is about 95 m; 0.001° of latitude about 111 m.
    assert math.isclose(east, 95.1, abs_tol=0.5)
    assert math.isclose(north, 111.2, abs_tol=0.5)
    assert pts[0][1] == pts[1][1]


def test_priority_bands_keep_the_guideline_order():
    assert engine_priority(0) == 0
    assert 1 <= engine_priority(5) <= 33
    assert 34 <= engine_priority(VULNERABILITY + 5) <= 66
    assert 67 <= engine_priority(LIFE) <= 100
    assert engine_priority(LIFE * 5) == 100
    assert engine_priority(VULNERABILITY - 1) < engine_priority(VULNERABILITY)
    assert engine_priority(LIFE - 1) < engine_priority(LIFE)


def test_instance_from_open_tasks_and_volunteers_on_shift(people, street):
    now = timezone.now()
    urgent = make_need(
        people.worker_a,
        street.building_a1,
        category="medicine",
        days_medicine_left=0,
        critical_condition=True,
        deadline=now + datetime.timedelta(hours=1),
    )
    plain = make_need(people.command, street.building_b1)
    t1 = needs_services.task_create(actor=people.worker_a, need=urgent, role="driver")
    t2 = needs_services.task_create(actor=people.command, need=plain)
    # A task without coordinates: a request filed at the community (no lon/lat).
    nowhere = make_need(people.worker_a, street.community_a)
    t3 = needs_services.task_create(actor=people.worker_a, need=nowhere)
    driver = on_shift(make_volunteer("drv", street.building_a2, ["driver", "delivery"]))
    make_volunteer("off", street.building_a2, ["driver"])  # not on shift
    lost_area = AreaFactory(code="3101159010020010099", name="无坐标楼", parent=street.grid_b1)
    lost = on_shift(make_volunteer("lost", lost_area))  # no coordinates up the tree

    snap = build_instance(area=street.street, now=now)
    doc = snap.instance
    validate_instance(doc)  # the engine accepts it
    assert [t["id"] for t in doc["tasks"]] == [f"t{t1.pk}", f"t{t2.pk}"]  # priority order
    first, second = doc["tasks"]
    assert first["skills"] == ["driver"] and second["skills"] == []
    assert first["priority"] >= 67 > second["priority"]
    assert first["window"][0] == 0 and 3500 <= first["window"][1] <= 3600
    assert "window" not in second
    assert [v["id"] for v in doc["volunteers"]] == [f"v{driver.pk}"]
    assert doc["volunteers"][0]["skills"] == ["delivery", "driver"]
    assert doc["volunteers"][0]["shift"] == [0, 4 * 3600]
    assert snap.report["tasks_without_coordinates"] == [t3.pk]
    assert snap.report["volunteers_without_position"] == [lost.pk]
    assert snap.report["tasks"] == 2 and snap.report["volunteers"] == 1
    # a1 → b1 is 0.009° east: about 856 m.
    (ax, ay), (bx, by) = doc["locations"][first["location"]], doc["locations"][second["location"]]
    assert 840 < math.hypot(bx - ax, by - ay) < 870
    assert math.isclose(doc["travel"]["speed_mps"], 1.2 / 1.3, abs_tol=1e-3)

    # A community's round sees only its own tasks.
    snap_b = build_instance(area=street.community_b, now=now)
    assert [t["id"] for t in snap_b.instance["tasks"]] == [f"t{t2.pk}"]
    assert snap_b.instance["volunteers"] == []


def test_volunteer_starts_at_their_last_task(people, street):
    vol = on_shift(make_volunteer("walker", street.building_a1))
    need = make_need(people.command, street.building_b1)
    task = needs_services.task_create(actor=people.command, need=need)
    needs_services.task_offer(actor=people.command, task=task, volunteer=vol)
    a = task.assignments.get()
    needs_services.assignment_accept(actor=vol, assignment=a)
    snap = build_instance(area=street.street, now=timezone.now())
    start = snap.instance["locations"][snap.instance["volunteers"][0]["start"]]
    # Only one point in the snapshot (b1), at the centre.
    assert start == [0.0, 0.0]


def test_overdue_task_goes_without_a_window(people, street):
    now = timezone.now()
    need = make_need(
        people.worker_a, street.building_a1, deadline=now + datetime.timedelta(hours=1)
    )
    task = needs_services.task_create(actor=people.worker_a, need=need)
    later = now + datetime.timedelta(hours=2)  # the snapshot is taken after the deadline
    snap = build_instance(area=street.street, now=later)
    assert snap.report["overdue_tasks"] == [task.pk]
    assert "window" not in snap.instance["tasks"][0]


def test_unproject_inverts_project():
    pts, centre = project([(121.539, 31.225), (121.548, 31.226)])
    for (x, y), (lon, lat) in zip(pts, [(121.539, 31.225), (121.548, 31.226)], strict=True):
        back = unproject(x, y, centre)
        assert math.isclose(back[0], lon, abs_tol=1e-5) and math.isclose(back[1], lat, abs_tol=1e-5)

"""Needs pages: queue (scoped, sorted, bulk assign), detail, proxy intake, the public form
(rate-limited, tracking code), tracking, the volunteer's tasks and the one-tap offer link."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.needs import offers, services
from wushe.needs.models import Need, Status, TaskAssignment
from wushe.needs.public_status import PUBLIC_LIMIT


def test_queue_scoped_and_sorted(client, people, street):
    low = make_need(people.worker_a, street.building_a1)
    high = make_need(people.worker_a, street.building_a1, medical_emergency=True)
    late = make_need(people.worker_a, street.building_a1, category="door_sensor")
    Need.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - datetime.timedelta(hours=1))
    services.needs_escalate_overdue()
    foreign = make_need(people.worker_b, street.building_b1)
    login(client, people.worker_a)
    html = client.get("/needs/").content.decode()
    assert (
        html.index(late.tracking_code)
        < html.index(high.tracking_code)
        < html.index(low.tracking_code)
    )
    assert foreign.tracking_code not in html
    login(client, people.volunteer)
    assert client.get("/needs/").status_code == 403


def test_bulk_assign_from_queue(client, people, street):
    vol = make_volunteer("v1", street.community_a)
    a = make_need(people.worker_a, street.building_a1)
    b = make_need(people.worker_a, street.building_a1)
    login(client, people.worker_a)
    r = client.post("/needs/", {"need": [a.pk, b.pk], "volunteer": vol.pk})
    assert r.status_code == 302
    assert TaskAssignment.objects.filter(volunteer=vol, state="offered").count() == 2
    a.refresh_from_db()
    assert a.status == Status.ASSIGNED


def test_detail_history_and_close(client, people, street):
    need = make_need(people.worker_a, street.building_a1)
    login(client, people.worker_a)
    r = client.get(f"/needs/{need.pk}/")
    assert r.status_code == 200 and "13812345678" in r.content.decode()
    client.post(f"/needs/{need.pk}/", {"do": "close", "outcome": "not_needed", "note": "家属已买"})
    need.refresh_from_db()
    assert need.status == Status.CANCELLED
    login(client, people.worker_b)
    assert client.get(f"/needs/{need.pk}/").status_code == 404


def test_proxy_intake(client, people, street):
    login(client, people.worker_a)
    assert client.get("/needs/intake/").status_code == 200
    r = client.post(
        "/needs/intake/",
        {
            "area": street.building_a1.pk,
            "caller_name": "李奶奶",
            "caller_phone": "13700000000",
            "category": "escort",
            "channel": "walk_in",
            "treatment_at": (timezone.localtime() + datetime.timedelta(hours=20)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    need = Need.objects.get()
    assert need.priority_breakdown["life_critical"] and need.taken_in_by == people.worker_a


def test_public_form_tracking_and_rate_limit(street):
    client = Client()
    assert client.get("/needs/help/").status_code == 200
    data = {
        "name": "赵先生",
        "phone": "13600000000",
        "community": street.community_a.pk,
        "address": "一村2号楼101",
        "category": "groceries",
        "description": "家里没菜了",
    }
    r = client.post("/needs/help/", data)
    assert r.status_code == 200
    need = Need.objects.get()
    assert need.tracking_code in r.content.decode()
    assert need.channel == "web_form" and need.last_verified_at is None
    track = client.get("/needs/track/", {"code": need.tracking_code.lower()})
    assert "call you back" in track.content.decode() or "回电" in track.content.decode()
    for _ in range(PUBLIC_LIMIT - 1):
        client.post("/needs/help/", data)
    assert client.post("/needs/help/", data).status_code == 429
    assert Need.objects.count() == PUBLIC_LIMIT
    assert client.get("/needs/track/", {"code": "NOPE"}).status_code == 200


def test_volunteer_tasks_contact_only_while_active(client, people, street):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    login(client, vol)
    html = client.get("/needs/my-tasks/").content.decode()
    assert "一村1号楼101" not in html and "13812345678" not in html
    client.post("/needs/my-tasks/", {"assignment": a.pk, "do": "accept"})
    html = client.get("/needs/my-tasks/").content.decode()
    assert "一村1号楼101" in html and "13812345678" in html
    client.post("/needs/my-tasks/", {"assignment": a.pk, "do": "done", "note": "已送达"})
    need.refresh_from_db()
    assert need.status == Status.DONE
    html = client.get("/needs/my-tasks/").content.decode()
    assert "一村1号楼101" not in html and "13812345678" not in html


def test_offer_link_one_tap(people, street):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    url = f"/needs/offer/{offers.offer_token(a)}/"
    client = Client()
    assert client.get(url).status_code == 200
    assert client.post(url, {"do": "decline", "reason": "在外地"}).status_code == 200
    a.refresh_from_db()
    assert a.state == "declined"
    assert client.post(url, {"do": "accept"}).status_code == 400  # a decline stays a decline
    assert client.get("/needs/offer/forged:token/").status_code == 400


def test_attachment_streamed_only_in_scope(client, people, street):
    from django.core.files.uploadedfile import SimpleUploadedFile

    need = make_need(
        people.worker_a,
        street.building_a1,
        files=[SimpleUploadedFile("rx.jpg", b"\xff\xd8fake", content_type="image/jpeg")],
    )
    att = need.attachments.get()
    assert att.file.name.startswith("private/needs/")
    login(client, people.worker_a)
    r = client.get(f"/needs/{need.pk}/files/{att.pk}/")
    assert r.status_code == 200 and r.content == b"\xff\xd8fake"
    login(client, people.worker_b)
    assert client.get(f"/needs/{need.pk}/files/{att.pk}/").status_code == 404
    assert client.get(f"/media/{att.file.name}").status_code == 404


def test_detail_shows_offer_links_to_dispatcher(client, people, street):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    login(client, people.worker_a)
    assert "/needs/offer/" in client.get(f"/needs/{need.pk}/").content.decode()


def test_home_panel_counts_in_scope(client, people, street):
    make_need(people.worker_a, street.building_a1, medical_emergency=True)
    make_need(people.worker_b, street.building_b1)
    login(client, people.worker_a)
    r = client.get("/")
    body = r.content.decode()
    assert 'id="panel-needs"' in body and 'href="/needs/"' in body
    from wushe.needs.selectors import need_counts

    assert need_counts(actor=people.worker_a) == {"open": 1, "life": 1, "overdue": 0, "callback": 0}
    login(client, people.volunteer)
    assert 'id="panel-needs"' not in client.get("/").content.decode()


def test_volunteer_home_lists_live_tasks_and_drops_finished_ones(client, people, street):
    vol = make_volunteer("v_home", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    login(client, vol)
    assert 'href="/needs/my-tasks/"' not in client.get("/").content.decode().split("<main")[1]
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    home = client.get("/").content.decode()
    assert home.count('href="/needs/my-tasks/"') >= 2  # the task and the button
    assert need.get_category_display() in home
    client.post("/needs/my-tasks/", {"assignment": a.pk, "do": "accept"})
    client.post("/needs/my-tasks/", {"assignment": a.pk, "do": "done", "note": "已送达"})
    main = client.get("/").content.decode().split("<main")[1]
    assert need.get_category_display() not in main

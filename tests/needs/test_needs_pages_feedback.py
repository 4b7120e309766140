"""What a worker or volunteer is told when a needs page refuses something: never "Saved." for
nothing, never an English word inside a Chinese message, never a note or photo dropped; and
the queue keeps its filters across pages and a bulk assign."""

from __future__ import annotations

import datetime

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from tests.browser.browser_support import tr
from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.core.errors import ApplicationError
from wushe.needs import errors, services
from wushe.needs.models import Need, Status, TaskAssignment


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _post(client, url, data):
    """POST, then follow to the page, which shows (and so uses up) the messages."""
    response = client.post(url, data)
    messages = _messages(response)
    client.get(response["Location"])
    return response, messages


def test_close_with_a_bad_form_says_why_and_closes_nothing(client, people, street):
    need = make_need(people.worker_a, street.building_a1)
    login(client, people.worker_a)
    _, shown = _post(
        client, f"/needs/{need.pk}/", {"do": "close", "outcome": "fulfilled", "note": "很" * 501}
    )
    need.refresh_from_db()
    assert need.status == Status.TRIAGED  # still open
    assert tr("Saved.") not in shown
    assert len(shown) == 1 and shown[0].startswith(tr("Note"))  # the field's label, in Chinese

    _, shown = _post(client, f"/needs/{need.pk}/", {"do": "close", "outcome": "no-such-outcome"})
    need.refresh_from_db()
    assert need.status == Status.TRIAGED
    assert shown == [shown[0]] and shown[0].startswith(tr("Why is it closed?"))


def _accepted_task(people, street):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    services.assignment_accept(actor=vol, assignment=a)
    return vol, need, a


def test_done_with_a_photo_that_is_no_picture_is_refused_not_dropped(client, people, street):
    vol, need, a = _accepted_task(people, street)
    login(client, vol)
    not_a_picture = SimpleUploadedFile("receipt.jpg", b"not an image", content_type="image/jpeg")
    _, shown = _post(
        client,
        "/needs/my-tasks/",
        {"assignment": a.pk, "do": "done", "note": "已送达", "photo": not_a_picture},
    )
    a.task.refresh_from_db()
    assert a.task.status == "accepted"  # not done without the photo the volunteer sent
    assert len(shown) == 1 and shown[0].startswith(tr("Photo"))

    _, shown = _post(
        client, "/needs/my-tasks/", {"assignment": a.pk, "do": "done", "note": "好" * 501}
    )
    a.task.refresh_from_db()
    assert a.task.status == "accepted"
    assert len(shown) == 1 and shown[0].startswith(tr("Note"))

    client.post("/needs/my-tasks/", {"assignment": a.pk, "do": "done", "note": "已送达"})
    a.task.refresh_from_db()
    assert a.task.status == "done" and a.task.note == "已送达"


def test_a_refused_step_is_said_in_chinese_without_english_words(client, people, street):
    vol, need, a = _accepted_task(people, street)
    login(client, vol)
    _, shown = _post(
        client, "/needs/my-tasks/", {"assignment": a.pk, "do": "decline", "reason": "忙"}
    )
    assert len(shown) == 1
    assert "declined" not in shown[0] and tr("declined") not in shown[0]
    with translation.override("zh-hans"):
        assert str(errors.DECLINED) in shown[0]
        assert str(errors.DECLINED) != "declined"  # the catalogue has it

    with translation.override("zh-hans"):
        for action in (
            errors.CLOSED,
            errors.REOPENED,
            errors.GIVEN_TASKS,
            errors.OFFERED,
            errors.ACCEPTED,
            errors.STARTED,
            errors.COMPLETED,
            errors.FAILED,
        ):
            assert not str(action).isascii(), action
        try:
            services.need_create(
                actor=people.worker_a,
                area=street.building_a1,
                category="unicorns",
                channel="phone",
                caller_name="张阿姨",
            )
        except ApplicationError as exc:
            message = str(exc.message)
        assert "unicorns" in message and "Unknown" not in message


def test_queue_pages_and_bulk_assign_keep_the_filters(client, people, street):
    for _ in range(51):
        make_need(people.worker_a, street.building_a1, category="medicine")
    make_need(people.worker_a, street.building_a1, category="groceries")
    login(client, people.worker_a)
    html = client.get("/needs/", {"category": "medicine"}).content.decode()
    assert "?category=medicine&amp;page=2" in html

    vol = make_volunteer("v1", street.community_a)
    need = Need.objects.filter(category="medicine").first()
    r, _ = _post(
        client, "/needs/?category=medicine&page=2", {"need": [need.pk], "volunteer": vol.pk}
    )
    assert r["Location"] == "/needs/?category=medicine&page=2"
    assert TaskAssignment.objects.filter(volunteer=vol).count() == 1

    _, shown = _post(client, "/needs/?category=medicine", {"volunteer": vol.pk})  # none ticked
    assert shown == [tr("Choose requests and a volunteer.")]


def test_tracking_code_typed_full_width_is_found(client, street):
    need = make_need(None, street.building_a1, channel="web_form")
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in need.tracking_code)
    r = client.get("/needs/track/", {"code": " " + full_width.lower() + " "})
    assert r.status_code == 200
    assert r.context["need"] == need


def test_public_form_asks_to_choose_a_community_in_words(client, street):
    html = client.get("/needs/help/").content.decode()
    assert "---------" not in html
    assert f'<option value="" selected>{tr("Choose your community")}</option>' in html


def test_detail_closes_only_with_a_chosen_outcome_and_reads_plainly(client, people, street):
    need = make_need(people.worker_a, street.building_a1, caller_phone="+8613812345678")
    Need.objects.filter(pk=need.pk).update(sla_due_at=timezone.now() - datetime.timedelta(hours=1))
    services.needs_escalate_overdue()
    login(client, people.worker_a)
    html = client.get(f"/needs/{need.pk}/").content.decode()
    # Nothing chosen in advance: a stray tap on "Close" closes nothing.
    assert f'<option value="" selected>{tr("Choose why")}</option>' in html
    _, shown = _post(client, f"/needs/{need.pk}/", {"do": "close", "outcome": "", "note": ""})
    need.refresh_from_db()
    assert need.status == Status.TRIAGED and shown[0].startswith(tr("Why is it closed?"))
    # The phone as people write it; the missed deadline in local time, not an ISO stamp.
    html = client.get(f"/needs/{need.pk}/").content.decode()
    assert "138 1234 5678" in html and "+8613812345678" not in html
    due = timezone.localtime(need.sla_due_at)
    assert f"{due:%Y-%m-%d %H:%M}" in html and "+00:00" not in html


def test_a_declined_task_is_not_offered_back_in_the_open_pool(client, people, street):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    other = services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    login(client, vol)
    _post(client, "/needs/my-tasks/", {"assignment": a.pk, "do": "decline", "reason": "不在家"})
    task.refresh_from_db()
    assert task.status == "open"  # back in the pool, for others
    pool = client.get("/needs/my-tasks/").context["pool"]
    assert other in pool and task not in pool
    _, shown = _post(client, "/needs/my-tasks/", {"task": task.pk, "do": "claim"})
    assert shown == [tr(errors.YOU_DECLINED)]  # said to the volunteer, not about them


def _public(street, **changes):
    data = {
        "name": "王阿姨",
        "phone": "13812345678",
        "community": street.community_a.pk,
        "address": "1号楼2单元301",
        "category": "medicine",
        "description": "降压药快吃完了",
    }
    return {**data, **changes}


def test_public_form_refuses_a_number_nobody_can_call_back(client, street):
    r = client.post("/needs/help/", _public(street, phone="139123"))
    assert r.status_code == 200 and not Need.objects.exists()
    form = r.context["form"]
    assert form.errors["phone"]  # the reason, by the field
    assert form["description"].value() == "降压药快吃完了"  # nothing typed is lost
    client.post("/needs/help/", _public(street, phone="１３８ １２３４ ５６７８"))
    assert Need.objects.get().caller_phone == "+8613812345678"


def test_proxy_intake_refuses_a_number_nobody_can_call_back(client, people, street):
    login(client, people.worker_a)
    data = {"area": street.building_a1.pk, "caller_name": "李大爷", "category": "medicine"}
    data["channel"] = "phone"
    r = client.post("/needs/intake/", {**data, "caller_phone": "abc"})
    assert r.status_code == 200 and not Need.objects.exists()
    assert r.context["form"].errors["caller_phone"]
    client.post("/needs/intake/", {**data, "caller_phone": "021-5012 3456"})
    assert Need.objects.get().caller_phone == "+862150123456"


def test_my_tasks_lists_live_work_before_finished_work(client, people, street):
    vol, urgent, done = _accepted_task(people, street)
    need = urgent  # make the finished one the most urgent request
    Need.objects.filter(pk=need.pk).update(priority=9_000_000)
    services.task_complete(actor=vol, task=done.task, note="已送达")
    calm = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=calm)
    offer = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    login(client, vol)
    rows = client.get("/needs/my-tasks/").context["rows"]
    assert [r["a"] for r in rows] == [offer, done]


def test_pages_offer_only_to_volunteers_they_list(client, people, street):
    need = make_need(people.worker_a, street.building_a1)
    mine = make_volunteer("v1", street.community_a)
    theirs = make_volunteer("v2", street.community_b)  # another community's volunteer
    gone = make_volunteer("v3", street.community_a)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    login(client, people.worker_a)
    for who in (theirs.pk, gone.pk, "abc", ""):
        _, shown = _post(client, f"/needs/{need.pk}/", {"do": "assign", "volunteer": who})
        assert shown == [tr(errors.VOLUNTEER_NOT_HERE)], who
        _, shown = _post(client, "/needs/", {"need": [need.pk], "volunteer": who})
        assert shown == [tr(errors.VOLUNTEER_NOT_HERE)], who
    assert not TaskAssignment.objects.exists()
    _post(client, f"/needs/{need.pk}/", {"do": "assign", "volunteer": mine.pk})
    assert TaskAssignment.objects.get().volunteer == mine

"""The round page's per-task buttons (move, take out, reassign, add, insert) say which
request they act on: each is described by the task's row (no engine run)."""

from __future__ import annotations

import re

from tests.browser.browser_support import tr
from tests.conftest import login
from tests.dispatch.round_support import proposed_round
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.dispatch.models import DispatchRound
from wushe.needs import services as needs_services
from wushe.volunteers.models import VolunteerProfile

PER_TASK = (
    "Move up",
    "Move down",
    "Take out of the route",
    "Reassign",
    "Add to the route",
    "Insert into current routes",
)


def described_buttons(page: str) -> list[str]:
    """The labels of the per-task buttons, marked when nothing on the page describes them."""
    wanted = {tr(label) for label in PER_TASK}
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    out = []
    for button in re.findall(r"<button[^>]*>[^<]*</button>", page):
        label = re.sub(r"<[^>]+>", "", button).strip()
        if label not in wanted:
            continue
        target = re.search(r'aria-describedby="([^"]+)"', button)
        out.append(label if target and target.group(1) in ids else f"UNDESCRIBED {label}")
    return out


def test_per_task_buttons_name_their_request(client, people, street):
    ann = make_volunteer("ann", street.building_a1)
    ben = make_volunteer("ben", street.building_a2)
    VolunteerProfile.objects.filter(user__in=[ann, ben]).update(on_shift=True)
    tasks = [
        needs_services.task_create(
            actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
        )
        for _ in range(3)
    ]
    routed, left = [f"t{t.pk}" for t in tasks[:2]], f"t{tasks[2].pk}"
    proposed = proposed_round(
        people,
        street,
        {"routes": [{"volunteer": f"v{ann.pk}", "tasks": routed}], "unassigned": [left]},
    )
    login(client, people.worker_a)
    page = client.get(f"/dispatch/{proposed.pk}/").content.decode()
    labels = described_buttons(page)
    assert tr("Move down") in labels and tr("Add to the route") in labels
    assert not [label for label in labels if label.startswith("UNDESCRIBED")], labels

    urgent = needs_services.task_create(
        actor=people.worker_a,
        need=make_need(people.worker_a, street.building_a2, medical_emergency=True),
    )
    proposed.status = DispatchRound.Status.APPROVED
    proposed.save(update_fields=["status"])
    page = client.get(f"/dispatch/{proposed.pk}/").content.decode()
    assert f'data-insert="{urgent.pk}"' in page
    labels = described_buttons(page)
    assert tr("Insert into current routes") in labels, labels


def test_bad_edit_input_says_what_was_wrong(client, people, street):
    from django.utils.translation import gettext as _

    from wushe.dispatch import errors

    ann = make_volunteer("ann", street.building_a1)
    VolunteerProfile.objects.filter(user=ann).update(on_shift=True)
    task = needs_services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    rnd = proposed_round(
        people, street, {"routes": [{"volunteer": f"v{ann.pk}", "tasks": [f"t{task.pk}"]}]}
    )
    login(client, people.worker_a)

    def said(data):
        r = client.post(f"/dispatch/{rnd.pk}/", data, follow=True)
        return [str(m) for m in r.context["messages"]]

    wrong = said({"do": "move", "task": task.pk, "volunteer": ann.pk, "position": "two"})
    assert wrong == [errors.FORM_NOT_WHOLE % {"field": _("position"), "value": "two"}]
    assert said({"do": "remove"}) == [errors.FORM_MISSING % {"field": _("request")}]
    rnd.refresh_from_db()
    assert rnd.changes == [] or rnd.changes is None

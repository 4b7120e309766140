"""The volunteer's phone pages: the resident's number is a call link only when shown in
full, and each stop of the route leads to its task on My tasks."""

from __future__ import annotations

import re

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.needs import services as needs_services
from wushe.volunteers.templatetags.volunteer_tags import tel_href


def test_tel_href_only_for_full_numbers():
    assert tel_href("138 1234 5678") == "tel:13812345678"
    assert tel_href("+86 138-1234-5678") == "tel:+8613812345678"
    assert tel_href("138****5678") == ""
    assert tel_href("") == ""


def test_call_link_once_accepted_never_masked(client, people, street):
    vol = make_volunteer("caller", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = needs_services.task_create(actor=people.worker_a, need=need)
    a = needs_services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    login(client, vol)
    page = client.get("/needs/my-tasks/").content.decode()
    assert 'href="tel:' not in page  # an offer shows the number masked, if at all
    needs_services.assignment_accept(actor=vol, assignment=a)
    page = client.get("/needs/my-tasks/").content.decode()
    assert 'href="tel:13812345678"' in page


def test_each_stop_links_to_its_task(client, people, street):
    vol = make_volunteer("walker", street.community_a)
    offers = []
    for area in (street.building_a1, street.building_a2):
        task = needs_services.task_create(
            actor=people.worker_a, need=make_need(people.worker_a, area)
        )
        offers.append(needs_services.task_offer(actor=people.worker_a, task=task, volunteer=vol))
    needs_services.assignment_accept(actor=vol, assignment=offers[0])
    login(client, vol)
    route = client.get("/dispatch/my-route/").content.decode()
    targets = re.findall(r'href="/needs/my-tasks/#task-(\d+)" data-testid="stop-action"', route)
    assert sorted(map(int, targets)) == sorted(a.pk for a in offers)
    tasks = client.get("/needs/my-tasks/").content.decode()
    for a in offers:
        assert f'id="task-{a.pk}"' in tasks

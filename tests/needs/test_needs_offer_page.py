"""The one-tap offer page, once accepted, links to My tasks (where the address is)."""

from django.test import Client
from django.urls import reverse

from tests.needs.factories_needs import make_need, make_volunteer
from wushe.needs import offers, services


def test_accepting_on_the_offer_page_links_to_my_tasks(people, street):
    vol = make_volunteer("v1", street.community_a)
    task = services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    r = Client().post(f"/needs/offer/{offers.offer_token(a)}/", {"do": "accept"})
    assert r.status_code == 200
    assert f'href="{reverse("needs:my_tasks")}"' in r.content.decode()

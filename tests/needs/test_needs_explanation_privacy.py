"""The priority explanation names a treatment or a sensitive tag only to the roles that may read
health details: never to a volunteer, on the sign-in-free offer link, or to read-only roles."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from tests.residents.factories_residents import ResidentFactory
from wushe.needs import offers, services
from wushe.residents.services import resident_set_tags

HEALTH_WORDS = ("透析", "严重精神障碍", "需定期治疗", "dialysis", "mental", "regular treatment")


@pytest.fixture
def offered(people, street):
    """An escort for a resident on dialysis with a severe mental illness, living alone; offered
    to a volunteer, who has accepted another task of the same request."""
    resident = ResidentFactory(name="王五", area=street.building_a1)
    resident_set_tags(
        actor=people.worker_a,
        resident=resident,
        tags={
            "critical_treatment": {"treatment": "dialysis", "schedule": "周二四六上午"},
            "severe_mental_illness": {},
            "living_alone": {},
        },
    )
    need = make_need(
        people.worker_a,
        street.building_a1,
        resident=resident,
        category="escort",
        treatment_at=timezone.now() + datetime.timedelta(hours=20),
    )
    vol = make_volunteer("v1", street.community_a)
    task = services.task_create(actor=people.worker_a, need=need)
    assignment = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    return need, vol, assignment


def _no_health(text):
    found = [w for w in HEALTH_WORDS if w in text]
    assert not found, found


def test_the_offer_link_names_no_treatment_or_illness(offered):
    _need, _vol, assignment = offered
    body = Client().get(f"/needs/offer/{offers.offer_token(assignment)}/").content.decode()
    _no_health(body)
    assert "预约" in body  # the appointment and its time are still there
    assert "独居" in body


def test_my_tasks_and_the_assignments_api_name_no_treatment(client, api, offered):
    _need, vol, _assignment = offered
    login(client, vol)
    body = client.get("/needs/my-tasks/").content.decode()
    _no_health(body)
    assert "预约" in body
    api.force_authenticate(vol)
    for language in ("en", "zh-hans"):
        (row,) = api.get("/api/v1/assignments/", HTTP_ACCEPT_LANGUAGE=language).data["results"]
        _no_health(row["explanation"])
        assert "appointment" in row["explanation"] or "预约" in row["explanation"]


@pytest.mark.parametrize("role", ["district", "admin"])
def test_roles_without_health_details_read_the_plain_explanation(api, people, offered, role):
    need, _vol, _assignment = offered
    api.force_authenticate(getattr(people, role))
    r = api.get(f"/api/v1/needs/{need.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    _no_health(r.data["explanation"])
    assert "lives alone" in r.data["explanation"]


@pytest.mark.parametrize("role", ["worker_a", "social", "command"])
def test_workers_read_the_treatment(client, api, people, offered, role):
    need, _vol, _assignment = offered
    user = getattr(people, role)
    api.force_authenticate(user)
    text = api.get(f"/api/v1/needs/{need.pk}/", HTTP_ACCEPT_LANGUAGE="en").data["explanation"]
    assert "dialysis on" in text and "severe mental illness" in text
    login(client, user)
    assert "透析" in client.get(f"/needs/{need.pk}/").content.decode()


def test_the_admin_shows_the_plain_explanation_not_the_stored_breakdown(client, people, offered):
    need, _vol, _assignment = offered
    login(client, people.admin)
    body = client.get(f"/admin/needs/need/{need.pk}/change/").content.decode()
    assert "独居" in body
    _no_health(body)
    assert "severe_mental_illness" not in body and "critical_treatment" not in body

"""Searches by a whole ID number or phone are capped per user and hour, found or not, on the
list page, the API and the export: above the cap the search is refused with a message on the
search field, nobody is found, and the refusal is in the action log. Searches by name and
other users' searches are not affected."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from tests.conftest import login
from tests.residents.factories_residents import ResidentFactory, id_for
from wushe.core.models import AccessLog, ActionLog
from wushe.residents import errors

ID_A = id_for(datetime.date(1941, 5, 6), 123)
MISSES = [id_for(datetime.date(1950, 1, 2), n) for n in range(1, 4)]


@pytest.fixture
def capped(settings, street):
    settings.WUSHE_WHOLE_NUMBER_SEARCHES_PER_HOUR = len(MISSES)
    return ResidentFactory(name="张三", area=street.building_a1, id_number=ID_A)


def _use_up_the_hour(http, entry):
    for miss in MISSES:  # guesses that find nobody count as well
        path = "/api/v1/residents/" if entry == "api" else "/residents/"
        assert http.get(path, {"q": miss}).status_code == 200


def test_the_list_page_refuses_above_the_cap(client, people, capped):
    login(client, people.worker_a)
    _use_up_the_hour(client, "page")
    page = client.get("/residents/", {"q": ID_A})
    body = page.content.decode()
    with translation.override("zh-hans"):
        message = str(errors.WHOLE_NUMBER_SEARCH_CAP).format(limit=len(MISSES))
    assert page.status_code == 200 and message in body and 'id="q-error"' in body
    assert f"/residents/{capped.pk}/" not in body
    assert not AccessLog.objects.exists()  # nobody found, so nobody logged as found
    assert ActionLog.objects.filter(action="residents.search.capped").count() == 1
    # a search by name is not counted or refused
    assert f"/residents/{capped.pk}/" in client.get("/residents/", {"q": "zs"}).content.decode()
    # the cap is per user
    login(client, people.social)
    found = client.get("/residents/", {"q": ID_A}).content.decode()
    assert f"/residents/{capped.pk}/" in found
    assert AccessLog.objects.filter(actor=people.social).count() == 1


def test_the_api_and_the_export_refuse_above_the_cap(client, api, people, capped):
    login(api, people.worker_a)
    _use_up_the_hour(api, "api")
    answer = api.get("/api/v1/residents/", {"q": ID_A})
    assert answer.status_code == 400 and answer.json()["field"] == "q"
    login(client, people.worker_a)
    export = client.get("/residents/export.xlsx", {"q": ID_A})
    assert export.status_code == 302 and export["Location"] == "/residents/"
    assert not AccessLog.objects.exists()
    assert ActionLog.objects.filter(action="residents.search.capped").count() == 2
